package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.backend.LaunchRequest;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testing.RecordingBackendListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Launch failures that need no engine: each names the server and the image, and never an env value. */
class LaunchErrorsTest {
  private static final ServerConfig SERVER = ServerConfig.container("example/mcp:1.0").passEnv("TOKEN").build("tools");

  private static LaunchRequest request(ServerConfig server, Duration timeout) {
    return LaunchRequest.builder(server, new RecordingBackendListener()).environment(Map.of("TOKEN", "hidden-value"))
        .startupTimeout(timeout).build();
  }

  @Test
  void anEngineThatRefusesConnectionsFailsTheLaunchNamingServerImageAndEngine() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    try (DockerBackendLauncher launcher = DockerBackendLauncher.builder().dockerHost("tcp://127.0.0.1:" + port).build()) {
      assertThatThrownBy(() -> launcher.launch(request(SERVER, Duration.ofSeconds(10))))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("server 'tools' (image 'example/mcp:1.0')")
          .hasMessageContaining("tcp://127.0.0.1:" + port)
          .hasMessageNotContaining("hidden-value");
    }
  }

  @Test
  void anEngineThatNeverAnswersHitsTheStartTimeoutNamingServerAndImage() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        DockerBackendLauncher launcher = DockerBackendLauncher.builder()
            .dockerHost("tcp://127.0.0.1:" + silent.getLocalPort()).engineTimeout(Duration.ofMillis(500)).build()) {
      Thread acceptor = new Thread(() -> {
        try {
          List<Socket> held = new java.util.ArrayList<>();
          while (true) {
            held.add(silent.accept()); // accept and never answer
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();

      assertThatThrownBy(() -> launcher.launch(request(SERVER, Duration.ofSeconds(1))))
          .isInstanceOf(IOException.class)
          .hasMessage("server 'tools' (image 'example/mcp:1.0'): did not start within 1 s");
    }
  }

  @Test
  void aConfigurationTheLauncherRefusesFailsBeforeTheEngineIsAsked() {
    ServerConfig privileged = SERVER.toBuilder().args(List.of("--privileged")).build("tools");
    try (DockerBackendLauncher launcher = DockerBackendLauncher.builder().dockerHost("tcp://127.0.0.1:9").build()) {
      assertThatThrownBy(() -> launcher.validate(privileged))
          .isInstanceOf(ConfigException.class).hasMessageContaining("$.mcpServers.tools.args[0]");
      assertThatThrownBy(() -> launcher.launch(request(privileged, Duration.ofSeconds(5))))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("server 'tools' (image 'example/mcp:1.0')").hasMessageContaining("--privileged");
      assertThatThrownBy(() -> launcher.launch(request(ServerConfig.command("node").build("local"), Duration.ofSeconds(5))))
          .hasMessageContaining("server 'local'").hasMessageContaining("only runs container servers");
    }
  }

  @Test
  void warnsOnceForAnImageWithoutAPinnedTagOrDigest() throws Exception {
    try (DockerBackendLauncher launcher = DockerBackendLauncher.builder().dockerHost("tcp://127.0.0.1:9").build()) {
      launcher.validate(ServerConfig.container("example/unpinned").build("loose"));
      launcher.validate(ServerConfig.container("example/unpinned").build("loose"));
      launcher.validate(ServerConfig.container("example/floating:latest").build("floating"));
      launcher.validate(ServerConfig.container("example/pinned:2.0.1").build("pinned"));
    }
    String log = java.nio.file.Files.readString(java.nio.file.Path.of("target/gateway-docker-test.log"));

    assertThat(log.split("Server 'loose' uses image 'example/unpinned' without a pinned tag or digest", -1)).hasSize(2);
    assertThat(log).contains("Server 'floating' uses image 'example/floating:latest' without a pinned tag")
        .doesNotContain("'example/pinned:2.0.1' without");
  }

  @Test
  void builderRejectsUnsafeOrNonsensicalSettings() {
    assertThatThrownBy(() -> DockerBackendLauncher.builder().allowedMountRoots(List.of(java.nio.file.Path.of("/"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedMountRoots");
    assertThatThrownBy(() -> DockerBackendLauncher.builder().dockerHost("/var/run/docker.sock"))
        .hasMessageContaining("dockerHost");
    assertThatThrownBy(() -> DockerBackendLauncher.builder().memoryLimitBytes(1024)).hasMessageContaining("6 MiB");
    assertThatThrownBy(() -> DockerBackendLauncher.builder().pidsLimit(0)).hasMessageContaining("pidsLimit");
    assertThat(DockerBackendLauncher.builder().gracePeriod(Duration.ZERO)).isNotNull();
  }
}
