package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.audit.AuditLog;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interceptor chain inside a real gateway, in front of a real child-process backend. */
class InterceptorChainTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path temp;
  private McpGateway gateway;

  private static GatewayConfig config() {
    List<String> command = StdioTestServer.commandLine();
    return GatewayConfig.builder()
        .toolTimeout(Duration.ofSeconds(10))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
  }

  private TestClient start(List<Interceptor> chain) {
    gateway = McpGateway.builder(config())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .interceptors(chain)
        .build();
    TestClient client = new TestClient(gateway, "test", "Bearer key-one");
    client.initialize();
    return client;
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  /** Records what it sees, under its name. */
  static final class Recording implements Interceptor {
    final String name;
    final List<String> seen;

    Recording(String name, List<String> seen) {
      this.name = name;
      this.seen = seen;
    }

    @Override
    public Verdict onRequest(McpCall call) {
      seen.add(name + " request " + call.method() + " " + FakeCall.json(call.arguments()));
      return Verdict.pass();
    }

    @Override
    public Verdict onResponse(McpCall call, McpResult result) {
      seen.add(name + " answer " + call.method());
      return Verdict.pass();
    }

    @Override
    public void onDenied(McpCall call, String reason) {
      seen.add(name + " denied " + reason);
    }
  }

  @Test
  void runsRequestsFirstToLastAndAnswersLastToFirst() {
    List<String> seen = new CopyOnWriteArrayList<>();
    TestClient client = start(List.of(new Recording("a", seen), new Recording("b", seen), new Recording("c", seen)));
    assertThat(client.callTool("echo", "{\"message\":\"hi\"}")).isEqualTo("hi");
    assertThat(seen).containsExactly(
        "a request tools/call {\"message\":\"hi\"}", "b request tools/call {\"message\":\"hi\"}",
        "c request tools/call {\"message\":\"hi\"}", "c answer tools/call", "b answer tools/call", "a answer tools/call");
  }

  @Test
  void aCustomInterceptorThatChangesParamsIsWhatTheBackendSees() {
    Interceptor shout = new Interceptor() {
      @Override
      public Verdict onRequest(McpCall call) {
        call.arguments().computeIfPresent("message", (k, v) -> v.toString().toUpperCase());
        return Verdict.pass();
      }
    };
    TestClient client = start(List.of(shout));
    assertThat(client.callTool("echo", "{\"message\":\"quiet please\"}")).isEqualTo("QUIET PLEASE");
  }

  @Test
  void slowAnswerInterceptorsMoveOffTheBackendReaderSoOtherAnswersAreNotHeldUp() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch sleepSent = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
    Interceptor slow = new Interceptor() {
      @Override
      public Verdict onRequest(McpCall call) {
        if (call.toolName().orElse("").equals("sleep")) {
          sleepSent.countDown(); // the same thread sends it to the backend right after the chain
        }
        return Verdict.pass();
      }

      @Override
      public Verdict onResponse(McpCall call, McpResult result) {
        Object message = call.arguments().get("message");
        try {
          if ("warm".equals(message)) {
            Thread.sleep(10); // answers now count as slow: the next ones with others waiting move off the reader
          } else if ("hold".equals(message)) {
            holding.countDown();
            release.await(30, java.util.concurrent.TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return Verdict.pass();
      }
    };
    TestClient a = start(List.of(slow));
    TestClient b = new TestClient(gateway, "test", "Bearer key-one"); // same key: same backend, same reader
    b.initialize();
    TestClient c = new TestClient(gateway, "test", "Bearer key-one");
    c.initialize();
    assertThat(a.callTool("echo", "{\"message\":\"warm\"}")).isEqualTo("warm");
    java.util.concurrent.CompletableFuture<String> sleeping =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> b.callTool("sleep", "{\"ms\":5000}"));
    // b's call waits 5 s at the backend: from now on the reader has other calls in flight
    assertThat(sleepSent.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    java.util.concurrent.CompletableFuture<String> held =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> a.callTool("echo", "{\"message\":\"hold\"}"));
    assertThat(holding.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the held answer reached its interceptor").isTrue();
    try {
      long start = System.nanoTime();
      assertThat(c.callTool("echo", "{\"message\":\"fast\"}")).isEqualTo("fast");
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
      assertThat(held).as("the held answer is still in its interceptor").isNotDone();
    } finally {
      release.countDown();
    }
    assertThat(held.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("hold");
    assertThat(sleeping.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("slept");
  }

  @Test
  void aCustomInterceptorCanChangeTheAnswer() {
    Interceptor stamp = new Interceptor() {
      @Override
      @SuppressWarnings("unchecked")
      public Verdict onResponse(McpCall call, McpResult result) {
        result.result().ifPresent(r -> ((List<Map<String, Object>>) r.getOrDefault("content", List.of()))
            .forEach(item -> item.put("text", item.get("text") + " (checked)")));
        return Verdict.pass();
      }
    };
    assertThat(start(List.of(stamp)).callTool("echo", "{\"message\":\"hi\"}")).isEqualTo("hi (checked)");
  }

  @Test
  void aDenialIsAJsonRpcErrorWithTheReasonAndHttp200() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    Interceptor no = new Interceptor() {
      @Override
      public Verdict onRequest(McpCall call) {
        return call.toolName().isPresent() ? Verdict.deny("echo is closed today") : Verdict.pass();
      }
    };
    TestClient client = start(List.of(new Recording("before", seen), no, new Recording("after", seen)));
    GatewayResponse response = client.post("{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"x\"}}}");
    assertThat(response.status()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.bodyText());
    assertThat(body.path("id").asInt()).isEqualTo(41);
    assertThat(body.path("error").path("code").asInt()).isEqualTo(-32003);
    assertThat(body.path("error").path("message").asText()).isEqualTo("echo is closed today");
    assertThat(seen).containsExactly("before request tools/call {\"message\":\"x\"}", "before denied echo is closed today",
        "after denied echo is closed today");

    GatewayResponse sse = client.send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Accept", "text/event-stream")
        .body("{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}"));
    assertThat(sse.status()).isEqualTo(200);
    assertThat(sse.stream()).isPresent();
    assertThat(JSON.readTree(TestClient.bodyOf(sse)).path("error").path("message").asText()).isEqualTo("echo is closed today");
  }

  @Test
  void anInterceptorThatThrowsOnARequestFailsClosedAndTheBackendNeverSeesIt() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    Interceptor broken = new Interceptor() {
      @Override
      public Verdict onRequest(McpCall call) {
        throw new IllegalStateException("bug in a policy");
      }
    };
    TestClient client = start(List.of(new Recording("before", seen), broken, new Recording("after", seen)));
    GatewayResponse response = client.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"pid\",\"arguments\":{}}}");
    assertThat(response.status()).isEqualTo(200);
    JsonNode error = JSON.readTree(response.bodyText()).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(-32003);
    assertThat(error.path("message").asText()).isEqualTo("request refused: a gateway policy check failed");
    assertThat(seen).noneMatch(line -> line.startsWith("after request"));
    assertThat(seen).contains("before denied request refused: a gateway policy check failed");
  }

  @Test
  void anInterceptorThatThrowsOnAnAnswerWithholdsIt() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    Interceptor broken = new Interceptor() {
      @Override
      public Verdict onResponse(McpCall call, McpResult result) {
        throw new IllegalStateException("bug in a policy");
      }
    };
    TestClient client = start(List.of(new Recording("first", seen), broken));
    GatewayResponse response = client.post("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"do not show me\"}}}");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.bodyText()).doesNotContain("do not show me");
    JsonNode body = JSON.readTree(response.bodyText());
    assertThat(body.path("id").asInt()).isEqualTo(8);
    assertThat(body.path("error").path("message").asText()).isEqualTo("answer withheld: a gateway policy check failed");
    assertThat(seen).contains("first denied answer withheld: a gateway policy check failed");
    assertThat(seen).noneMatch(line -> line.equals("first answer tools/call"));
  }

  @Test
  void theDefaultChainAuditsRefusesAndRedactsAndTheAuditFileHoldsJsonLines() throws Exception {
    Path auditFile = temp.resolve("audit.jsonl");
    GatewayConfig limited = GatewayConfig.builder().auditFile(auditFile).toolTimeout(Duration.ofSeconds(10))
        .server(config().servers().get("test").toBuilder().tools(List.of("echo", "env")).passEnv("POLICY_TEST_SECRET").build("test"))
        .build();
    gateway = McpGateway.builder(limited)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .environment(Map.of("POLICY_TEST_SECRET", "env-secret-0123456789")::get)
        .build();
    TestClient client = new TestClient(gateway, "test", null);
    client.initialize();
    assertThat(client.callTool("env", "{\"name\":\"POLICY_TEST_SECRET\"}")).isEqualTo("[REDACTED:secret]");
    assertThat(client.callTool("pid", "{}")).isEqualTo("error: tool 'pid' is not allowed on server 'test'");
    gateway.close();

    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(auditFile)) {
      lines.add(JSON.readTree(line));
    }
    assertThat(lines).extracting(l -> l.path("event").asText())
        .contains("config.loaded", "auth.success", "mcp.server.start", "mcp.tool.invocation", "access.denied", "mcp.server.stop");
    assertThat(lines).allSatisfy(line -> assertThat(line.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"));
    JsonNode invocation = lines.stream().filter(l -> l.path("event").asText().equals("mcp.tool.invocation")).findFirst().orElseThrow();
    assertThat(invocation.path("server").asText()).isEqualTo("test");
    assertThat(invocation.path("tool").asText()).isEqualTo("env");
    assertThat(invocation.path("parameters").path("name").asText()).isEqualTo("POLICY_TEST_SECRET");
    assertThat(invocation.path("result").asText()).isEqualTo("success");
    assertThat(invocation.path("duration_ms").isIntegralNumber()).isTrue();
    assertThat(invocation.path("identity").asText()).isEqualTo("anonymous");
    assertThat(invocation.path("redactions").path("secret").asInt()).isEqualTo(1);
    JsonNode denied = lines.stream().filter(l -> l.path("event").asText().equals("access.denied")).findFirst().orElseThrow();
    assertThat(denied.path("tool").asText()).isEqualTo("pid");
    assertThat(denied.path("reason").asText()).contains("not allowed");
    assertThat(Files.readString(auditFile)).doesNotContain("env-secret-0123456789");
    if (auditFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(auditFile))).isEqualTo("rw-------");
    }
  }

  @Test
  void theAuditLogNeverWritesSecretsFromParameters() throws Exception {
    Path auditFile = temp.resolve("audit.jsonl");
    AuditLog audit = AuditLog.builder().file(auditFile).secrets("test", List.of("exact-secret-value")).build();
    TestClient client = start(List.of(audit));
    String token = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";
    client.callTool("echo", "{\"message\":\"" + token + " and exact-secret-value and " + "x".repeat(1000) + "\"}");
    gateway.close();
    String text = Files.readString(auditFile);
    assertThat(text).doesNotContain(token).doesNotContain("exact-secret-value").doesNotContain("x".repeat(300));
    assertThat(text).contains("[REDACTED:github-token]").contains("[REDACTED:secret]");
  }
}
