package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testing.InMemoryBackendLauncher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Gateways on Redis: sessions kept there and gone without a trace, and a session that expires released on every replica. */
class GatewayOnRedisTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INITIALIZE =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
          + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
  private final TestClusters clusters = new TestClusters(RedisServer.shared());
  private final List<McpGateway> gateways = new ArrayList<>();

  @AfterEach
  void close() {
    gateways.forEach(McpGateway::close);
    clusters.close();
  }

  /** A gateway replica under {@code prefix}; its store sweeps for expired sessions every {@code expiryCheck}. */
  private McpGateway replica(String prefix, InMemoryBackendLauncher launcher, Duration idleTimeout, Duration expiryCheck) {
    RedisCluster cluster = clusters.cluster(prefix);
    GatewayConfig config = GatewayConfig.builder().server(ServerConfig.command("unused").build("memory")).build();
    RedisSessionStore sessions = RedisSessionStore.builder(cluster).idleTimeout(idleTimeout).expiryCheckInterval(expiryCheck)
        .removalNotices(cluster.bus()).build();
    McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, launcher).sessionStore(sessions)
        .eventStore(cluster.eventStore()).build();
    gateways.add(gateway);
    return gateway;
  }

  private static GatewayResponse send(McpGateway gateway, GatewayRequest.Builder request, String session) throws Exception {
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    return gateway.handle(request.build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static GatewayResponse post(McpGateway gateway, String session, String body) throws Exception {
    return send(gateway, GatewayRequest.post("/mcp/memory").header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").body(body), session);
  }

  private static String echo(McpGateway gateway, String session, String message) throws Exception {
    GatewayResponse response = post(gateway, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"echo\",\"arguments\":{\"message\":\"" + message + "\"}}}");
    assertThat(response.status()).as(response.bodyText()).isEqualTo(200);
    JsonNode answer = JSON.readTree(response.body());
    return answer.path("result").path("content").path(0).path("text").asText();
  }

  @Test
  void aGatewayKeepsItsSessionsInRedisAndLeavesNothingOnceTheyEnd() throws Exception {
    String prefix = TestClusters.newPrefix();
    InMemoryBackendLauncher launcher = new InMemoryBackendLauncher();
    McpGateway gateway = replica(prefix, launcher, Duration.ofMinutes(30), Duration.ofSeconds(5));

    GatewayResponse init = post(gateway, null, INITIALIZE);
    assertThat(init.status()).as(init.bodyText()).isEqualTo(200);
    String session = init.headers().get("Mcp-Session-Id");
    assertThat(echo(gateway, session, "hi")).isEqualTo("hi");
    assertThat(clusters.plain().get(prefix + "session:" + session)).contains("\"protocolVersion\":\"2025-06-18\"");

    assertThat(send(gateway, GatewayRequest.delete("/mcp/memory"), session).status()).isLessThan(300);

    assertThat(TestClusters.keys(clusters.plain(), prefix)).isEmpty();
    assertThat(post(gateway, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}").status()).isEqualTo(404);
    Await.until(Duration.ofSeconds(10), "the backend is stopped", () -> launcher.running() == 0);
  }

  @Test
  void aReplicaReleasesTheBackendOfASessionThatAnotherReplicaFoundExpired() throws Exception {
    String prefix = TestClusters.newPrefix();
    InMemoryBackendLauncher launcher = new InMemoryBackendLauncher();
    // only B's store checks for expiry, so A can hear of it only by B's notice
    McpGateway a = replica(prefix, launcher, Duration.ofSeconds(1), Duration.ofHours(1));
    replica(prefix, new InMemoryBackendLauncher(), Duration.ofSeconds(1), Duration.ofMillis(100));
    GatewayResponse init = post(a, null, INITIALIZE);
    String session = init.headers().get("Mcp-Session-Id");
    assertThat(echo(a, session, "hi")).isEqualTo("hi");
    assertThat(launcher.running()).isEqualTo(1);

    Await.until(Duration.ofSeconds(30), "replica A stops the backend of the expired session", () -> launcher.running() == 0);

    assertThat(post(a, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}").status()).isEqualTo(404);
  }

  @Test
  void anyReplicaServesASessionAnotherReplicaOpenedAndADeleteOnOneEndsItOnAll() throws Exception {
    String prefix = TestClusters.newPrefix();
    InMemoryBackendLauncher onA = new InMemoryBackendLauncher();
    InMemoryBackendLauncher onB = new InMemoryBackendLauncher();
    McpGateway a = replica(prefix, onA, Duration.ofMinutes(30), Duration.ofSeconds(5));
    McpGateway b = replica(prefix, onB, Duration.ofMinutes(30), Duration.ofSeconds(5));

    String session = post(a, null, INITIALIZE).headers().get("Mcp-Session-Id");
    // b never saw the initialize: it serves the session from its record, with a backend of its own
    assertThat(echo(b, session, "served by b")).isEqualTo("served by b");
    assertThat(echo(a, session, "served by a")).isEqualTo("served by a");
    assertThat(onB.running()).isEqualTo(1);

    assertThat(send(b, GatewayRequest.delete("/mcp/memory"), session).status()).isLessThan(300);

    assertThat(post(a, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}").status()).isEqualTo(404);
    Await.until(Duration.ofSeconds(10), "both replicas stop their backends", () -> onA.running() + onB.running() == 0);
    assertThat(TestClusters.keys(clusters.plain(), prefix)).isEmpty();
  }

  @Test
  void aCallersRateLimitHoldsAcrossReplicas() throws Exception {
    String prefix = TestClusters.newPrefix();
    RedisCluster cluster = clusters.cluster(prefix);
    GatewayConfig config = GatewayConfig.builder().server(ServerConfig.command("unused").build("memory"))
        .rateLimit(new dev.mcpgateway.config.RateLimit(0.001, 2)).build(); // two requests, then one per 1000 s
    List<McpGateway> replicas = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, new InMemoryBackendLauncher())
          .sessionStore(cluster.sessionStore(Duration.ofMinutes(30), 100)).sharedRateLimits(cluster.rateLimits()).build();
      gateways.add(gateway);
      replicas.add(gateway);
    }

    assertThat(post(replicas.get(0), null, INITIALIZE).status()).isEqualTo(200);
    assertThat(post(replicas.get(1), null, INITIALIZE).status()).isEqualTo(200);
    GatewayResponse third = post(replicas.get(0), null, INITIALIZE); // one replica alone would still have a token
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.headers()).containsKey("Retry-After");
    assertThat(TestClusters.keys(clusters.plain(), prefix)).anyMatch(key -> key.startsWith(prefix + "rate:"));
  }
}
