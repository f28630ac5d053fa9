package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.testing.InMemoryBackendLauncher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateway replicas on one Redis: a host's failed authentications and a caller's sessions count
 * on both; while Redis is away each replica throttles on its own.
 */
class GatewayQuotasOnRedisTest {
  private static final String KEY = "k7Qx9Lm2Vp4Rt8Wz3Ny6Bh1Jc5Fd0GsA";
  private static final String INITIALIZE =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
          + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
  private static final GatewayConfig CONFIG = GatewayConfig.builder().server(ServerConfig.command("unused").build("memory"))
      .maxSessionsPerCaller(2).build();
  private final TestClusters clusters = new TestClusters(RedisServer.shared());
  private final List<McpGateway> gateways = new ArrayList<>();
  private final AtomicLong ticker = new AtomicLong(1_000_000_000L);

  @AfterEach
  void close() {
    gateways.forEach(McpGateway::close);
    clusters.close();
  }

  private ApiKeyAuthenticator authenticator(RedisCluster cluster) {
    return ApiKeyAuthenticator.builder().key("ci", KEY).throttling(3, Duration.ofMinutes(1)).ticker(ticker::get)
        .sharedFailureCounts(cluster.failureCounts()).build();
  }

  private McpGateway gateway(SessionStore sessions, Authenticator auth) {
    McpGateway gateway = McpGateway.builder(CONFIG).launcher(BackendKind.COMMAND, new InMemoryBackendLauncher())
        .sessionStore(sessions).authenticator(auth).build();
    gateways.add(gateway);
    return gateway;
  }

  /** A replica under {@code prefix}: sessions and failure counts in Redis. */
  private McpGateway replica(String prefix) {
    RedisCluster cluster = clusters.cluster(prefix);
    return gateway(cluster.sessionStore(Duration.ofMinutes(30), 100), authenticator(cluster));
  }

