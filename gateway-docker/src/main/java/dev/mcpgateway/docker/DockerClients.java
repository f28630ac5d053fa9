package dev.mcpgateway.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Connects docker-java to an engine over the httpclient5 transport. */
final class DockerClients {
  private DockerClients() {}

  /** The engine's address: the given one, else {@code DOCKER_HOST}, else the default socket. */
  static String resolveHost(String configured) {
    if (configured != null) {
      return configured;
    }
    return Optional.ofNullable(System.getenv("DOCKER_HOST")).filter(h -> !h.isBlank()).orElse("unix:///var/run/docker.sock");
  }

  /** A client for {@code host}; connecting happens on first use, so an engine that is down does not fail here. */
  static DockerClient connect(String host) {
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
    ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
        .dockerHost(URI.create(host))
        .sslConfig(config.getSSLConfig())
        .maxConnections(1024) // every running container holds its attach and its exit watch
        .connectionTimeout(Duration.ofSeconds(5))
        .build();
    return DockerClientImpl.getInstance(config, http);
  }

  static void closeQuietly(DockerClient docker) {
    try {
      docker.close();
    } catch (IOException | RuntimeException e) {
      // nothing left to do with a client that will not close
    }
  }
}
