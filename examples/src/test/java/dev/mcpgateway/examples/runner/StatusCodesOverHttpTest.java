package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.examples.support.DemoServer;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.examples.support.RawHttpExchange;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the contract with clients (DESIGN.md), over real HTTP: the runner's Jetty, the
 * servlet, the gateway with the configured API key, and the demo MCP server as a child process.
 */
class StatusCodesOverHttpTest {
  private static final String KEY = "status-code-test-key-0123456789abcdefghij";
  private static final String PATH = "/mcp/demo";
  private static final String PING = McpHttp.request(5, "ping", null);

  @TempDir
  static Path payloads;
  private static GatewayRunner.Running shared;
  /** Keeps the key's backend up between rows (a row that ends its own session would otherwise take it along). */
  private static McpHttp.Session anchor;
  private GatewayRunner.Running own;

  private static GatewayRunner.Running startRunner() throws Exception {
    return GatewayRunner.start(GatewayConfig.builder()
        .apiKey(KEY)
        .payloadDir(payloads)
        .server(DemoServer.config("demo"))
        .build(), "127.0.0.1", 0);
  }

  private static McpHttp http(GatewayRunner.Running running) {
    return new McpHttp("http://127.0.0.1:" + running.port);
  }

  @BeforeAll
  static void startShared() throws Exception {
    shared = startRunner();
    anchor = http(shared).open(PATH, KEY);
  }

  @AfterAll
  static void stopShared() {
    if (shared != null) {
      shared.stop();
    }
    assertThat(Children.ofThisJvm(DemoServer.MARKER)).as("stopping the runner ends the demo child").isEmpty();
  }

  @AfterEach
  void stopOwn() {
    if (own != null) {
      own.stop();
    }
  }

  /** What a case sees: the client, an open session and the port. */
  record Context(McpHttp http, McpHttp.Session session, int port) {}

  /** One row: what to send, the status, and a fragment the body must contain. */
  record Row(String name, Function<Context, Answer> send, int status, String bodyContains) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Status and body, from either client. */
  record Answer(int status, String body) {
    static Answer of(McpHttp.Answer answer) {
      return new Answer(answer.status(), answer.body());
    }