  private static GatewayResponse send(McpGateway gateway, GatewayRequest.Builder request) throws Exception {
    return gateway.handle(request.build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static GatewayResponse initialize(McpGateway gateway, String key, String remote) throws Exception {
    return send(gateway, GatewayRequest.post("/mcp/memory").header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").header("Authorization", key).remoteAddress(remote)
        .body(INITIALIZE));
  }

  private static GatewayResponse delete(McpGateway gateway, String session) throws Exception {
    return send(gateway, GatewayRequest.delete("/mcp/memory").header("Authorization", KEY).header("Mcp-Session-Id", session)
        .remoteAddress("10.0.0.1:1000"));
  }

  private static String opened(GatewayResponse response) {
    assertThat(response.status()).as(response.bodyText()).isEqualTo(200);
    return response.headers().get("Mcp-Session-Id");
  }

  @Test
  void failuresOnTwoReplicasTogetherLockAHostOutOfBoth() throws Exception {
    String prefix = TestClusters.newPrefix();
    McpGateway a = replica(prefix);
    McpGateway b = replica(prefix);

    assertThat(initialize(a, "wrong-1", "203.0.113.7:1000").status()).isEqualTo(401);
    assertThat(initialize(b, "wrong-2", "203.0.113.7:1001").status()).isEqualTo(401);
    assertThat(initialize(a, "wrong-3", "203.0.113.7:1002").status()).isEqualTo(401);

    GatewayResponse onB = initialize(b, KEY, "203.0.113.7:1003"); // b saw one failure: alone it would let the host in
    assertThat(onB.status()).isEqualTo(429);
    assertThat(onB.headers()).containsKey("Retry-After");
    assertThat(initialize(a, KEY, "203.0.113.7:1004").status()).isEqualTo(429);
    assertThat(initialize(b, KEY, "198.51.100.1:1000").status()).as("another host").isEqualTo(200);
    List<String> keys = TestClusters.keys(clusters.plain(), prefix);
    assertThat(keys).filteredOn(key -> key.startsWith(prefix + "failures:")).hasSize(1)
        .allSatisfy(key -> assertThat(key).doesNotContain("203.0.113"));
  }

  @Test
  void whileRedisIsAwayEachReplicaThrottlesOnItsOwnAndTogetherAgainOnceItIsBack() throws Exception {
    try (RedisServer server = RedisServer.start(List.of())) {
      RedisCluster one = clusters.track(RedisCluster.builder(server.uri()).timeout(Duration.ofMillis(500)).build());
      RedisCluster two = clusters.track(RedisCluster.builder(server.uri()).timeout(Duration.ofMillis(500)).build());
      ApiKeyAuthenticator a = authenticator(one);
      ApiKeyAuthenticator b = authenticator(two);
      server.stop();

      for (int i = 0; i < 2; i++) {
        assertThat(a.authenticate(request("wrong")).status()).isEqualTo(401);
        assertThat(b.authenticate(request("wrong")).status()).isEqualTo(401);
      }
      assertThat(a.authenticate(request(KEY)).isSuccess()).as("two failures here, four in all").isTrue();
      assertThat(a.authenticate(request("wrong")).status()).isEqualTo(401);
      assertThat(a.authenticate(request(KEY)).status()).as("a's own third failure locks the host out of a").isEqualTo(429);
      assertThat(b.authenticate(request(KEY)).isSuccess()).isTrue();

      server.start();
      ticker.addAndGet(Duration.ofSeconds(61).toNanos()); // past a's own lock-out and the pause after a failure of Redis

      assertThat(a.authenticate(request("other")).status()).isEqualTo(401);
      assertThat(b.authenticate(request("other")).status()).isEqualTo(401);
      assertThat(b.authenticate(request("other")).status()).isEqualTo(401);
      assertThat(a.authenticate(request(KEY)).status()).as("one failure here, three in all").isEqualTo(429);
      assertThat(b.authenticate(request(KEY)).status()).isEqualTo(429);
      assertThat(authenticator(clusters.track(RedisCluster.builder(server.uri()).build())).authenticate(request(KEY)).status())
          .as("a third replica, which saw no failure").isEqualTo(429);
    }
  }

  private static AuthRequest request(String key) {
    return AuthRequest.of(key, "/mcp/memory", "203.0.113.7:1000", name -> Optional.empty());
  }

  @Test
  void aCallersSessionsCountOnBothReplicasAndEndingOneFreesItsPlaceOnTheOther() throws Exception {
    String prefix = TestClusters.newPrefix();
    McpGateway a = replica(prefix);
    McpGateway b = replica(prefix);
    McpGateway alone = gateway(SessionStore.caffeine(Duration.ofMinutes(30), 100), ApiKeyAuthenticator.builder().key("ci", KEY).build());
    opened(initialize(alone, KEY, "10.0.0.1:1000"));
    opened(initialize(alone, KEY, "10.0.0.1:1000"));
    GatewayResponse refusedAlone = initialize(alone, KEY, "10.0.0.1:1000");

    String onA = opened(initialize(a, KEY, "10.0.0.1:1000"));
    String onB = opened(initialize(b, KEY, "10.0.0.1:1000"));
    GatewayResponse thirdOnA = initialize(a, KEY, "10.0.0.1:1000");
    GatewayResponse thirdOnB = initialize(b, KEY, "10.0.0.1:1000");

    assertThat(thirdOnA.status()).isEqualTo(429);
    assertThat(thirdOnA.bodyText()).as("the answer of a gateway on its own").isEqualTo(refusedAlone.bodyText())
        .contains("too many MCP sessions for 'ci': at most 2 at once");
    assertThat(thirdOnB.status()).isEqualTo(429);
    assertThat(thirdOnB.bodyText()).isEqualTo(refusedAlone.bodyText());

    assertThat(delete(b, onB).status()).isLessThan(300);

    String again = opened(initialize(a, KEY, "10.0.0.1:1000"));
    assertThat(initialize(b, KEY, "10.0.0.1:1000").status()).isEqualTo(429);
    assertThat(delete(a, onA).status()).isLessThan(300);
    assertThat(delete(b, again).status()).isLessThan(300);
    assertThat(TestClusters.keys(clusters.plain(), prefix)).as("nothing left once the sessions ended").isEmpty();
  }
}
