package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A gateway in front of in-memory backends answers like one in front of processes. */
class InMemoryBackendLauncherTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static GatewayResponse post(McpGateway gateway, String session, String body) throws Exception {
    GatewayRequest.Builder request = GatewayRequest.post("/mcp/memory").header("Content-Type", "application/json").body(body);
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    return gateway.handle(request.build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void servesToolCallsAndStopsTheBackendWithTheGateway() throws Exception {
    InMemoryBackendLauncher launcher = new InMemoryBackendLauncher();
    GatewayConfig config = GatewayConfig.builder().server(ServerConfig.command("unused").build("memory")).build();
    McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, launcher).build();
    GatewayResponse init = post(gateway, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}");
    String session = init.headers().get("Mcp-Session-Id");
    JsonNode echo = JSON.readTree(post(gateway, session,
        "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hi\"}}}").body());

    assertThat(echo.path("id").asText()).isEqualTo("x");
    assertThat(echo.path("result").path("content").path(0).path("text").asText()).isEqualTo("hi");
    assertThat(launcher.launched()).hasSize(1);
    assertThat(launcher.running()).isEqualTo(1);
    gateway.close();
    assertThat(launcher.running()).isZero();
  }
}
