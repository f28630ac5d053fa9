package dev.mcpgateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.testing.InMemoryBackendLauncher;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Actuator health indicator {@code mcpGateway}: UP while the gateway serves, DOWN once a
 * server's latest start failed, OUT_OF_SERVICE once the gateway closed.
 */
class HealthIndicatorTest {
  private static final String CONFIG = """
      {"gateway": {"payloadDir": "PAYLOADS"},
       "mcpServers": {"echo": {"type": "stdio", "command": "in-memory"},
                      "broken": {"type": "stdio", "command": "in-memory"}}}
      """;

  @TempDir
  Path dir;
  private ConfigurableApplicationContext context;

  @AfterEach
  void close() {
    if (context != null) {
      context.close();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Launchers {
    @Bean
    BackendLauncherRegistration commandLauncher() {
      return BackendLauncherRegistration.of(BackendKind.COMMAND, InMemoryBackendLauncher.builder().unstartable("broken").build());
    }
  }

  @Test
  void reportsTheGatewaysState() throws Exception {
    context = Apps.run(List.of(Launchers.class), "mcp.gateway.config-file=" + Apps.configFile(dir, CONFIG));
    HealthIndicator indicator = context.getBean("mcpGatewayHealthIndicator", HealthIndicator.class);
    String base = Apps.base(context) + "/mcp-gateway/mcp/";

    Health fresh = indicator.health();
    assertThat(fresh.getStatus()).isEqualTo(Status.UP);
    assertThat(fresh.getDetails()).containsEntry("sessions", 0).containsEntry("backends", 0).containsKey("servers");

    assertThat(new Mcp(base + "echo", null).initialize().status()).isEqualTo(200);
    Health serving = indicator.health();
    assertThat(serving.getStatus()).isEqualTo(Status.UP);
    assertThat(serving.getDetails()).containsEntry("sessions", 1).containsEntry("backends", 1);
    assertThat(server(serving, "echo")).containsEntry("status", "running").containsEntry("starts", 1);

    Mcp.Answer refused = new Mcp(base + "broken", null).initialize();
    assertThat(refused.status()).as(refused.response().body()).isGreaterThanOrEqualTo(400);
    Health failing = indicator.health();
    assertThat(failing.getStatus()).isEqualTo(Status.DOWN);
    assertThat(server(failing, "broken")).containsEntry("status", "error").containsEntry("error", "start_failed");

    context.getBean(McpGateway.class).close();
    assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
  }

  @Test
  void canBeTurnedOff() throws Exception {
    context = Apps.run(List.of(Launchers.class), "mcp.gateway.config-file=" + Apps.configFile(dir, CONFIG),
        "management.health.mcpgateway.enabled=false");

    assertThat(context.getBeansOfType(McpGatewayHealthIndicator.class)).isEmpty();
    assertThat(context.getBeansOfType(McpGateway.class)).hasSize(1);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> server(Health health, String name) {
    return (Map<String, Object>) ((Map<String, Object>) health.getDetails().get("servers")).get(name);
  }
}
