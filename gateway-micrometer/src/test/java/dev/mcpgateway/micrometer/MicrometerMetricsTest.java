package dev.mcpgateway.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.RateLimit;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import dev.mcpgateway.policy.Policies;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Meters read from a {@link SimpleMeterRegistry} after real traffic to a child-process backend. */
class MicrometerMetricsTest {
  private static final String SECRET = "s3cr3t-value-for-redaction";
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private McpGateway gateway;

  @BeforeEach
  void start() {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .rateLimit(new RateLimit(1000, 1000))
        .closeWithoutAuthentication(true)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size()))
            .passEnv("METRICS_TEST_SECRET").tools(List.of("echo", "env", "crash", "pid")).build("test"))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size()))
            .rateLimit(new RateLimit(0.001, 1)).build("scarce"))
        .build();
    Interceptor noPings = new Interceptor() {
      @Override
      public Verdict onRequest(McpCall call) {
        return "ping".equals(call.method()) ? Verdict.deny("no pings here") : Verdict.pass();
      }
    };
    gateway = McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .environment(Map.of("METRICS_TEST_SECRET", SECRET)::get)
        .interceptors(List.of(noPings, Policies.toolAllowlist(config), Policies.redaction(config, Map.of("METRICS_TEST_SECRET", SECRET)::get)))
        .addOuterInterceptor(MicrometerMetrics.create(registry))
        .build();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void timesRequestsByServerMethodAndOutcome() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    client.callTool("echo", "{\"message\":\"one\"}");
    client.callTool("echo", "{\"message\":\"two\"}");
    client.request("tools/list", null);
    client.request("no/such/method", null);

    Timer calls = registry.get("mcp.gateway.requests").tags("server", "test", "method", "tools/call", "outcome", "success").timer();
    assertThat(calls.count()).isEqualTo(2);
    assertThat(calls.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(registry.get("mcp.gateway.requests").tags("method", "tools/list").timer().count()).isEqualTo(1);
    assertThat(registry.get("mcp.gateway.requests").tags("method", "other", "outcome", "error").timer().count())
        .as("unknown methods share one tag value").isEqualTo(1);
  }

  @Test
  void countsDenialsRedactionsAndRateLimits() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    client.request("ping", null);
    assertThat(client.callTool("stderr", "{}")).startsWith("error:");
    assertThat(client.callTool("env", "{\"name\":\"METRICS_TEST_SECRET\"}")).isEqualTo("[REDACTED:secret]");

    assertThat(registry.get("mcp.gateway.denials").tags("server", "test", "method", "ping").counter().count()).isEqualTo(1);
    assertThat(registry.get("mcp.gateway.denials").tags("method", "tools/call").counter().count()).isEqualTo(1);
    assertThat(registry.get("mcp.gateway.redactions").tags("server", "test", "kind", "secret").counter().count()).isEqualTo(1);

    TestClient scarce = new TestClient(gateway, "scarce", "k");
    assertThat(scarce.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}")
        .status()).isEqualTo(200);
    assertThat(scarce.post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}")
        .status()).isEqualTo(429);
    assertThat(registry.get("mcp.gateway.rate.limited").tags("server", "scarce").counter().count()).isEqualTo(1);
  }

  @Test
  void gaugesFollowSessionsAndBackendsAndCountersFollowTheirLifecycle() {
    assertThat(registry.get("mcp.gateway.sessions.active").gauge().value()).isZero();
    TestClient first = new TestClient(gateway, "test", "key-one");
    TestClient second = new TestClient(gateway, "test", "key-two");
    first.initialize();
    second.initialize();
    assertThat(registry.get("mcp.gateway.sessions.active").gauge().value()).isEqualTo(2);
    assertThat(registry.get("mcp.gateway.backends.active").gauge().value()).isEqualTo(2);
    assertThat(registry.get("mcp.gateway.requests.inflight").gauge().value()).isZero();
    assertThat(registry.get("mcp.gateway.backend.starts").tags("server", "test").counter().count()).isEqualTo(2);

    first.callTool("crash", "{}");
    awaitCount("mcp.gateway.backend.stops", "unexpected", 1);
    first.callTool("pid", "{}");
    assertThat(registry.get("mcp.gateway.backend.starts").tags("server", "test").counter().count()).isEqualTo(3);

    assertThat(Await.result(gateway.handle(GatewayRequest.post("/close").build())).status()).isEqualTo(200);
    assertThat(registry.find("mcp.gateway.sessions.active").meters()).as("gauges leave with the gateway").isEmpty();
    assertThat(registry.get("mcp.gateway.backend.stops").tags("reason", "gateway").counter().count()).isEqualTo(2);
  }

  @Test
  void countsAuthenticationFailuresAndBackendsThatFailToStart() {
    McpGateway locked = McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.command("/nonexistent/mcp-server-binary").build("broken")).build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(request -> request.authorization().filter("right"::equals).isPresent()
            ? dev.mcpgateway.auth.AuthResult.success(dev.mcpgateway.auth.Identity.of("ops", "right"))
            : dev.mcpgateway.auth.AuthResult.denied(401, "authentication failed: invalid API key"))
        .addOuterInterceptor(MicrometerMetrics.create(registry))
        .build();
    try {
      assertThat(new TestClient(locked, "broken", "wrong").post("{}").status()).isEqualTo(401);
      assertThat(new TestClient(locked, "broken", "right").post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
          + "\"params\":{\"protocolVersion\":\"2025-06-18\"}}").status()).isEqualTo(503);
      assertThat(registry.get("mcp.gateway.auth.failures").counter().count()).isEqualTo(1);
      assertThat(registry.get("mcp.gateway.backend.failures").tags("server", "broken").counter().count()).isEqualTo(1);
      for (Meter meter : registry.getMeters()) {
        assertThat(meter.getId().getTags()).noneMatch(tag -> tag.getValue().contains("right") || tag.getValue().contains("wrong"));
      }
    } finally {
      locked.close();
    }
  }

  private void awaitCount(String name, String reason, double count) {
    Await.until(Duration.ofSeconds(10), name + " reaches " + count, () -> {
      Counter counter = registry.find(name).tags("reason", reason).counter();
      return counter != null && counter.count() >= count;
    });
  }
}
