package dev.mcpgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.GatewayListener;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.ConfigLoader;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.RateLimit;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Token buckets per caller: 429 with Retry-After, recovery when the ticker moves, per-server limits. */
class RateLimitTest {
  private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
  private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
  private final List<String> limited = new CopyOnWriteArrayList<>();
  private McpGateway gateway;

  private void start(GatewayConfig.Builder config) {
    List<String> command = StdioTestServer.commandLine();
    config.server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"));
    config.server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size()))
        .rateLimit(new RateLimit(0.5, 1)).build("slow"));
    class Recorder implements Interceptor, GatewayListener {
      @Override
      public void rateLimited(String server, String identity) {
        limited.add(server + "/" + identity);
      }
    }
    gateway = McpGateway.builder(config.build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .interceptors(List.of(new Recorder()))
        .ticker(nanos::get)
        .build();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void answers429WithRetryAfterOverTheBurstAndRecoversWhenTimeMoves() {
    start(GatewayConfig.builder().rateLimit(new RateLimit(1, 3)));
    TestClient client = new TestClient(gateway, "test", "key-one");
    client.initialize(); // initialize and notifications/initialized: two tokens
    assertThat(client.post(PING).status()).isEqualTo(200);

    GatewayResponse refused = client.post(PING);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.headers()).containsEntry("Retry-After", "1");
    assertThat(TestClient.parse(refused.bodyText()).path("error").asText())
        .startsWith("rate limit exceeded: 1 requests per second (burst 3) for 'anonymous' on server 'test'");
    assertThat(limited).containsExactly("test/anonymous");

    nanos.addAndGet(Duration.ofMillis(999).toNanos());
    assertThat(client.post(PING).status()).as("not quite a second later").isEqualTo(429);
    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(client.post(PING).status()).isEqualTo(200);
    assertThat(client.post(PING).status()).isEqualTo(429);

    nanos.addAndGet(Duration.ofSeconds(60).toNanos());
    for (int i = 0; i < 3; i++) {
      assertThat(client.post(PING).status()).as("the burst is back after a quiet minute").isEqualTo(200);
    }
    assertThat(client.post(PING).status()).isEqualTo(429);
  }

  @Test
  void limitsEachCallerSeparatelyOnEveryMethod() {
    start(GatewayConfig.builder().rateLimit(new RateLimit(1, 2)));
    TestClient one = new TestClient(gateway, "test", "key-one");
    one.initialize();
    assertThat(one.post(PING).status()).isEqualTo(429);
    assertThat(one.delete().status()).as("DELETE pays a token too").isEqualTo(429);

    TestClient two = new TestClient(gateway, "test", "key-two");
    two.initialize();
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(one.delete().status()).isEqualTo(200);
  }

  @Test
  void aServerWithItsOwnLimitUsesItsOwnBucketAndRoundsRetryAfterUp() {
    start(GatewayConfig.builder().rateLimit(new RateLimit(100, 100)));
    TestClient slow = new TestClient(gateway, "slow", "k");
    GatewayResponse first = slow.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}");
    assertThat(first.status()).isEqualTo(200);
    slow.withSession(first.headers().get("Mcp-Session-Id"));
    nanos.addAndGet(Duration.ofMillis(500).toNanos());
    GatewayResponse refused = slow.post(PING);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.headers()).containsEntry("Retry-After", "2"); // 1.5 s rounded up

    TestClient fast = new TestClient(gateway, "test", "k");
    fast.initialize();
    assertThat(fast.post(PING).status()).as("the gateway's bucket is separate").isEqualTo(200);

    nanos.addAndGet(Duration.ofMillis(1500).toNanos());
    assertThat(slow.post(PING).status()).isEqualTo(200);
  }

  @Test
  void withoutALimitNothingIsRefused() {
    start(GatewayConfig.builder());
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    for (int i = 0; i < 50; i++) {
      assertThat(client.post(PING).status()).isEqualTo(200);
    }
  }

  @Test
  void readsRateLimitsFromTheConfigurationAndRejectsBadOnes() {
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of()).parse("{\"gateway\":{\"rateLimit\":{\"requestsPerSecond\":10,\"burst\":20}},"
        + "\"mcpServers\":{\"a\":{\"command\":\"x\",\"rateLimit\":{\"requestsPerSecond\":0.5}}}}");
    assertThat(config.rateLimit()).contains(new RateLimit(10, 20));
    assertThat(config.servers().get("a").rateLimit()).contains(new RateLimit(0.5, 1));
    assertThat(config.toBuilder().build().rateLimit()).contains(new RateLimit(10, 20));

    assertThatThrownBy(() -> ConfigLoader.withEnvironment(Map.of()).parse("{\"gateway\":{\"rateLimit\":{\"requestsPerSecond\":0}},"
        + "\"mcpServers\":{}}")).isInstanceOf(ConfigException.class).hasMessageContaining("$.gateway.rateLimit.requestsPerSecond");
    assertThatThrownBy(() -> ConfigLoader.withEnvironment(Map.of()).parse("{\"gateway\":{\"rateLimit\":{\"requestsPerSecond\":1,\"burst\":0}},"
        + "\"mcpServers\":{}}")).isInstanceOf(ConfigException.class).hasMessageContaining("$.gateway.rateLimit.burst");
    assertThatThrownBy(() -> ConfigLoader.withEnvironment(Map.of()).parse("{\"gateway\":{\"rateLimit\":{\"rps\":1}},"
        + "\"mcpServers\":{}}")).isInstanceOf(ConfigException.class).hasMessageContaining("$.gateway.rateLimit.rps");
    assertThatThrownBy(() -> new RateLimit(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
