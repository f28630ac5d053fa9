package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testing.InMemoryBackendLauncher;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway on Redis while Redis is down: new sessions get 503 with a clear error, a session the
 * gateway serves goes on, and once Redis is back new sessions open again, on the same objects.
 */
class GatewayWithoutRedisTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INITIALIZE =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
          + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
  private RedisServer server;
  private RedisCluster cluster;
  private McpGateway gateway;

  @BeforeEach
  void start() {
    server = RedisServer.start(List.of());
    cluster = RedisCluster.builder(server.uri()).timeout(Duration.ofMillis(500)).keepAlive(Duration.ofMillis(200))
        .clusterSecret(TestClusters.SECRET).build();
    gateway = McpGateway.builder(GatewayConfig.builder().server(ServerConfig.command("unused").build("memory")).build())
        .launcher(BackendKind.COMMAND, new InMemoryBackendLauncher())
        .sessionStore(cluster.sessionStore(Duration.ofMinutes(30), 100))
        .eventStore(cluster.eventStore())
        .clusterBus(cluster.bus())
        .build();
  }

  @AfterEach
  void stop() {
    gateway.close();
    cluster.close();
    server.close();
  }

  private GatewayResponse post(String session, String body) throws Exception {
    GatewayRequest.Builder request = GatewayRequest.post("/mcp/memory").header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").body(body);
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    return gateway.handle(request.build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private String echo(String session, String message) throws Exception {
    GatewayResponse response = post(session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"echo\",\"arguments\":{\"message\":\"" + message + "\"}}}");
    assertThat(response.status()).as(response.bodyText()).isEqualTo(200);
    return JSON.readTree(response.body()).path("result").path("content").path(0).path("text").asText();
  }

  @Test
  void whileRedisIsDownNewSessionsGet503AndSessionsServedHereGoOn() throws Exception {
    String session = post(null, INITIALIZE).headers().get("Mcp-Session-Id");
    assertThat(echo(session, "before")).isEqualTo("before");

    server.stop();

    GatewayResponse refused = post(null, INITIALIZE);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.headers()).containsKey("Retry-After");
    assertThat(refused.bodyText()).contains("sessions are unavailable", "Redis").doesNotContain("127.0.0.1");
    assertThat(echo(session, "while down")).isEqualTo("while down");
    GatewayResponse unknown = post("not-a-session-of-this-node", "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
    assertThat(unknown.status()).isEqualTo(503);

    server.start();

    GatewayResponse again = post(null, INITIALIZE);
    assertThat(again.status()).as(again.bodyText()).isEqualTo(200);
    assertThat(echo(again.headers().get("Mcp-Session-Id"), "after")).isEqualTo("after");
  }
}
