package dev.mcpgateway.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import dev.mcpgateway.backend.LaunchRequest;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings one container up: image per policy, create with stdin open and the labels, attach,
 * start. A container that does not come up is removed before the error is thrown.
 */
final class ContainerStarter {
  private final DockerClient docker;
  private final String dockerHost;
  private final ImagePolicy imagePolicy;
  private final ContainerJanitor janitor;
  private final ContainerSpec.Defaults defaults;
  private final java.time.Duration gracePeriod;
  private final Set<DockerBackend> running;

  ContainerStarter(DockerClient docker, String dockerHost, ImagePolicy imagePolicy, ContainerJanitor janitor,
      ContainerSpec.Defaults defaults, java.time.Duration gracePeriod, Set<DockerBackend> running) {
    this.docker = docker;
    this.dockerHost = dockerHost;
    this.imagePolicy = imagePolicy;
    this.janitor = janitor;
    this.defaults = defaults;
    this.gracePeriod = gracePeriod;
    this.running = running;
  }

  /** Starts {@code spec} as container {@code name}; closes it again if the caller gave up meanwhile. */
  DockerBackend start(ContainerSpec spec, LaunchRequest request, String name, AtomicBoolean abandoned) throws IOException {
    String where = "server '" + spec.server() + "' (image '" + spec.image() + "')";
    String id;
    try {
      imagePolicy.prepare(spec, request.startupTimeout());
      id = create(spec, request, name);
    } catch (RuntimeException e) {
      janitor.remove(name);
      throw new IOException(where + ": the Docker engine at " + dockerHost + " refused: " + message(e), e);
    }
    DockerBackend backend = new DockerBackend(docker, id, spec.server(), request, gracePeriod, janitor, running::remove);
    running.add(backend);
    try {
      backend.start(request.startupTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      backend.close();
      throw new IOException(where + ": interrupted while starting", e);
    } catch (IOException | RuntimeException e) {
      backend.close();
      throw new IOException(where + ": could not start the container: " + message(e), e);
    }
    if (abandoned.get()) {
      backend.close();
      throw new IOException(where + ": start abandoned after the timeout");
    }
    return backend;
  }

  private String create(ContainerSpec spec, LaunchRequest request, String name) {
    // Values are secrets: they go to the engine and nowhere else.
    List<String> env = request.environment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    CreateContainerCmd cmd = docker.createContainerCmd(spec.image())
        .withName(name)
        .withLabels(janitor.labels(spec.server(), request.sessionKey()))
        .withEnv(env)
        .withStdinOpen(true)
        .withStdInOnce(true) // the engine closes the container's stdin when our attach ends
        .withAttachStdin(true)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .withTty(false)
        .withHostConfig(spec.hostConfig(defaults.tmpfsBytes()));
    if (spec.entrypoint().isPresent()) {
      cmd.withEntrypoint(spec.entrypoint().get()).withCmd(spec.command());
    } else if (!spec.command().isEmpty()) {
      cmd.withCmd(spec.command());
    }
    cmd.withUser(spec.user()); // never the image's default, which is often root
    spec.workdir().ifPresent(cmd::withWorkingDir);
    return cmd.exec().getId();
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
