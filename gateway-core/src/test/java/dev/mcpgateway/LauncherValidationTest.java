package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.backend.Backend;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.backend.LaunchRequest;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A configuration that a launcher refuses fails when the gateway is built, not at first use. */
class LauncherValidationTest {

  /** Our own fake launcher that refuses privileged container arguments, as the Docker launcher does. */
  private static final class RefusingLauncher implements BackendLauncher {
    @Override
    public void validate(ServerConfig server) {
      for (int i = 0; i < server.args().size(); i++) {
        if (server.args().get(i).equals("--privileged")) {
          throw new ConfigException("$.mcpServers." + server.name() + ".args[" + i + "]",
              "'--privileged' is refused: it would give the container full access to the host");
        }
      }
    }

    @Override
    public Backend launch(LaunchRequest request) throws IOException {
      throw new IOException("not used");
    }
  }

  @Test
  void aConfigurationTheLauncherRefusesFailsAtBuildNamingThePath() {
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.container("img:1").args(List.of("-i", "--privileged")).build("box")).build();
    assertThatThrownBy(() -> McpGateway.builder(config).launcher(BackendKind.CONTAINER, new RefusingLauncher()).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("$.mcpServers.box.args[1]: '--privileged' is refused");
  }
}
