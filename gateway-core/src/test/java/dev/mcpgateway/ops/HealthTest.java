package dev.mcpgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayStats;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /health} and {@link McpGateway#stats()} with real child-process backends and a moved ticker. */
class HealthTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private McpGateway gateway;

  private McpGateway start(ServerConfig... servers) {
    GatewayConfig.Builder config = GatewayConfig.builder().toolTimeout(Duration.ofSeconds(10));
    for (ServerConfig server : servers) {
      config.server(server);
    }
    gateway = McpGateway.builder(config.build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .interceptors(List.of())
        .ticker(nanos::get)
        .build();
    return gateway;
  }

  private static ServerConfig testServer(String name) {
    List<String> command = StdioTestServer.commandLine();
    return ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build(name);
  }

  private JsonNode health() {
    return TestClient.parse(Await.result(gateway.handle(GatewayRequest.get("/health").build())).bodyText());
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void reportsGatewayAndServerUptimeFromTheTicker() {
    start(testServer("test"));
    nanos.addAndGet(Duration.ofSeconds(42).toNanos());
    JsonNode before = health();
    assertThat(before.path("uptimeSeconds").asLong()).isEqualTo(42);
    assertThat(before.path("servers").path("test").has("uptimeSeconds")).isFalse();

    new TestClient(gateway, "test", "k").initialize();
    nanos.addAndGet(Duration.ofSeconds(7).toNanos());
    JsonNode after = health();
    assertThat(after.path("uptimeSeconds").asLong()).isEqualTo(49);
    JsonNode server = after.path("servers").path("test");
    assertThat(server.path("status").asText()).isEqualTo("running");
    assertThat(server.path("uptimeSeconds").asLong()).isEqualTo(7);
    assertThat(server.path("starts").asInt()).isEqualTo(1);
    assertThat(server.path("restarts").asInt()).isZero();
    assertThat(server.path("lastStartedAt").asText()).isNotBlank();
    assertThat(after.path("sessions").asInt()).isEqualTo(1);
    assertThat(after.path("backends").asInt()).isEqualTo(1);
  }

  @Test
  void countsARestartOnlyWhenACrashedBackendIsReplaced() {
    start(testServer("test"));
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    assertThat(client.callTool("crash", "{}")).startsWith("error: server 'test' stopped");
    awaitUnexpectedExits("test", 1);
    GatewayStats.ServerStats crashed = gateway.stats().servers().get("test");
    assertThat(crashed.status()).isEqualTo(GatewayStats.ServerStatus.STOPPED);
    assertThat(crashed.restarts()).isZero();

    client.callTool("echo", "{\"message\":\"again\"}");
    GatewayStats.ServerStats restarted = gateway.stats().servers().get("test");
    assertThat(restarted.status()).isEqualTo(GatewayStats.ServerStatus.RUNNING);
    assertThat(restarted.starts()).isEqualTo(2);
    assertThat(restarted.restarts()).isEqualTo(1);
    assertThat(health().path("servers").path("test").path("restarts").asInt()).isEqualTo(1);

    client.delete();
    new TestClient(gateway, "test", "k").initialize();
    assertThat(gateway.stats().servers().get("test").restarts())
        .as("a backend started after an orderly stop is not a restart").isEqualTo(1);
  }

  @Test
  void isUnhealthyWhileAServerIsInErrorAndShowsACodeNotTheErrorText() {
    start(testServer("good"), ServerConfig.command("/nonexistent/mcp-server-binary").build("broken"));
    TestClient broken = new TestClient(gateway, "broken", "k");
    assertThat(broken.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}")
        .status()).isEqualTo(503);
    new TestClient(gateway, "good", "k").initialize();

    JsonNode health = health();
    assertThat(health.path("status").asText()).isEqualTo("unhealthy");
    assertThat(health.path("servers").path("broken").path("status").asText()).isEqualTo("error");
    assertThat(health.path("servers").path("broken").path("error").asText()).isEqualTo("start_failed");
    assertThat(health.toString()).doesNotContain("nonexistent").doesNotContain("No such file");
    assertThat(gateway.stats().servers().get("broken").lastError().orElseThrow()).as("the host still sees the text")
        .contains("nonexistent");
    assertThat(health.path("servers").path("broken").path("failures").asInt()).isEqualTo(1);
    assertThat(health.path("servers").path("good").path("status").asText()).isEqualTo("running");
    assertThat(gateway.stats().activeBackends()).isEqualTo(1);
  }

  private void awaitUnexpectedExits(String server, int exits) {
    Await.until(Duration.ofSeconds(10), server + " counts " + exits + " unexpected exit(s)", () -> gateway.stats(),
        stats -> stats.servers().get(server).unexpectedExits() >= exits);
  }
}
