package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Protocol revision 2026-07-28 on the routed endpoint, against a real session-based backend on
 * stdio: the request checks, the results' shape, and the bridge that turns the backend's server
 * requests into multi-round-trip requests, with what an attacker tries against it (altered,
 * replayed, foreign and misplaced states, undeclared capabilities).
 */
class StatelessRevisionTest {
  static final String VERSION = "2026-07-28";

  /** Two callers, "alice" and "bob", by their keys. */
  private static final class TwoCallers implements Authenticator {
    @Override
    public AuthResult authenticate(AuthRequest request) {
      Optional<String> key = request.authorization();
      if (key.isPresent() && (key.get().equals("alice-key") || key.get().equals("bob-key"))) {
        return AuthResult.success(Identity.of(key.get().replace("-key", ""), key.get()));
      }
      return AuthResult.denied(401, "authentication failed: invalid API key");
    }
  }

  private final McpGateway gateway;
  private long nextId = 100;

  StatelessRevisionTest() {
    List<String> command = StdioTestServer.commandLine();
    gateway = McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
            .build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(new TwoCallers())
        .unifiedEndpoint(true)
        .build();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  /** A stateless request with conformant headers; {@code headers} override or add. */
  private GatewayResponse send(String key, String method, String params, String capabilities, Map<String, String> headers) {
    return send("/mcp/test", key, method, params, capabilities, headers);
  }

  private GatewayResponse send(String path, String key, String method, String params, String capabilities, Map<String, String> headers) {
    return send(path, key, method, params, capabilities, headers, "");
  }

  /** {@code extraMeta}: more members of {@code _meta}, each followed by a comma. */
  private GatewayResponse send(String path, String key, String method, String params, String capabilities, Map<String, String> headers,
      String extraMeta) {
    long id = ++nextId;
    String meta = "\"_meta\":{" + extraMeta + "\"io.modelcontextprotocol/protocolVersion\":\"" + VERSION + "\","
        + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"},"
        + "\"io.modelcontextprotocol/clientCapabilities\":" + capabilities + "}";
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":{"
        + (params.isEmpty() ? meta : params + "," + meta) + "}}";
    GatewayRequest.Builder request = GatewayRequest.post(path)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Authorization", key)
        .remoteAddress("127.0.0.1:40000")
        .body(body);
    java.util.Map<String, String> all = new java.util.LinkedHashMap<>();
    all.put("MCP-Protocol-Version", VERSION);
    all.put("Mcp-Method", method);
    JsonNode parsed = TestClient.parse(body).path("params");
    if (parsed.has("name")) {
      all.put("Mcp-Name", parsed.get("name").asText());
    }
    all.putAll(headers);
    all.forEach((name, value) -> {
      if (value != null) {
        request.header(name, value);
      }
    });
    return Await.result(gateway.handle(request.build()));
  }

  private JsonNode call(String key, String method, String params, String capabilities) {
    return TestClient.parse(TestClient.bodyOf(send(key, method, params, capabilities, Map.of())));
  }

  private static String sampled(String text) {
    return "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"" + text + "\"},\"model\":\"m\",\"stopReason\":\"endTurn\"}";
  }

  @Test
  void listResultsCarryTheRevisionsFieldsAndNoSessionIsMinted() {
    GatewayResponse response = send("alice-key", "tools/list", "", "{}", Map.of());

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers()).doesNotContainKey("Mcp-Session-Id");
    JsonNode result = TestClient.parse(TestClient.bodyOf(response)).path("result");
    assertThat(result.path("resultType").asText()).isEqualTo("complete");
    assertThat(result.path("ttlMs").isIntegralNumber()).isTrue();
    assertThat(result.path("cacheScope").asText()).isEqualTo("private");
    assertThat(result.path("_meta").path("io.modelcontextprotocol/serverInfo").path("name").asText()).isNotEmpty();
    assertThat(result.path("tools").size()).isGreaterThan(5);
  }

  @Test
  void discoverAnswersTheBackendsCapabilitiesAndTheRevisions() {
    JsonNode result = call("alice-key", "server/discover", "", "{}").path("result");

    assertThat(result.path("supportedVersions").toString()).contains(VERSION, "2025-11-25");
    assertThat(result.path("capabilities").has("tools")).isTrue();
    assertThat(result.path("resultType").asText()).isEqualTo("complete");
  }

