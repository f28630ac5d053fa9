package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.RateLimit;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.examples.support.RawHttpExchange;
import dev.mcpgateway.examples.support.RecordingServer;
import dev.mcpgateway.session.CaffeineSessionStore;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a caller may cost and reach, over HTTP through the runner's Jetty with real backend
 * processes: rate limits on every route and per call in a batch, the admin endpoint, sessions
 * per caller, bounded identifiers and audit lines, {@code /health} without error text, and no
 * backend left behind by an initialize that races a revocation or an expiry.
 */
class AdmissionOverHttpTest {
  private static final String KEY = "admission-key-0123456789abcdefghijklmnopqrstuvwxyz";
  private static final String ADMIN = "admission-admin-0123456789abcdefghijklmnopqrstuvw";
  private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}";

  @TempDir
  Path dir;

  private GatewayConfig.Builder config() {
    return GatewayConfig.builder().apiKey(KEY).adminKey(ADMIN).auditFile(dir.resolve("audit.jsonl"))
        .server(RecordingServer.config("rec", dir.resolve("received.jsonl"), List.of("allowed_echo")));
  }

  private static McpHttp.Answer post(McpHttp http, String path, String key, String session, String version, String body) {
    return http.send("POST", path, body, "Content-Type", "application/json", "Accept", McpHttp.ACCEPT_BOTH,
        "Authorization", key, "Mcp-Session-Id", session, "MCP-Protocol-Version", version);
  }

  private static String initialize(McpHttp http, String path, String key, String version) {
    McpHttp.Answer init = post(http, path, key, null, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"" + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(init.status()).as(init.body()).isEqualTo(200);
    return init.header("Mcp-Session-Id");
  }

  private static String call(int id, String tool, String text) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":{\"text\":\"" + text + "\"}}}";
  }

  @Test
  void everyRouteAndEveryCallInABatchPaysItsToken() throws Exception {
    // 5 tokens and (for the length of this test) no refill.
    GatewayRunner.Running running = GatewayRunner.start(config().rateLimit(new RateLimit(0.001, 5)).build(), "127.0.0.1", 0, true);
    try {
      McpHttp http = new McpHttp("http://127.0.0.1:" + running.port);
      String session = initialize(http, "/mcp/rec", KEY, "2025-03-26"); // token 1
      String batch = "[" + call(1, "allowed_echo", "a") + "," + call(2, "allowed_echo", "b") + "," + call(3, "allowed_echo", "c")
          + "," + call(4, "allowed_echo", "d") + "," + call(5, "allowed_echo", "e") + "]";
      McpHttp.Answer answer = post(http, "/mcp/rec", KEY, session, "2025-03-26", batch); // tokens 2-5 for four calls
      assertThat(answer.status()).isEqualTo(200);
      JsonNode answers = McpHttp.JSON.readTree(answer.body());
      assertThat(answers).hasSize(5);
      int ran = 0;
      int limited = 0;
      for (JsonNode one : answers) {
        if (one.has("result")) {
          ran++;
        } else if (one.path("error").path("code").asInt() == -32005) {
          limited++;
        }
      }
      assertThat(ran).as(answer.body()).isEqualTo(4);
      assertThat(limited).isEqualTo(1);
      long backendCalls = RecordingServer.received(dir.resolve("received.jsonl")).stream()
          .filter(m -> "tools/call".equals(m.path("method").asText())).count();
      assertThat(backendCalls).as("a limited call never reaches the backend").isEqualTo(4);

      McpHttp.Answer get = http.send("GET", "/mcp/rec", null, "Accept", "text/event-stream", "Authorization", KEY,
          "Mcp-Session-Id", session);
      assertThat(get.status()).isEqualTo(429);
      assertThat(get.header("Retry-After")).isNotBlank();
      McpHttp.Answer delete = http.send("DELETE", "/mcp/rec", null, "Authorization", KEY, "Mcp-Session-Id", session);
      assertThat(delete.status()).isEqualTo(429);
      assertThat(post(http, "/mcp", KEY, null, null, PING).status()).as("the unified endpoint shares the caller's bucket")
          .isEqualTo(429);

      // Another caller has a bucket of its own, on the unified endpoint too.
      String unified = initialize(http, "/mcp", ADMIN, "2025-06-18");
      for (int i = 0; i < 4; i++) {
        assertThat(post(http, "/mcp", ADMIN, unified, "2025-06-18", PING).status()).isEqualTo(200);
      }
      assertThat(post(http, "/mcp", ADMIN, unified, "2025-06-18", PING).status()).isEqualTo(429);
    } finally {
      running.stop();
    }
  }

  @Test
  void closeNeedsTheAdminKeyAndPassesTheOriginChecks() throws Exception {
    GatewayRunner.Running running = GatewayRunner.start(config().build(), "127.0.0.1", 0, false);
    try {
      McpHttp http = new McpHttp("http://127.0.0.1:" + running.port);
      McpHttp.Answer notAdmin = http.send("POST", "/close", "", "Authorization", KEY);
      assertThat(notAdmin.status()).isEqualTo(403);
      assertThat(notAdmin.body()).contains("not an admin key");
      McpHttp.Answer fromAPage = http.send("POST", "/close", "", "Authorization", ADMIN, "Origin", "https://evil.example");
      assertThat(fromAPage.status()).isEqualTo(403);
      RawHttpExchange.Raw rebound = RawHttpExchange.exchange(running.port,
          "POST /close HTTP/1.1\r\nHost: attacker.example\r\nAuthorization: " + ADMIN
          + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      assertThat(rebound.status()).as("a DNS-rebound page on a loopback listener").isEqualTo(403);
      McpHttp.Answer noKey = http.send("POST", "/close", "");
      assertThat(noKey.status()).isEqualTo(401);
      assertThat(running.gateway.isClosed()).isFalse();
      McpHttp.Answer closed = http.send("POST", "/close", "", "Authorization", ADMIN);
      assertThat(closed.status()).isEqualTo(200);
      assertThat(running.gateway.isClosed()).isTrue();
    } finally {
      running.stop();
    }
  }

  @Test
  void closeIsRefusedWithAuthenticationOffUnlessTheOperatorAllowedIt() throws Exception {
    GatewayConfig open = GatewayConfig.builder()
        .server(RecordingServer.config("rec", dir.resolve("received.jsonl"), List.of("allowed_echo"))).build();
    GatewayRunner.Running running = GatewayRunner.start(open, "127.0.0.1", 0, false);
    try {
      McpHttp.Answer refused = new McpHttp("http://127.0.0.1:" + running.port).send("POST", "/close", "");
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.body()).contains("closeWithoutAuthentication");
      assertThat(running.gateway.isClosed()).isFalse();
    } finally {
      running.stop();
    }
    GatewayRunner.Running allowed = GatewayRunner.start(open.toBuilder().closeWithoutAuthentication(true).build(), "127.0.0.1", 0,
        false);
    try {
      McpHttp http = new McpHttp("http://127.0.0.1:" + allowed.port);
      assertThat(http.send("POST", "/close", "", "Origin", "https://evil.example").status()).isEqualTo(403);
      assertThat(http.send("POST", "/close", "").status()).isEqualTo(200);
    } finally {
      allowed.stop();
    }
  }

  @Test
  void aCallerHoldsAtMostItsShareOfSessions() throws Exception {
    GatewayRunner.Running running = GatewayRunner.start(config().maxSessionsPerCaller(3).build(), "127.0.0.1", 0, false);
    try {
      McpHttp http = new McpHttp("http://127.0.0.1:" + running.port);
      String first = initialize(http, "/mcp/rec", KEY, "2025-06-18");
      initialize(http, "/mcp/rec", KEY, "2025-06-18");
      initialize(http, "/mcp/rec", KEY, "2025-06-18");
      McpHttp.Answer fourth = post(http, "/mcp/rec", KEY, null, null, McpHttp.initializeBody());
      assertThat(fourth.status()).isEqualTo(429);
      assertThat(fourth.body()).contains("at most 3");
      initialize(http, "/mcp/rec", ADMIN, "2025-06-18"); // another caller is not held back
      assertThat(http.send("DELETE", "/mcp/rec", null, "Authorization", KEY, "Mcp-Session-Id", first).status()).isEqualTo(200);
      initialize(http, "/mcp/rec", KEY, "2025-06-18");
    } finally {
      running.stop();
    }
  }

  @Test
  void identifiersAreCappedAndAuditLinesBounded() throws Exception {
    GatewayRunner.Running running = GatewayRunner.start(config().build(), "127.0.0.1", 0, false);
    try {
      McpHttp http = new McpHttp("http://127.0.0.1:" + running.port);
      String session = initialize(http, "/mcp/rec", KEY, "2025-06-18");
      String longName = "z".repeat(1_000_000);
      McpHttp.Answer named = post(http, "/mcp/rec", KEY, session, "2025-06-18", call(1, longName, "x"));
      assertThat(named.status()).isEqualTo(400);
      assertThat(named.body()).contains("1 to 256 characters").doesNotContain("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
      McpHttp.Answer longId = post(http, "/mcp/rec", KEY, session, "2025-06-18",
          "{\"jsonrpc\":\"2.0\",\"id\":\"" + "i".repeat(100_000) + "\",\"method\":\"ping\"}");
      assertThat(longId.status()).isEqualTo(400);
      assertThat(longId.body()).contains("longer than 256").hasSizeLessThan(1000);
      // 100,000 arguments of 50 characters: far over the audit line's bound for parameters.
      StringBuilder arguments = new StringBuilder("{\"name\":\"allowed_echo\",\"arguments\":{\"text\":\"t\"");
      for (int i = 0; i < 20_000; i++) {
        arguments.append(",\"k").append(i).append("\":\"").append("v".repeat(50)).append('"');
      }
      arguments.append("}}");
      McpHttp.Answer big = post(http, "/mcp/rec", KEY, session, "2025-06-18",
          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":" + arguments + "}");
      assertThat(big.status()).isEqualTo(200);
      List<String> lines = Files.readAllLines(dir.resolve("audit.jsonl"), StandardCharsets.UTF_8);
      assertThat(lines).isNotEmpty();
      for (String line : lines) {
        assertThat(line.length()).as("audit line %s...", line.substring(0, Math.min(200, line.length()))).isLessThan(12_000);
        assertThat(line).doesNotContain("z".repeat(300)).doesNotContain("i".repeat(300));
      }
      assertThat(lines).anyMatch(line -> line.contains("mcp.tool.invocation") && line.contains("\"truncated\""));
      assertThat(lines).anyMatch(line -> line.contains("access.denied") && line.contains("1 to 256"));
    } finally {
      running.stop();
    }
  }

  @Test
  void healthShowsACodeButNeverTheBackendsErrorText() throws Exception {
    String secretish = "/nonexistent/token-ghp_abcdefghijklmnopqrstuvwxyz0123456789";
    GatewayConfig config = config().server(ServerConfig.command(secretish).build("broken")).build();
    GatewayRunner.Running running = GatewayRunner.start(config, "127.0.0.1", 0, false);
    try {
      McpHttp http = new McpHttp("http://127.0.0.1:" + running.port);
      McpHttp.Answer failed = post(http, "/mcp/broken", KEY, null, null, McpHttp.initializeBody());
      assertThat(failed.status()).isEqualTo(503);
      McpHttp.Answer health = http.send("GET", "/health", null);
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().path("servers").path("broken").path("error").asText()).isEqualTo("start_failed");
      assertThat(health.body()).doesNotContain("nonexistent").doesNotContain("ghp_");
    } finally {
      running.stop();
    }
  }

  @Test
  void anInitializeRacingARevocationOrAnExpiryLeavesNoBackend() throws Exception {
    for (String race : List.of("revoked", "expired")) {
      ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder().key("racer", KEY).build();
      RacingStore store = new RacingStore(SessionStore.caffeine(Duration.ofMinutes(30), 100));
      GatewayConfig config = GatewayConfig.builder()
          .server(RecordingServer.config("rec", dir.resolve(race + ".jsonl"), List.of("allowed_echo"))).build();
      McpGateway gateway = McpGateway.builder(config).authenticator(keys).sessionStore(store)
          .launcher(BackendKind.COMMAND, BackendLauncher.process()).build();
      try (LoopbackGateway served = LoopbackGateway.serve(gateway)) {
        McpHttp http = new McpHttp("http://127.0.0.1:" + served.port());
        // The revocation or expiry lands just as the session reaches the store: the window between
        // authentication and the backend's join that a real race would hit by chance.
        store.onAdd = session -> {
          if (race.equals("revoked")) {
            keys.revokeKey("racer");
          } else {
            store.afterAdd = () -> store.remove(session.id());
          }
        };
        McpHttp.Answer answer = post(http, "/mcp/rec", KEY, null, null, McpHttp.initializeBody());
        assertThat(answer.status()).as("%s: %s", race, answer.body()).isIn(401, 404);
        assertThat(gateway.stats().activeSessions()).as(race).isZero();
        awaitNoBackend(gateway, race);
      }
    }
  }

  private static void awaitNoBackend(McpGateway gateway, String race) {
    Await.until(Duration.ofSeconds(20), race + ": no backend is left running", gateway::stats,
        stats -> stats.activeBackends() == 0 && childJavaProcesses() == 0);
  }

  private static long childJavaProcesses() {
    return ProcessHandle.current().descendants().filter(p -> p.info().commandLine().orElse("")
        .contains(RecordingServer.class.getName())).count();
  }

  /** A session store that lets the test act right when a session is added. */
  private static final class RacingStore implements SessionStore {
    private final SessionStore delegate;
    volatile Consumer<McpSession> onAdd = session -> {};
    volatile Runnable afterAdd = () -> {};

    RacingStore(SessionStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onRemoval(RemovalListener listener) {
      delegate.onRemoval(listener);
    }

    @Override
    public boolean add(McpSession session) {
      onAdd.accept(session);
      boolean added = delegate.add(session);
      afterAdd.run();
      return added;
    }

    @Override
    public Optional<McpSession> get(String sessionId) {
      return delegate.get(sessionId);
    }

    @Override
    public boolean update(McpSession session) {
      return delegate.update(session);
    }

    @Override
    public void remove(String sessionId) {
      delegate.remove(sessionId);
    }

    @Override
    public Collection<McpSession> sessions() {
      return delegate.sessions();
    }

    @Override
    public int size() {
      return delegate.size();
    }

    @Override
    public void cleanUp() {
      delegate.cleanUp();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
