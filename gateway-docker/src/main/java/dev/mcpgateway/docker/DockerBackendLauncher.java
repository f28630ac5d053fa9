package dev.mcpgateway.docker;

import com.github.dockerjava.api.DockerClient;
import dev.mcpgateway.backend.Backend;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.backend.LaunchRequest;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every {@code container} server in its own hardened Docker container, the equivalent of
 * {@code docker run --rm -i IMAGE [entrypointArgs]} with isolation turned up: no network unless
 * the server names one, memory/CPU/process limits, a read-only root filesystem with a small
 * {@code /tmp}, all capabilities dropped, {@code no-new-privileges}, never privileged, an
 * unprivileged user ({@code 65534:65534}) unless the server names one, and only host mounts that
 * pass validation (absolute, {@code ro}/{@code rw}, under an allowed root, never a container
 * engine's socket or data directory).
 *
 * <p>The engine comes from {@code DOCKER_HOST} or {@code /var/run/docker.sock}. Every container
 * carries labels naming this launcher instance, its server and the session digest; building a
 * launcher removes containers left by a gateway on this host that died, and {@link #close()}
 * removes every container this instance started. Environment values reach the container and no
 * log. Thread-safe; one instance serves every server.
 *
 * <pre>{@code
 * McpGateway gateway = McpGateway.builder(config)
 *     .launcher(BackendKind.CONTAINER, DockerBackendLauncher.builder()
 *         .allowedMountRoots(List.of(Path.of("/srv/mcp-data")))
 *         .build())
 *     .build();
 * }</pre>
 */
public final class DockerBackendLauncher implements BackendLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(DockerBackendLauncher.class);

  private final DockerClient docker;
  private final String dockerHost;
  private final ContainerSpec.Defaults defaults;
  private final MountPolicy mountPolicy;
  private final ImagePolicy imagePolicy;
  private final ContainerJanitor janitor;
  private final ContainerStarter containers;
  private final Set<DockerBackend> running = ConcurrentHashMap.newKeySet();
  private final ExecutorService starter;
  private final AtomicBoolean orphansPending = new AtomicBoolean(true);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Duration engineTimeout;

  private DockerBackendLauncher(Builder b) {
    this.dockerHost = DockerClients.resolveHost(b.dockerHost);
    this.engineTimeout = b.engineTimeout;
    this.docker = DockerClients.connect(dockerHost);
    this.defaults = new ContainerSpec.Defaults(b.memoryLimitBytes, b.cpuLimit, b.pidsLimit, b.tmpfsSizeBytes, b.defaultUser);
    this.mountPolicy = new MountPolicy(b.allowedMountRoots, MountPolicy.enginePaths(System::getenv, dockerHost));
    this.imagePolicy = new ImagePolicy(docker, b.pullPolicy);
    this.janitor = new ContainerJanitor(docker, hex(6), b.hostName, b.owner);
    this.containers = new ContainerStarter(docker, dockerHost, imagePolicy, janitor, defaults, b.gracePeriod, running);
    this.starter = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "mcpgw-docker-start");
      thread.setDaemon(true);
      return thread;
    });
    bounded("Removing containers of gateways that died", this::removeOrphans, engineTimeout);
  }

  /**
   * A launcher with the defaults: see {@link #builder()}. Does not fail when the engine is down; launches do.
   *
   * @return a new launcher, to close when the gateway no longer uses it
   */
  public static DockerBackendLauncher create() {
    return builder().build();
  }

  /**
   * Starts a builder with the defaults: 512 MiB memory, 1 CPU, 256 processes, 64 MiB {@code /tmp},
   * user {@code 65534:65534}, no mount roots (so no host mounts), {@link PullPolicy#IF_MISSING},
   * 2 s grace period.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks that this launcher can run {@code server}: its image, args, network and mounts.
   *
   * @param server the server's configuration
   * @throws ConfigException naming the JSON path of the first problem
   */
  public void validate(ServerConfig server) {
    ContainerSpec spec = ContainerSpec.of(server, defaults, mountPolicy);
    imagePolicy.warnIfUnpinned(spec.server(), spec.image());
    if (spec.runsAsRoot()) {
      LOG.warn("Server '{}' runs its container as root (user '{}'), as its configuration asks; "
          + "leave \"user\" out to run it as the unprivileged {}", spec.server(), spec.user(), ContainerSpec.Defaults.UNPRIVILEGED_USER);
    }
  }

  /**
   * Pulls the image if the policy says so, then creates, attaches and starts the container;
   * blocks until it runs or {@link LaunchRequest#startupTimeout()} passes.
   */
  @Override
  public Backend launch(LaunchRequest request) throws IOException {
    ServerConfig server = request.server();
    String where = "server '" + server.name() + "' (image '" + server.container().orElse("none") + "')";
    if (closed.get()) {
      throw new IOException(where + ": the Docker launcher is closed");
    }
    ContainerSpec spec;
    try {
      spec = ContainerSpec.of(server, defaults, mountPolicy);
    } catch (ConfigException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
    String name = "mcpgw-" + server.name() + "-" + hex(4);
    AtomicBoolean abandoned = new AtomicBoolean();
    Future<DockerBackend> start = starter.submit(() -> start(spec, request, name, abandoned));
    Duration timeout = request.startupTimeout();
    try {
      return start.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      abandoned.set(true);
      start.cancel(true);
      starter.execute(() -> janitor.remove(name)); // the engine may be what hangs; do not wait for it here
      throw new IOException(where + ": did not start within " + timeout.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandoned.set(true);
      start.cancel(true);
      starter.execute(() -> janitor.remove(name));
      throw new IOException(where + ": interrupted while starting", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String message = cause instanceof IOException ? cause.getMessage() : cause.getMessage() == null
          ? cause.getClass().getSimpleName() : cause.getMessage();
      throw new IOException(message.startsWith(where) ? message : where + ": " + message, cause);
    }
  }

  private DockerBackend start(ContainerSpec spec, LaunchRequest request, String name, AtomicBoolean abandoned)
      throws IOException {
    if (orphansPending.get()) {
      removeOrphans();
    }
    return containers.start(spec, request, name, abandoned);
  }

  private void removeOrphans() {
    try {
      janitor.removeOrphans();
      orphansPending.set(false);
    } catch (RuntimeException e) {
      LOG.warn("The Docker engine at {} is not reachable ({}); containers start once it is", dockerHost, e.getMessage());
    }
  }

  /** Stops every container this launcher started, removes any left with its label, and closes the engine client. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List.copyOf(running).forEach(DockerBackend::close);
    bounded("Removing this launcher's containers", janitor::removeOwn, engineTimeout);
    starter.shutdownNow();
    DockerClients.closeQuietly(docker);
  }

  /** Runs an engine call that must not hang the caller (the engine may accept and never answer). */
  private void bounded(String what, Runnable call, Duration timeout) {
    Future<?> future = starter.submit(call);
    try {
      future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      LOG.warn("{} at {} took longer than {} s; continuing", what, dockerHost, timeout.toSeconds());
    } catch (ExecutionException e) {
      LOG.warn("{} at {} failed: {}", what, dockerHost, e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "DockerBackendLauncher{" + dockerHost + ", " + defaults + "}";
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  /** Builds a {@link DockerBackendLauncher}. Not thread-safe. */
  public static final class Builder {
    private String dockerHost;
    private List<Path> allowedMountRoots = List.of();
    private long memoryLimitBytes = 512L * 1024 * 1024;
    private double cpuLimit = 1.0;
    private int pidsLimit = 256;
    private long tmpfsSizeBytes = 64L * 1024 * 1024;
    private String defaultUser = ContainerSpec.Defaults.UNPRIVILEGED_USER;
    private PullPolicy pullPolicy = PullPolicy.IF_MISSING;
    private Duration gracePeriod = Duration.ofSeconds(2);
    private String hostName = ContainerJanitor.localHostName();
    private ProcessHandle owner = ProcessHandle.current();
    private Duration engineTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * The engine's address, such as {@code unix:///var/run/docker.sock} or {@code tcp://127.0.0.1:2375}; default {@code DOCKER_HOST}.
     *
     * @param dockerHost a {@code unix://}, {@code tcp://} or {@code npipe://} address
     * @return this builder
     */
    public Builder dockerHost(String dockerHost) {
      if (dockerHost == null || !dockerHost.matches("(unix|tcp|npipe)://.+")) {
        throw new IllegalArgumentException("dockerHost must be unix://, tcp:// or npipe:// followed by an address: " + dockerHost);
      }
      this.dockerHost = dockerHost;
      return this;
    }

    /**
     * Host directories under which servers may mount paths; none by default, so no server may mount anything.
     *
     * @param roots absolute directories other than {@code /}
     * @return this builder
     */
    public Builder allowedMountRoots(Collection<Path> roots) {
      for (Path root : roots) {
        if (!root.isAbsolute() || root.getNameCount() == 0) {
          throw new IllegalArgumentException("allowedMountRoots must be absolute directories other than /: " + root);
        }
      }
      this.allowedMountRoots = roots.stream().map(Path::normalize).toList();
      return this;
    }

    /**
     * The memory limit (swap included) of a server that sets none; default 512 MiB.
     *
     * @param bytes the limit, at least 6 MiB
     * @return this builder
     */
    public Builder memoryLimitBytes(long bytes) {
      if (bytes < 6L * 1024 * 1024) {
        throw new IllegalArgumentException("memoryLimitBytes must be at least 6 MiB: " + bytes);
      }
      this.memoryLimitBytes = bytes;
      return this;
    }

    /**
     * The CPUs a server that sets none may use; default 1.
     *
     * @param cpus from 0.01 to 1024
     * @return this builder
     */
    public Builder cpuLimit(double cpus) {
      if (!(cpus >= 0.01 && cpus <= 1024)) {
        throw new IllegalArgumentException("cpuLimit must be from 0.01 to 1024: " + cpus);
      }
      this.cpuLimit = cpus;
      return this;
    }

    /**
     * The process and thread limit of a server that sets none; default 256.
     *
     * @param pids the limit, at least 1
     * @return this builder
     */
    public Builder pidsLimit(int pids) {
      if (pids < 1) {
        throw new IllegalArgumentException("pidsLimit must be positive: " + pids);
      }
      this.pidsLimit = pids;
      return this;
    }

    /**
     * The size of every container's writable {@code /tmp}; default 64 MiB.
     *
     * @param bytes the size, at least 1 MiB
     * @return this builder
     */
    public Builder tmpfsSizeBytes(long bytes) {
      if (bytes < 1024 * 1024) {
        throw new IllegalArgumentException("tmpfsSizeBytes must be at least 1 MiB: " + bytes);
      }
      this.tmpfsSizeBytes = bytes;
      return this;
    }

    /**
     * The user containers of servers that name none run as, {@code uid:gid}; default
     * {@code 65534:65534} (nobody). Root ({@code 0}) is refused here: a server that needs it says
     * so in its own {@code "user"}.
     *
     * @param user a numeric {@code uid:gid} other than root
     * @return this builder
     */
    public Builder defaultUser(String user) {
      if (!ServerConfig.isValidUser(user) || !user.matches("[0-9]+:[0-9]+")) {
        throw new IllegalArgumentException("defaultUser must be numeric uid:gid, such as 65534:65534: " + user);
      }
      if (user.matches("0+:.*")) {
        throw new IllegalArgumentException("defaultUser must not be root (uid 0): " + user);
      }
      this.defaultUser = user;
      return this;
    }

    /**
     * When images are pulled; default {@link PullPolicy#IF_MISSING}.
     *
     * @param policy the pull policy
     * @return this builder
     */
    public Builder pullPolicy(PullPolicy policy) {
      this.pullPolicy = Objects.requireNonNull(policy, "pullPolicy");
      return this;
    }

    /**
     * How long a closing container may take to exit after its stdin ends before it is killed; default 2 s.
     *
     * @param gracePeriod the time allowed, not negative
     * @return this builder
     */
    public Builder gracePeriod(Duration gracePeriod) {
      Objects.requireNonNull(gracePeriod, "gracePeriod");
      if (gracePeriod.isNegative()) {
        throw new IllegalArgumentException("gracePeriod must not be negative: " + gracePeriod);
      }
      this.gracePeriod = gracePeriod;
      return this;
    }

    /** For tests: pretend the launcher runs in another process (one that may have died). */
    Builder owner(ProcessHandle owner) {
      this.owner = owner;
      return this;
    }

    /** For tests: how long orphan removal at start and container removal at close may wait for the engine. */
    Builder engineTimeout(Duration timeout) {
      this.engineTimeout = timeout;
      return this;
    }

    /**
     * Builds the launcher and removes containers left by gateways on this host that died. An
     * engine that is down is logged, not thrown: launches fail until it answers.
     *
     * @return a new launcher, to close when the gateway no longer uses it
     */
    public DockerBackendLauncher build() {
      return new DockerBackendLauncher(this);
    }

  }
}