  @Test
  void badRequestsAreRefusedWithTheRevisionsCodesAndTheirIds() {
    GatewayResponse noMeta = Await.result(gateway.handle(GatewayRequest.post("/mcp/test")
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .header("Authorization", "alice-key").header("MCP-Protocol-Version", VERSION).header("Mcp-Method", "tools/list")
        .body("{\"jsonrpc\":\"2.0\",\"id\":\"x-7\",\"method\":\"tools/list\",\"params\":{}}").build()));
    assertThat(noMeta.status()).isEqualTo(400);
    JsonNode error = TestClient.parse(noMeta.bodyText());
    assertThat(error.path("id").asText()).isEqualTo("x-7");
    assertThat(error.path("error").path("code").asInt()).isEqualTo(-32602);

    GatewayResponse wrongMethod = send("alice-key", "tools/list", "", "{}", Map.of("Mcp-Method", "prompts/list"));
    assertThat(wrongMethod.status()).isEqualTo(400);
    assertThat(TestClient.parse(wrongMethod.bodyText()).path("error").path("code").asInt()).isEqualTo(-32020);

    GatewayResponse noVersionHeader = send("alice-key", "tools/list", "", "{}", java.util.Collections.singletonMap("MCP-Protocol-Version", null));
    assertThat(TestClient.parse(noVersionHeader.bodyText()).path("error").path("code").asInt()).isEqualTo(-32020);

    GatewayResponse wrongName = send("alice-key", "tools/call", "\"name\":\"echo\",\"arguments\":{}", "{}", Map.of("Mcp-Name", "pid"));
    assertThat(TestClient.parse(wrongName.bodyText()).path("error").path("code").asInt()).isEqualTo(-32020);

    String encoded = "=?base64?" + Base64.getEncoder().encodeToString("echo".getBytes(StandardCharsets.UTF_8)) + "?=";
    JsonNode encodedName = TestClient.parse(TestClient.bodyOf(send("alice-key", "tools/call",
        "\"name\":\"echo\",\"arguments\":{\"message\":\"hi\"}", "{}", Map.of("Mcp-Name", encoded))));
    assertThat(encodedName.path("result").path("content").path(0).path("text").asText()).isEqualTo("hi");

    GatewayResponse removed = send("alice-key", "ping", "", "{}", Map.of());
    assertThat(removed.status()).isEqualTo(404);
    assertThat(TestClient.parse(removed.bodyText()).path("error").path("code").asInt()).isEqualTo(-32601);

    GatewayResponse get = Await.result(gateway.handle(GatewayRequest.get("/mcp/test").header("Authorization", "alice-key")
        .header("Accept", "text/event-stream").header("MCP-Protocol-Version", VERSION).build()));
    assertThat(get.status()).isEqualTo(405);
  }

  @Test
  void anUnsupportedVersionIsAnsweredWithTheSupportedOnes() {
    GatewayResponse response = Await.result(gateway.handle(GatewayRequest.post("/mcp/test")
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .header("Authorization", "alice-key").header("MCP-Protocol-Version", "2099-01-01").header("Mcp-Method", "tools/list")
        .body("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
            + "\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}")
        .build()));

    assertThat(response.status()).isEqualTo(400);
    JsonNode error = TestClient.parse(response.bodyText()).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(-32022);
    assertThat(error.path("data").path("supported").toString()).contains(VERSION);
    assertThat(error.path("data").path("requested").asText()).isEqualTo("2099-01-01");
  }

  @Test
  void aBackendsServerRequestBecomesAnInputRequestAndTheRetryFinishesTheCall() {
    JsonNode first = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{\"prompt\":\"capital?\"}", "{\"sampling\":{}}");
    JsonNode result = first.path("result");
    assertThat(result.path("resultType").asText()).isEqualTo("input_required");
    String key = result.path("inputRequests").fieldNames().next();
    assertThat(key).startsWith("srv-"); // the backend's own string id names the input
    assertThat(result.path("inputRequests").path(key).path("method").asText()).isEqualTo("sampling/createMessage");
    String state = result.path("requestState").asText();

    JsonNode done = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{\"prompt\":\"capital?\"},"
        + "\"requestState\":\"" + state + "\",\"inputResponses\":{\"" + key + "\":" + sampled("Paris") + ",\"extra\":{}}",
        "{\"sampling\":{}}");

    assertThat(done.path("result").path("resultType").asText()).isEqualTo("complete");
    assertThat(done.path("result").path("content").path(0).path("text").asText()).isEqualTo("Paris");
  }

  @Test
  void aRetryWithoutTheResponseIsAskedAgainAndAStateServesOnce() {
    JsonNode first = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{}", "{\"sampling\":{}}").path("result");
    String key = first.path("inputRequests").fieldNames().next();
    String state = first.path("requestState").asText();

    JsonNode again = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{},\"requestState\":\"" + state
        + "\",\"inputResponses\":{}", "{\"sampling\":{}}").path("result");
    assertThat(again.path("resultType").asText()).isEqualTo("input_required");
    assertThat(again.path("inputRequests").has(key)).isTrue();

