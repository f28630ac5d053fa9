package dev.mcpgateway.spring.boot;

import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.docker.DockerBackendLauncher;

/** The default launcher of container servers; loaded only when {@code gateway-docker} is on the class path. */
final class DockerSupport {
  private DockerSupport() {}

  static BackendLauncher launcher() {
    return DockerBackendLauncher.create();
  }
}
