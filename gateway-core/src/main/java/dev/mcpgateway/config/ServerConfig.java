package dev.mcpgateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One backend MCP server: how to start or reach it, what environment it gets and which tools
 * it may offer.
 *
 * <p>A stdio server names either a {@code container} image (run by a container launcher such
 * as {@code gateway-docker}'s) or a host {@code command} (run by the opt-in process launcher).
 * Immutable; build with {@link #container(String)}, {@link #command(String, String...)} or
 * {@link #http(String)}, or load from JSON with {@link ConfigLoader}.
 *
 * <p>{@code env} values are secrets: {@link #toString()} shows only their names. An empty
 * value means "pass this variable through from the gateway's environment".
 */
public final class ServerConfig {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern USER = Pattern.compile("([0-9]{1,10}|[A-Za-z_][A-Za-z0-9_.-]{0,31})(:([0-9]{1,10}|[A-Za-z_][A-Za-z0-9_.-]{0,31}))?");

  private final String name;
  private final BackendKind kind;
  private final String container;
  private final String entrypoint;
  private final String registry;
  private final List<String> entrypointArgs;
  private final String command;
  private final List<String> args;
  private final List<String> mounts;
  private final Map<String, String> env;
  private final List<String> tools;
  private final String url;
  private final Map<String, String> headers;
  private final Duration startupTimeout;
  private final Duration toolTimeout;
  private final Duration connectTimeout;
  private final Isolation isolation;
  private final BackendSharing backendSharing;
  private final Integer maxBackendsPerCaller;
  private final GuardConfig guards;

  /** Which clients share one backend of a server. */
  public enum Isolation {
    /** All MCP sessions of one caller (one credential) share a backend: the default. */
    KEY,
    /** Every MCP session gets its own backend, for servers that keep conversation state. */
    SESSION
  }

  /**
   * How the sessions of one caller share the backends of a server with {@link Isolation#KEY}, and
   * so how a backend's requests to a client (sampling, elicitation, roots) find their session.
   */
  public enum BackendSharing {
    /**
     * The default: sessions that declared none of {@code sampling}, {@code elicitation} and
     * {@code roots} share one backend; a session that declared any holds a backend of its
     * capabilities exclusively while it has calls in flight, so every server request reaches
     * exactly the session whose call caused it. At most
     * {@link ServerConfig#maxBackendsPerCaller()} such backends per caller; past that, calls wait.
     */
    EXACT,
    /**
     * One backend per caller, shared by all its sessions, initialized with the first session's
     * capabilities. A server request reaches a session only when that session alone has calls in
     * flight on it (or alone uses it); otherwise it is answered with an error, never guessed.
     */
    SINGLE
  }
  // Container settings (gateway-docker); empty means the launcher's hardened default.
  private final String network;
  private final Long memoryLimitBytes;
  private final Double cpuLimit;
  private final Integer pidsLimit;
  private final Boolean readOnlyRootFilesystem;
  private final String imageDigest;
  private final String user;
  private final RateLimit rateLimit;

  private ServerConfig(Builder b) {
    this.name = b.name;
    this.kind = b.kind;
    this.container = b.container;
    this.entrypoint = b.entrypoint;
    this.registry = b.registry;
    this.entrypointArgs = List.copyOf(b.entrypointArgs);
    this.command = b.command;
    this.args = List.copyOf(b.args);
    this.mounts = List.copyOf(b.mounts);
    this.env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
    this.tools = List.copyOf(b.tools);
    this.url = b.url;
    this.headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.startupTimeout = b.startupTimeout;
    this.toolTimeout = b.toolTimeout;
    this.connectTimeout = b.connectTimeout;
    this.isolation = b.isolation;
    this.backendSharing = b.backendSharing;
    this.maxBackendsPerCaller = b.maxBackendsPerCaller;
    this.network = b.network;
    this.memoryLimitBytes = b.memoryLimitBytes;
    this.cpuLimit = b.cpuLimit;
    this.pidsLimit = b.pidsLimit;
    this.readOnlyRootFilesystem = b.readOnlyRootFilesystem;
    this.imageDigest = b.imageDigest;
    this.user = b.user;
    this.guards = b.guards;
    this.rateLimit = b.rateLimit;
  }

  /**
   * A stdio server run from a container image, such as {@code ghcr.io/github/github-mcp-server:v1.2.3}.
   *
   * @param image the image reference
   * @return a builder for the server
   */
  public static Builder container(String image) {
    Builder b = new Builder(BackendKind.CONTAINER);
    b.container = requireText(image, "container");
    return b;
  }

  /**
   * A stdio server run as a host process (needs the opt-in process launcher).
   *
   * @param command the executable
   * @param args its arguments
   * @return a builder for the server
   */
  public static Builder command(String command, String... args) {
    Builder b = new Builder(BackendKind.COMMAND);
    b.command = requireText(command, "command");
    b.args.addAll(List.of(args));
    return b;
  }

  /**
   * A remote server reached over Streamable HTTP.
   *
   * @param url the server's URL
   * @return a builder for the server
   */
  public static Builder http(String url) {
    Builder b = new Builder(BackendKind.HTTP);
    b.url = requireText(url, "url");
    return b;
  }

  /**
   * Whether {@code name} can name a server: letters, digits, {@code _ . -}, at most 64 characters.
   *
   * @param name the name to check
   * @return {@code true} when it is valid
   */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** {@return the server's name, as in {@code /mcp/{name}}} */
  public String name() {
    return name;
  }

  /**
   * {@return how the gateway starts or reaches it, and so which launcher it needs: {@link BackendKind#CONTAINER}
   * with a {@link #container()} image, {@link BackendKind#COMMAND} with a host {@link #command()},
   * {@link BackendKind#HTTP} with a {@link #url()}}
   */
  public BackendKind kind() {
    return kind;
  }

  /** {@return the container image of a containerized stdio server} */
  public Optional<String> container() {
    return Optional.ofNullable(container);
  }

  /**
   * {@return where the server is listed in an MCP registry ({@code registry}, a URI): informational,
   * for host applications and tooling; it does not change how the server runs}
   */
  public Optional<String> registry() {
    return Optional.ofNullable(registry);
  }

  /** {@return the container entrypoint override} */
  public Optional<String> entrypoint() {
    return Optional.ofNullable(entrypoint);
  }

  /** {@return arguments passed to the container's entrypoint} */
  public List<String> entrypointArgs() {
    return entrypointArgs;
  }

  /** {@return the host command of a process-launched stdio server} */
  public Optional<String> command() {
    return Optional.ofNullable(command);
  }

  /** {@return arguments of {@link #command()}; for container servers, extra container-runtime arguments} */
  public List<String> args() {
    return args;
  }

  /** {@return host mounts of a container server, each {@code /host:/container:ro|rw}} */
  public List<String> mounts() {
    return mounts;
  }

  /**
   * Environment for the backend; an empty value passes the variable through from the gateway's environment.
   *
   * @return the variables by name
   */
  public Map<String, String> env() {
    return env;
  }

  /** {@return tools the server may offer; {@code ["*"]} (the default) allows every tool} */
  public List<String> tools() {
    return tools;
  }

  /** {@return the URL of an HTTP server} */
  public Optional<String> url() {
    return Optional.ofNullable(url);
  }

  /** {@return headers sent to an HTTP server (values are secrets)} */
  public Map<String, String> headers() {
    return headers;
  }

  /** {@return how long starting the backend and answering {@code initialize} may take; empty means the gateway default} */
  public Optional<Duration> startupTimeout() {
    return Optional.ofNullable(startupTimeout);
  }

  /** {@return how long one request may wait for its answer; empty means the gateway default} */
  public Optional<Duration> toolTimeout() {
    return Optional.ofNullable(toolTimeout);
  }

  /** {@return how long connecting to an HTTP server may take; empty means the HTTP launcher's default} */
  public Optional<Duration> connectTimeout() {
    return Optional.ofNullable(connectTimeout);
  }

  /** {@return which clients share a backend of this server} */
  public Isolation isolation() {
    return isolation;
  }

  /** {@return how the sessions of one caller share this server's backends; {@link BackendSharing#EXACT} unless set} */
  public BackendSharing backendSharing() {
    return backendSharing == null ? BackendSharing.EXACT : backendSharing;
  }

  /**
   * {@return this server's own bound on the backends one caller runs for sessions that can receive server
   * requests, instead of {@link GatewayConfig#maxBackendsPerCaller()}; empty means the gateway's}
   */
  public OptionalInt maxBackendsPerCaller() {
    return maxBackendsPerCaller == null ? OptionalInt.empty() : OptionalInt.of(maxBackendsPerCaller);
  }

  /** {@return the container network to join; empty means none (no network interface but loopback)} */
  public Optional<String> network() {
    return Optional.ofNullable(network);
  }

  /** {@return the container's memory limit in bytes (swap included); empty means the launcher default} */
  public OptionalLong memoryLimitBytes() {
    return memoryLimitBytes == null ? OptionalLong.empty() : OptionalLong.of(memoryLimitBytes);
  }

  /** {@return how many CPUs the container may use, such as {@code 0.5}; empty means the launcher default} */
  public OptionalDouble cpuLimit() {
    return cpuLimit == null ? OptionalDouble.empty() : OptionalDouble.of(cpuLimit);
  }

  /** {@return the most processes and threads the container may run; empty means the launcher default} */
  public OptionalInt pidsLimit() {
    return pidsLimit == null ? OptionalInt.empty() : OptionalInt.of(pidsLimit);
  }

  /** {@return whether the container's root filesystem is read-only; empty means the launcher default (read-only)} */
  public Optional<Boolean> readOnlyRootFilesystem() {
    return Optional.ofNullable(readOnlyRootFilesystem);
  }

  /** {@return the digest ({@code sha256:...}) the container image must have; empty means not pinned} */
  public Optional<String> imageDigest() {
    return Optional.ofNullable(imageDigest);
  }

  /**
   * {@return the user the container runs as, {@code uid:gid} (such as {@code 1000:1000}), {@code uid}, or a
   * name the image knows ({@code name} or {@code name:group}); empty means the launcher's
   * unprivileged default ({@code 65534:65534} for {@code gateway-docker}), never the image's root}
   */
  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  /**
   * Whether {@code user} can name a container user: a uid or a name, optionally followed by
   * {@code :} and a gid or a group name; numbers at most 2147483647, names at most 32
   * characters of letters, digits, {@code _ . -} that do not start with a digit.
   *
   * @param user the text to check
   * @return {@code true} when it is valid
   */
  public static boolean isValidUser(String user) {
    if (user == null || !USER.matcher(user).matches()) {
      return false;
    }
    for (String part : user.split(":")) {
      if (Character.isDigit(part.charAt(0)) && Long.parseLong(part) > Integer.MAX_VALUE) {
        return false;
      }
    }
    return true;
  }

  /** {@return the argument guards of this server's tools; empty when none are configured} */
  public Optional<GuardConfig> guards() {
    return Optional.ofNullable(guards);
  }

  /**
   * {@return this server's own rate limit per caller, used instead of the gateway's
   * {@link GatewayConfig#rateLimit()}; empty means the gateway's applies}
   */
  public Optional<RateLimit> rateLimit() {
    return Optional.ofNullable(rateLimit);
  }

  /** {@return a builder holding this server's values} */
  public Builder toBuilder() {
    Builder b = new Builder(kind);
    b.name = name;
    b.container = container;
    b.entrypoint = entrypoint;
    b.registry = registry;
    b.entrypointArgs.addAll(entrypointArgs);
    b.command = command;
    b.args.addAll(args);
    b.mounts.addAll(mounts);
    b.env.putAll(env);
    b.tools.clear();
    b.tools.addAll(tools);
    b.url = url;
    b.headers.putAll(headers);
    b.startupTimeout = startupTimeout;
    b.toolTimeout = toolTimeout;
    b.connectTimeout = connectTimeout;
    b.isolation = isolation;
    b.backendSharing = backendSharing;
    b.maxBackendsPerCaller = maxBackendsPerCaller;
    b.network = network;
    b.memoryLimitBytes = memoryLimitBytes;
    b.cpuLimit = cpuLimit;
    b.pidsLimit = pidsLimit;
    b.readOnlyRootFilesystem = readOnlyRootFilesystem;
    b.imageDigest = imageDigest;
    b.user = user;
    b.guards = guards;
    b.rateLimit = rateLimit;
    return b;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("ServerConfig{").append(name).append(", ").append(kind);
    if (container != null) {
      s.append(", container=").append(container);
    }
    if (command != null) {
      s.append(", command=").append(command).append(' ').append(args);
    }
    if (url != null) {
      s.append(", url=").append(url);
    }
    // Values are secrets; only the names are shown.
    return s.append(", env=").append(env.keySet()).append('}').toString();
  }

  private static String requireText(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return value;
  }

  /** Builds a {@link ServerConfig}. Not thread-safe. */
  public static final class Builder {
    private String name;
    private final BackendKind kind;
    private String container;
    private String entrypoint;
    private String registry;
    private final List<String> entrypointArgs = new ArrayList<>();
    private String command;
    private final List<String> args = new ArrayList<>();
    private final List<String> mounts = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> tools = new ArrayList<>(List.of("*"));
    private String url;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration startupTimeout;
    private Duration toolTimeout;
    private Duration connectTimeout;
    private Isolation isolation = Isolation.KEY;
    private BackendSharing backendSharing;
    private Integer maxBackendsPerCaller;
    private String network;
    private Long memoryLimitBytes;
    private Double cpuLimit;
    private Integer pidsLimit;
    private Boolean readOnlyRootFilesystem;
    private String imageDigest;
    private String user;
    private GuardConfig guards;
    private RateLimit rateLimit;

    private Builder(BackendKind kind) {
      this.kind = kind;
    }

    /**
     * Sets the registry URI the server is listed under (informational); {@code null} for none.
     *
     * @param registry the URI, or {@code null}
     * @return this builder
     */
    public Builder registry(String registry) {
      this.registry = registry == null ? null : requireText(registry, "registry");
      return this;
    }

    /**
     * Sets the container entrypoint.
     *
     * @param entrypoint the entrypoint, not blank
     * @return this builder
     */
    public Builder entrypoint(String entrypoint) {
      this.entrypoint = requireText(entrypoint, "entrypoint");
      return this;
    }

    /**
     * Replaces the entrypoint arguments.
     *
     * @param args the arguments
     * @return this builder
     */
    public Builder entrypointArgs(List<String> args) {
      entrypointArgs.clear();
      entrypointArgs.addAll(args);
      return this;
    }

    /**
     * Replaces {@code args}.
     *
     * @param args the arguments
     * @return this builder
     */
    public Builder args(List<String> args) {
      this.args.clear();
      this.args.addAll(args);
      return this;
    }

    /**
     * Replaces the mounts ({@code /host:/container:ro|rw}).
     *
     * @param mounts the mounts
     * @return this builder
     */
    public Builder mounts(List<String> mounts) {
      this.mounts.clear();
      this.mounts.addAll(mounts);
      return this;
    }

    /**
     * Sets one environment variable; {@code ""} passes it through from the gateway's environment.
     *
     * @param name the variable's name
     * @param value its value, or {@code ""}
     * @return this builder
     */
    public Builder env(String name, String value) {
      env.put(requireText(name, "env name"), Objects.requireNonNull(value, "env value"));
      return this;
    }

    /**
     * Passes a variable through from the gateway's environment (same as {@code env(name, "")}).
     *
     * @param name the variable's name
     * @return this builder
     */
    public Builder passEnv(String name) {
      return env(name, "");
    }

    /**
     * Replaces the tool allowlist; {@code "*"} allows every tool.
     *
     * @param tools the tool names
     * @return this builder
     */
    public Builder tools(List<String> tools) {
      this.tools.clear();
      this.tools.addAll(tools);
      return this;
    }

    /**
     * Sets one header sent to an HTTP server.
     *
     * @param name the header's name
     * @param value its value, a secret
     * @return this builder
     */
    public Builder header(String name, String value) {
      headers.put(requireText(name, "header name"), Objects.requireNonNull(value, "header value"));
      return this;
    }

    /**
     * Sets how long start-up and {@code initialize} may take.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = positive(timeout, "startupTimeout");
      return this;
    }

    /**
     * Sets how long one request may wait for its answer.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder toolTimeout(Duration timeout) {
      this.toolTimeout = positive(timeout, "toolTimeout");
      return this;
    }

    /**
     * Sets how long connecting to an HTTP server may take.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets which clients share a backend (default {@link Isolation#KEY}).
     *
     * @param isolation the isolation
     * @return this builder
     */
    public Builder isolation(Isolation isolation) {
      this.isolation = Objects.requireNonNull(isolation, "isolation");
      return this;
    }

    /**
     * Sets how the sessions of one caller share backends (default {@link BackendSharing#EXACT}); only with {@link Isolation#KEY}.
     *
     * @param sharing the sharing
     * @return this builder
     */
    public Builder backendSharing(BackendSharing sharing) {
      this.backendSharing = Objects.requireNonNull(sharing, "backendSharing");
      return this;
    }

    /**
     * Sets this server's own bound on backends per caller (at least 1); only with {@link BackendSharing#EXACT}.
     *
     * @param max the bound, at least 1
     * @return this builder
     */
    public Builder maxBackendsPerCaller(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxBackendsPerCaller must be at least 1: " + max);
      }
      this.maxBackendsPerCaller = max;
      return this;
    }

    /**
     * Sets the container network to join (such as {@code bridge}); without it the container has none.
     *
     * @param network the network's name, not blank
     * @return this builder
     */
    public Builder network(String network) {
      this.network = requireText(network, "network");
      return this;
    }

    /**
     * Sets the container's memory limit in bytes; at least 6 MiB.
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
     * Sets how many CPUs the container may use, such as {@code 0.5}.
     *
     * @param cpus the number of CPUs, from 0.01 to 1024
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
     * Sets the most processes and threads the container may run.
     *
     * @param pids the limit, positive
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
     * Sets whether the container's root filesystem is read-only (the launcher's default is read-only).
     *
     * @param readOnly {@code true} for read-only
     * @return this builder
     */
    public Builder readOnlyRootFilesystem(boolean readOnly) {
      this.readOnlyRootFilesystem = readOnly;
      return this;
    }

    /**
     * Pins the container image to a digest ({@code sha256:} and 64 hex digits).
     *
     * @param digest {@code sha256:} and 64 lower-case hex digits
     * @return this builder
     */
    public Builder imageDigest(String digest) {
      if (digest == null || !DIGEST.matcher(digest).matches()) {
        throw new IllegalArgumentException("imageDigest must be 'sha256:' and 64 lowercase hex digits: " + digest);
      }
      this.imageDigest = digest;
      return this;
    }

    /**
     * Sets the user the container runs as: {@code "1000:1000"} (uid:gid), {@code "1000"}, or a
     * name the image knows, optionally with {@code ":group"}; see {@link ServerConfig#isValidUser}.
     *
     * @param user a uid or a name, optionally followed by {@code :} and a gid or a group
     * @return this builder
     */
    public Builder user(String user) {
      if (!isValidUser(user)) {
        throw new IllegalArgumentException("user must be a uid or name, optionally followed by ':' and a gid or group, "
            + "such as 1000:1000: " + user);
      }
      this.user = user;
      return this;
    }

    /**
     * Sets the argument guards of this server's tools ({@code null} for none).
     *
     * @param guards the guards, or {@code null}
     * @return this builder
     */
    public Builder guards(GuardConfig guards) {
      this.guards = guards;
      return this;
    }

    /**
     * Gives this server its own rate limit per caller, instead of the gateway's; {@code null} for the gateway's.
     *
     * @param rateLimit the limit, or {@code null}
     * @return this builder
     */
    public Builder rateLimit(RateLimit rateLimit) {
      this.rateLimit = rateLimit;
      return this;
    }

    Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Builds the server config under {@code name}.
     *
     * @param name the server's name, as in {@code /mcp/{name}}
     * @return the server's configuration
     */
    public ServerConfig build(String name) {
      if (!isValidName(name)) {
        throw new IllegalArgumentException("server name '" + name
            + "' is not valid: use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
      }
      this.name = name;
      if (kind != BackendKind.CONTAINER && (network != null || memoryLimitBytes != null || cpuLimit != null || pidsLimit != null
          || readOnlyRootFilesystem != null || imageDigest != null || user != null)) {
        throw new IllegalArgumentException("server '" + name
            + "' sets network, limits, imageDigest or user, which apply only to container servers");
      }
      if (isolation == Isolation.SESSION && (backendSharing != null || maxBackendsPerCaller != null)) {
        throw new IllegalArgumentException("server '" + name + "' sets " + (backendSharing != null ? "backendSharing" : "maxBackendsPerCaller")
            + " with isolation SESSION, where every MCP session has a backend of its own; they apply only to isolation KEY");
      }
      if (backendSharing == BackendSharing.SINGLE && maxBackendsPerCaller != null) {
        throw new IllegalArgumentException("server '" + name + "' sets maxBackendsPerCaller with backendSharing SINGLE, "
            + "which runs one backend per caller; the bound applies only to backendSharing EXACT");
      }
      return new ServerConfig(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}