    // the first state continued its call once already
    JsonNode replayed = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{},\"requestState\":\"" + state
        + "\",\"inputResponses\":{\"" + key + "\":" + sampled("x") + "}", "{\"sampling\":{}}");
    assertThat(replayed.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(replayed.path("error").path("message").asText()).contains("used already");
  }

  @Test
  void anAlteredStateIsRefusedAndItsCallCancelledAtTheBackend() {
    JsonNode first = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{}", "{\"sampling\":{}}").path("result");
    String state = first.path("requestState").asText();
    String key = first.path("inputRequests").fieldNames().next();

    JsonNode tampered = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{},\"requestState\":\"" + state
        + "-TAMPERED\",\"inputResponses\":{\"" + key + "\":" + sampled("x") + "}", "{\"sampling\":{}}");
    assertThat(tampered.path("error").path("code").asInt()).isEqualTo(-32602);

    // the parked call is gone: the genuine state now finds nothing to continue
    JsonNode genuine = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{},\"requestState\":\"" + state
        + "\",\"inputResponses\":{\"" + key + "\":" + sampled("x") + "}", "{\"sampling\":{}}");
    assertThat(genuine.path("error").path("message").asText()).contains("ended");
    // the backend heard notifications/cancelled (asked of the instance that ran the call: same capabilities)
    Await.until(Duration.ofSeconds(10), "the backend hears the cancellation",
        () -> call("alice-key", "tools/call", "\"name\":\"cancellations\",\"arguments\":{}", "{\"sampling\":{}}")
            .path("result").path("content").path(0).path("text").asText(), text -> !text.isEmpty());
  }

  @Test
  void anotherCallersStateOrAnotherRequestsIsRefused() {
    JsonNode first = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{\"prompt\":\"a\"}", "{\"sampling\":{}}")
        .path("result");
    String state = first.path("requestState").asText();
    String key = first.path("inputRequests").fieldNames().next();

    JsonNode foreign = call("bob-key", "tools/call", "\"name\":\"sample\",\"arguments\":{\"prompt\":\"a\"},\"requestState\":\""
        + state + "\",\"inputResponses\":{\"" + key + "\":" + sampled("x") + "}", "{\"sampling\":{}}");
    assertThat(foreign.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(foreign.path("error").path("message").asText()).contains("another caller");

    JsonNode second = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{\"prompt\":\"b\"}", "{\"sampling\":{}}")
        .path("result");
    JsonNode misplaced = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{\"prompt\":\"c\"},\"requestState\":\""
        + second.path("requestState").asText() + "\",\"inputResponses\":{}", "{\"sampling\":{}}");
    assertThat(misplaced.path("error").path("message").asText()).contains("another request");
  }

  @Test
  void aToolThatNeedsAnUndeclaredCapabilityEndsWithMissingRequiredClientCapability() {
    GatewayResponse response = send("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{}", "{}", Map.of());

    assertThat(response.status()).isEqualTo(400);
    JsonNode error = TestClient.parse(TestClient.bodyOf(response)).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(-32021);
    assertThat(error.path("data").path("requiredCapabilities").path("sampling").isObject()).isTrue();
  }

  @Test
  void inputResponsesThatAreNotResultsAreRefused() {
    JsonNode numbers = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{},\"inputResponses\":{\"a\":1}", "{\"sampling\":{}}");
    assertThat(numbers.path("error").path("code").asInt()).isEqualTo(-32602);
    JsonNode nothing = call("alice-key", "tools/call", "\"name\":\"sample\",\"arguments\":{},\"inputResponses\":null", "{\"sampling\":{}}");
    assertThat(nothing.path("error").path("code").asInt()).isEqualTo(-32602);
  }

  @Test
  void theUnifiedEndpointListsPrefixedNamesAndBridgesTheirCalls() {
    JsonNode tools = TestClient.parse(TestClient.bodyOf(send("/mcp", "alice-key", "tools/list", "", "{}", Map.of()))).path("result");
    assertThat(tools.path("tools").toString()).contains("test___echo", "test___sample");
    assertThat(tools.path("cacheScope").asText()).isEqualTo("private");

    JsonNode first = TestClient.parse(TestClient.bodyOf(send("/mcp", "alice-key", "tools/call",
        "\"name\":\"test___sample\",\"arguments\":{}", "{\"sampling\":{}}", Map.of()))).path("result");
    assertThat(first.path("resultType").asText()).isEqualTo("input_required");
    String key = first.path("inputRequests").fieldNames().next();
    JsonNode done = TestClient.parse(TestClient.bodyOf(send("/mcp", "alice-key", "tools/call",
        "\"name\":\"test___sample\",\"arguments\":{},\"requestState\":\"" + first.path("requestState").asText()
            + "\",\"inputResponses\":{\"" + key + "\":" + sampled("via unified") + "}", "{\"sampling\":{}}", Map.of())));
    assertThat(done.path("result").path("content").path(0).path("text").asText()).isEqualTo("via unified");

    GatewayResponse listen = send("/mcp", "alice-key", "resources/list", "", "{}", Map.of());
    assertThat(listen.status()).isEqualTo(404);
  }

  @Test
  void aListenStreamIsAcknowledgedAndCarriesTheBackendsChangesTaggedWithItsId() throws Exception {
    GatewayResponse listen = send("alice-key", "subscriptions/listen",
        "\"notifications\":{\"resourcesListChanged\":true,\"toolsListChanged\":true}", "{}", Map.of());
    assertThat(listen.status()).isEqualTo(200);
    java.util.concurrent.BlockingQueue<String> events = new java.util.concurrent.LinkedBlockingQueue<>();
    listen.stream().orElseThrow().open(new dev.mcpgateway.EventStream.EventSink() {
      @Override
      public void write(byte[] sse) {
        for (String line : new String(sse, StandardCharsets.UTF_8).split("\n")) {
          if (line.startsWith("data: ") && line.length() > 6) {
            events.add(line.substring(6));
          }
        }
      }

      @Override
      public void close() {}
    });
    JsonNode ack = TestClient.parse(events.poll(10, java.util.concurrent.TimeUnit.SECONDS));
    assertThat(ack.path("method").asText()).isEqualTo("notifications/subscriptions/acknowledged");
    long subscription = ack.path("params").path("_meta").path("io.modelcontextprotocol/subscriptionId").asLong();
    assertThat(subscription).isPositive();

    // another request of the caller makes the backend announce a change
    call("alice-key", "tools/call", "\"name\":\"broadcast\",\"arguments\":{\"uri\":\"test://changed\"}", "{}");

    JsonNode change = TestClient.parse(events.poll(10, java.util.concurrent.TimeUnit.SECONDS));
    assertThat(change.path("method").asText()).isEqualTo("notifications/resources/list_changed");
    assertThat(change.path("params").path("_meta").path("io.modelcontextprotocol/subscriptionId").asLong()).isEqualTo(subscription);
  }

  @Test
  void mirroredArgumentHeadersMustAgreeWithTheArguments() {
    send("alice-key", "tools/list", "", "{}", Map.of()); // the gateway learns which arguments are mirrored
    String args = "\"name\":\"mirrored\",\"arguments\":{\"region\":\"us-west1\",\"count\":42,\"where\":{\"zone\":\"b\"}}";

    GatewayResponse agreeing = send("alice-key", "tools/call", args, "{}",
        Map.of("Mcp-Param-Region", "us-west1", "Mcp-Param-Count", "42.0", "Mcp-Param-Zone", "=?base64?Yg==?="));
    assertThat(TestClient.parse(TestClient.bodyOf(agreeing)).path("result").path("content").path(0).path("text").asText())
        .isEqualTo("mirrored us-west1");

    GatewayResponse wrong = send("alice-key", "tools/call", args, "{}",
        Map.of("Mcp-Param-Region", "eu-west1", "Mcp-Param-Count", "42", "Mcp-Param-Zone", "b"));
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(TestClient.parse(wrong.bodyText()).path("error").path("code").asInt()).isEqualTo(-32020);

    GatewayResponse missing = send("alice-key", "tools/call", args, "{}", Map.of("Mcp-Param-Region", "us-west1", "Mcp-Param-Count", "42"));
    assertThat(TestClient.parse(missing.bodyText()).path("error").path("message").asText()).contains("Mcp-Param-zone");

    GatewayResponse raw = send("alice-key", "tools/call", args, "{}",
        Map.of("Mcp-Param-Region", "us-west1", "Mcp-Param-Count", "42", "Mcp-Param-Zone", "b\u00e9"));
    assertThat(TestClient.parse(raw.bodyText()).path("error").path("code").asInt()).isEqualTo(-32020);
  }

  @Test
  void closingTheRequestsStreamCancelsTheCallAtTheBackend() throws Exception {
    GatewayResponse response = send("/mcp/test", "alice-key", "tools/call",
        "\"name\":\"progress\",\"arguments\":{\"steps\":1,\"ms\":30000}", "{}", Map.of(), "\"progressToken\":\"p1\",");
    assertThat(response.stream()).isPresent();
    java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
    dev.mcpgateway.EventStream stream = response.stream().get();
    stream.open(new dev.mcpgateway.EventStream.EventSink() {
      @Override
      public void write(byte[] sse) {
        if (new String(sse, StandardCharsets.UTF_8).contains("notifications/progress")) {
          first.countDown();
        }
      }

      @Override
      public void close() {}
    });
    assertThat(first.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    stream.cancel();

    Await.until(Duration.ofSeconds(10), "the backend hears the cancellation",
        () -> call("alice-key", "tools/call", "\"name\":\"cancellations\",\"arguments\":{}", "{}")
            .path("result").path("content").path(0).path("text").asText(), text -> !text.isEmpty());
  }

  @Test
  void logMessagesReachOnlyRequestsThatAskedForALevel() {
    GatewayResponse silent = send("alice-key", "tools/call", "\"name\":\"log\",\"arguments\":{\"text\":\"quiet\"}", "{}", Map.of());
    assertThat(String.join("\n", silentEvents(silent))).doesNotContain("notifications/message");

    GatewayResponse loud = send("/mcp/test", "alice-key", "tools/call", "\"name\":\"log\",\"arguments\":{\"text\":\"loud\"}", "{}",
        Map.of(), "\"io.modelcontextprotocol/logLevel\":\"info\",");
    List<String> events = silentEvents(loud);
    assertThat(events.get(0)).contains("notifications/message", "loud");
    assertThat(events.get(events.size() - 1)).contains("\"result\"");

    GatewayResponse filtered = send("/mcp/test", "alice-key", "tools/call", "\"name\":\"log\",\"arguments\":{\"text\":\"info line\"}",
        "{}", Map.of(), "\"io.modelcontextprotocol/logLevel\":\"error\",");
    assertThat(String.join("\n", silentEvents(filtered))).doesNotContain("info line");
  }

  private static List<String> silentEvents(GatewayResponse response) {
    return response.stream().isPresent() ? TestClient.readEvents(response.stream().get(), Duration.ofSeconds(10))
        : List.of(response.bodyText());
  }

  @Test
  void closingTheGatewayCancelsCallsThatWaitForInputInsteadOfDrainingThem() {
    gateway.close();
    List<String> command = StdioTestServer.commandLine();
    McpGateway draining = McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
            .build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(new TwoCallers())
        .drainTimeout(Duration.ofMinutes(5))
        .build();
    try {
      GatewayResponse parked = Await.result(draining.handle(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
          .header("Accept", "application/json").header("Authorization", "alice-key").header("MCP-Protocol-Version", VERSION)
          .header("Mcp-Method", "tools/call").header("Mcp-Name", "sample").remoteAddress("127.0.0.1:40000")
          .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"sample\",\"arguments\":{},"
              + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + VERSION + "\","
              + "\"io.modelcontextprotocol/clientCapabilities\":{\"sampling\":{}}}}}").build()));
      assertThat(parked.bodyText()).contains("input_required");
      // a drain would wait the whole five minutes for an input that can no longer come
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), draining::close);
    } finally {
      draining.close();
    }
  }

  @Test
  void aServerThatCannotBeReachedAnswers503WithTheRequestsId() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (McpGateway remote = McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.http("http://127.0.0.1:" + closedPort + "/mcp").build("gone"))
            .build())
        .launcher(BackendKind.HTTP, BackendLauncher.http())
        .authenticator(new TwoCallers())
        .build()) {
      GatewayResponse response = Await.result(remote.handle(GatewayRequest.post("/mcp/gone").header("Content-Type", "application/json")
          .header("Accept", "application/json").header("Authorization", "alice-key").header("MCP-Protocol-Version", VERSION)
          .header("Mcp-Method", "tools/list").remoteAddress("127.0.0.1:40000")
          .body("{\"jsonrpc\":\"2.0\",\"id\":\"q-9\",\"method\":\"tools/list\",\"params\":{\"_meta\":{"
              + "\"io.modelcontextprotocol/protocolVersion\":\"" + VERSION + "\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}")
          .build()));

      assertThat(response.status()).isEqualTo(503);
      assertThat(response.headers()).containsKey("Retry-After");
      JsonNode error = TestClient.parse(response.bodyText());
      assertThat(error.path("id").asText()).isEqualTo("q-9");
      assertThat(error.path("error").path("message").asText()).contains("gone");
    }
  }
}