    static Answer raw(int port, String request) {
      try {
        RawHttpExchange.Raw raw = RawHttpExchange.exchange(port, request);
        return new Answer(raw.status(), raw.text());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static String rawPost(int port, String extraHeaders, String body) {
    return "POST " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
        + "Accept: application/json, text/event-stream\r\nConnection: close\r\n" + extraHeaders
        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
  }

  static Stream<Arguments> contract() {
    return Stream.of(
        new Row("GET /health needs no key: 200 with per-server status",
            c -> Answer.of(c.http().send("GET", "/health", null)), 200, "\"demo\""),
        new Row("no key: 401",
            c -> Answer.of(c.http().post(PATH, null, null, McpHttp.initializeBody())),
            401, "{\"error\":\"authentication failed: missing API key\"}"),
        new Row("a wrong key: 401",
            c -> Answer.of(c.http().post(PATH, "wrong-key", null, McpHttp.initializeBody())),
            401, "{\"error\":\"authentication failed: invalid API key\"}"),
        new Row("the Bearer scheme: 401 with a hint",
            c -> Answer.of(c.http().post(PATH, "Bearer " + KEY, null, McpHttp.initializeBody())),
            401, "not the Bearer scheme"),
        new Row("a wrong key on an unknown path: 401, not 404",
            c -> Answer.of(c.http().send("GET", "/nowhere", null, "Authorization", "wrong-key")), 401, "invalid API key"),
        new Row("Authorization with control characters: 400",
            c -> Answer.raw(c.port(), rawPost(c.port(), "Authorization: abc\u0001def\r\n", McpHttp.initializeBody())),
            // Jetty's parser refuses the line before the servlet sees it; the runner makes that JSON too
            400, "{\"error\":\"bad request: Illegal character CNTL=0x1\"}"),
        new Row("a request line Jetty cannot parse: 400 JSON error",
            c -> Answer.raw(c.port(), "GARBAGE\r\n\r\n"), 400, "{\"error\":\"bad request"),
        new Row("unknown server: 404 JSON error",
            c -> Answer.of(c.http().post("/mcp/nope", KEY, null, McpHttp.initializeBody())),
            404, "unknown server 'nope'"),
        new Row("unknown path: 404",
            c -> Answer.of(c.http().send("GET", "/elsewhere", null, "Authorization", KEY)), 404, "not found"),
        new Row("unknown Mcp-Session-Id: 404",
            c -> Answer.of(c.http().post(PATH, KEY, "made-up-session", PING)), 404, "session not found"),
        new Row("ended Mcp-Session-Id: 404",
            c -> {
              c.session().delete();
              return Answer.of(c.http().post(PATH, KEY, c.session().id, PING));
            }, 404, "session not found"),
        new Row("a request without session id after initialize: 400",
            c -> Answer.of(c.http().post(PATH, KEY, null, PING)), 400, "Mcp-Session-Id header is required"),
        new Row("a body that is not JSON: 400 with -32700",
            c -> Answer.of(c.http().post(PATH, KEY, c.session().id, "{nope")), 400, "-32700"),
        new Row("wrong Content-Type: 415",
            c -> Answer.of(c.http().send("POST", PATH, PING, "Authorization", KEY, "Content-Type", "text/plain",
                "Accept", McpHttp.ACCEPT_BOTH, "Mcp-Session-Id", c.session().id)), 415, "error"),
        new Row("wrong Accept: 406",
            c -> Answer.of(c.http().send("POST", PATH, PING, "Authorization", KEY, "Content-Type", "application/json",
                "Accept", "text/html", "Mcp-Session-Id", c.session().id)), 406, "error"),
        new Row("a body over the limit: 413",
            c -> Answer.raw(c.port(), "POST " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + KEY
                + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Session-Id: "
                + c.session().id + "\r\nContent-Length: " + (64L * 1024 * 1024) + "\r\n\r\n{\"jsonrpc\":\"2.0\""),
            413, "request body exceeds 4194304 bytes"),
        new Row("a notification from the client: 202",
            c -> Answer.of(c.http().post(PATH, KEY, c.session().id,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}")), 202, ""),
        new Row("a response to a request the gateway never sent: 400",
            c -> Answer.of(c.http().post(PATH, KEY, c.session().id, "{\"jsonrpc\":\"2.0\",\"id\":99,\"result\":{}}")),
            400, "no server request with id 99"),
        new Row("a disallowed Origin: 403",
            c -> Answer.of(c.http().send("POST", PATH, PING, "Authorization", KEY, "Content-Type", "application/json",
                "Accept", McpHttp.ACCEPT_BOTH, "Mcp-Session-Id", c.session().id, "Origin", "https://evil.example")),
            403, "origin 'https://evil.example' is not allowed"),
        new Row("a foreign Host on the loopback listener (DNS rebinding): 403",
            c -> Answer.raw(c.port(), rawPost(c.port(), "Authorization: " + KEY + "\r\n", McpHttp.initializeBody())
                .replace("Host: 127.0.0.1:" + c.port(), "Host: evil.example")), 403, "host 'evil.example' is not allowed"),
        new Row("a loopback Origin: 200",
            c -> Answer.of(c.http().send("POST", PATH, PING, "Authorization", KEY, "Content-Type", "application/json",
                "Accept", McpHttp.ACCEPT_BOTH, "Mcp-Session-Id", c.session().id, "Origin", "http://localhost:3000")),
            200, "\"result\""),
        new Row("an unsupported MCP-Protocol-Version: 400",
            c -> Answer.of(c.http().send("POST", PATH, PING, "Authorization", KEY, "Content-Type", "application/json",
                "Accept", McpHttp.ACCEPT_BOTH, "Mcp-Session-Id", c.session().id, "MCP-Protocol-Version", "1999-01-01")),
            400, "unsupported MCP-Protocol-Version"),
        new Row("another method: 405 with Allow",
            c -> Answer.of(c.http().send("PUT", PATH, "{}", "Authorization", KEY, "Content-Type", "application/json")),
            405, "not allowed"),
        new Row("POST /health: 405",
            c -> Answer.of(c.http().send("POST", "/health", "{}", "Content-Type", "application/json")), 405, "use GET")
    ).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("contract")
  void answersEachCaseOfTheContractWithItsStatus(Row row) {
    McpHttp http = http(shared);
    McpHttp.Session session = http.open(PATH, KEY);

    Answer answer = row.send().apply(new Context(http, session, shared.port));

    assertThat(answer.status()).as("%s: %s", row.name(), answer.body()).isEqualTo(row.status());
    assertThat(answer.body()).contains(row.bodyContains());
  }

  @Test
  void everyErrorIsJsonAndNotificationsHaveAnEmptyBody() {
    McpHttp http = http(shared);
    McpHttp.Session session = http.open(PATH, KEY);

    McpHttp.Answer unknown = http.post("/mcp/nope", KEY, null, McpHttp.initializeBody());
    McpHttp.Answer parse = http.post(PATH, KEY, session.id, "{nope");
    McpHttp.Answer notification = http.post(PATH, KEY, session.id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}");
    McpHttp.Answer put = http.send("PUT", PATH, "{}", "Authorization", KEY);

    assertThat(unknown.header("Content-Type")).startsWith("application/json");
    JsonNode parseError = parse.json();
    assertThat(parseError.path("error").path("code").asInt()).isEqualTo(-32700);
    assertThat(parseError.path("id").isNull()).isTrue();
    assertThat(notification.body()).isEmpty();
    assertThat(put.header("Allow")).isEqualTo("POST, GET, DELETE");
  }

  @Test
  void tenFailuresFromOneHostAreThrottledWith429AndRetryAfter() throws Exception {
    own = startRunner();
    McpHttp http = http(own);
    for (int i = 0; i < 10; i++) {
      assertThat(http.post(PATH, "wrong-" + i, null, PING).status()).isEqualTo(401);
    }

    McpHttp.Answer throttled = http.post(PATH, KEY, null, McpHttp.initializeBody());

    assertThat(throttled.status()).isEqualTo(429);
    assertThat(throttled.header("Retry-After")).matches("[1-9][0-9]*");
    assertThat(throttled.body()).isEqualTo("{\"error\":\"too many failed authentication attempts\"}");
  }

  @Test
  void theGatewayShuttingDownAnswers503AndLeavesNoChild() throws Exception {
    own = startRunner();
    McpHttp http = http(own);
    List<ProcessHandle> before = Children.ofThisJvm(DemoServer.MARKER);
    McpHttp.Session session = http.open(PATH, KEY);
    ProcessHandle child = Children.ofThisJvm(DemoServer.MARKER).stream()
        .filter(p -> !before.contains(p)).findFirst().orElseThrow();

    own.gateway.close();

    assertThat(child.isAlive()).isFalse();
    McpHttp.Answer initialize = http.post(PATH, KEY, null, McpHttp.initializeBody());
    McpHttp.Answer inSession = http.post(PATH, KEY, session.id, PING);
    assertThat(initialize.status()).isEqualTo(503);
    assertThat(initialize.body()).contains("gateway is shutting down");
    assertThat(inSession.status()).isEqualTo(503);
    assertThat(http.send("GET", "/health", null).status()).isEqualTo(200);
  }

  @Test
  void healthStaysOpenAndReportsTheServer() {
    McpHttp http = http(shared);

    McpHttp.Answer health = http.send("GET", "/health", null);

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.header("Content-Type")).startsWith("application/json");
    assertThat(health.json().toString()).contains("demo");
    assertThat(anchor.callTool("echo", "{\"message\":\"still here\"}").toString()).contains("still here");
  }
}
