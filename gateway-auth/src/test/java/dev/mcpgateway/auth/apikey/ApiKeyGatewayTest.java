package dev.mcpgateway.auth.apikey;

import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.KEY;
import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
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
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API-key authenticator in front of the real gateway, with real backend processes. */
class ApiKeyGatewayTest {
  private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
      + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

  private final FakeTicker ticker = new FakeTicker();
  private final ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder()
      .key("ci", KEY, Set.of("demo"))
      .key("admin", OTHER_KEY)
      .throttling(3, Duration.ofSeconds(60))
      .ticker(ticker)
      .build();
  private final McpGateway gateway = gateway(config(), auth);

  static GatewayConfig config() {
    List<String> command = StdioTestServer.commandLine();
    return GatewayConfig.builder()
        .toolTimeout(Duration.ofSeconds(10))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("demo"))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("other"))
        .build();
  }

  static McpGateway gateway(GatewayConfig config, dev.mcpgateway.auth.Authenticator authenticator) {
    return McpGateway.builder(config)
        .authenticator(authenticator)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private GatewayResponse post(String path, String authorization) {
    GatewayRequest.Builder request = GatewayRequest.post(path)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .remoteAddress("127.0.0.1:54322")
        .body(INITIALIZE);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return Await.result(gateway.handle(request.build()));
  }

  private static void assertJsonError(GatewayResponse response, int status, String error) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.headers()).containsEntry("Content-Type", "application/json");
    JsonNode body = TestClient.parse(response.bodyText());
    assertThat(body.size()).isEqualTo(1);
    assertThat(body.path("error").asText()).isEqualTo(error);
  }

  @Test
  void servesAClientThatSendsTheKey() {
    TestClient client = new TestClient(gateway, "demo", KEY);

    client.initialize();

    assertThat(client.callTool("echo", "{\"message\":\"hello\"}")).isEqualTo("hello");
  }

  @Test
  void keepsHealthOpenWithoutAKey() {
    GatewayResponse response = Await.result(gateway.handle(GatewayRequest.get("/health").build()));

    assertThat(response.status()).isEqualTo(200);
  }

  @Test
  void answersAMissingKeyWith401Json() {
    assertJsonError(post("/mcp/demo", null), 401, "authentication failed: missing API key");
  }

  @Test
  void answersAWrongKeyWith401Json() {
    assertJsonError(post("/mcp/demo", "wrong-key"), 401, "authentication failed: invalid API key");
  }

  @Test
  void answersTheBearerSchemeWithAHint() {
    assertJsonError(post("/mcp/demo", "Bearer " + KEY), 401,
        "authentication failed: use the plain API key in Authorization, not the Bearer scheme");
  }

  @Test
  void rejectsTheKeyInAnotherCaseOrPadded() {
    assertJsonError(post("/mcp/demo", KEY.toLowerCase()), 401, "authentication failed: invalid API key");
    ticker.advance(Duration.ofMinutes(1));
    assertJsonError(post("/mcp/demo", " " + KEY + " "), 401, "authentication failed: invalid API key");
  }

  @Test
  void answersControlCharactersWith400ButATabWith401() {
    assertJsonError(post("/mcp/demo", KEY + "\r\nX-Injected: 1"), 400,
        "authentication failed: Authorization header contains control characters");
    assertJsonError(post("/mcp/demo", KEY + "\t"), 401, "authentication failed: invalid API key");
  }

  @Test
  void requiresTheKeyOnEveryEndpointButHealth() {
    assertJsonError(post("/mcp/unknown-server", null), 401, "authentication failed: missing API key");
    assertJsonError(post("/elsewhere", null), 401, "authentication failed: missing API key");
    ticker.advance(Duration.ofMinutes(1));
    GatewayResponse get = Await.result(gateway.handle(GatewayRequest.get("/mcp/demo").build()));
    GatewayResponse delete = Await.result(gateway.handle(GatewayRequest.delete("/mcp/demo").build()));
    assertJsonError(get, 401, "authentication failed: missing API key");
    assertJsonError(delete, 401, "authentication failed: missing API key");
  }

  @Test
  void answers403WhenAKeyUsesAServerItIsNotAllowed() {
    GatewayResponse response = post("/mcp/other", KEY);

    assertThat(response.status()).isEqualTo(403);
    assertThat(response.bodyText()).contains("'ci' may not use server 'other'").doesNotContain(KEY);
    assertThat(post("/mcp/other", OTHER_KEY).status()).isEqualTo(200);
  }

  @Test
  void throttlesAHostThatKeepsFailingAndLetsItBackAfterTheWindow() {
    for (int i = 0; i < 3; i++) {
      assertThat(post("/mcp/demo", "guess-" + i).status()).isEqualTo(401);
    }

    GatewayResponse throttled = post("/mcp/demo", KEY);
    assertJsonError(throttled, 429, "too many failed authentication attempts");
    assertThat(throttled.headers()).containsEntry("Retry-After", "60");

    ticker.advance(Duration.ofSeconds(60));
    assertThat(post("/mcp/demo", KEY).status()).isEqualTo(200);
  }

  private dev.mcpgateway.Admission admit(String remote, String authorization) {
    GatewayRequest.Builder head = GatewayRequest.post("/mcp/demo").header("Content-Type", "application/json")
        .remoteAddress(remote);
    if (authorization != null) {
      head.header("Authorization", authorization);
    }
    return gateway.admit(head.build());
  }

  @Test
  void throttlesAHostThatKeepsSendingNoKeyBeforeItsBodiesAreRead() {
    for (int i = 0; i < 3; i++) {
      GatewayResponse refused = admit("10.1.1.1:" + (5000 + i), null).answer().orElseThrow();
      assertJsonError(refused, 401, "authentication failed: missing API key");
    }

    GatewayResponse throttled = admit("10.1.1.1:6000", KEY).answer().orElseThrow();

    assertJsonError(throttled, 429, "too many failed authentication attempts");
    assertThat(throttled.headers()).containsEntry("Retry-After", "60");
    assertThat(admit("10.1.1.2:5000", KEY).answer()).isEmpty(); // another host is let in
  }

  @Test
  void countsAnAdmittedRequestOnceWhenItsBodyFollows() {
    // Two failures, then an admitted request whose handling must not authenticate again:
    // were it counted, a third failure would already throttle.
    admit("10.1.1.3:1", "wrong-1");
    admit("10.1.1.3:2", "wrong-2");
    GatewayRequest head = GatewayRequest.post("/mcp/demo").header("Authorization", "wrong-3")
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .remoteAddress("10.1.1.3:3").build();
    dev.mcpgateway.Admission third = gateway.admit(head);
    assertJsonError(third.answer().orElseThrow(), 401, "authentication failed: invalid API key");

    GatewayResponse handedBack = Await.result(gateway.handle(head.withBody(
        INITIALIZE.getBytes(java.nio.charset.StandardCharsets.UTF_8)), third));

    assertJsonError(handedBack, 401, "authentication failed: invalid API key"); // not 429: not counted twice
    assertThat(admit("10.1.1.3:4", KEY).answer().orElseThrow().status()).isEqualTo(429);
  }

  @Test
  void endsTheSessionsOfARevokedKeyAndAcceptsItsReplacement() {
    TestClient old = new TestClient(gateway, "demo", OTHER_KEY);
    old.initialize();
    assertThat(old.callTool("echo", "{\"message\":\"before\"}")).isEqualTo("before");
    String replacement = OTHER_KEY + "-rotated";

    auth.addKey("admin-2", replacement);
    auth.revokeKey("admin");

    GatewayResponse afterRevocation = old.post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\"}");
    assertJsonError(afterRevocation, 401, "authentication failed: invalid API key");
    TestClient rotated = new TestClient(gateway, "demo", replacement);
    rotated.initialize();
    assertThat(rotated.callTool("echo", "{\"message\":\"after\"}")).isEqualTo("after");
    // The old session is gone: even the new key cannot resume it.
    GatewayResponse resumed = rotated.send(GatewayRequest.post("/mcp/demo")
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Mcp-Session-Id", old.sessionId())
        .body("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/list\"}"));
    assertThat(resumed.status()).isEqualTo(404);
  }
}
