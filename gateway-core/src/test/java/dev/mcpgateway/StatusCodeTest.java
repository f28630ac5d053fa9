package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every status code of the contract with clients, through the programmatic API. */
class StatusCodeTest {
  private McpGateway gateway;
  private TestClient client;

  @BeforeEach
  void start() {
    gateway = McpGateway.builder(config())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(request -> request.authorization().map(value -> value.equals("good")
            ? AuthResult.success(dev.mcpgateway.auth.Identity.of("tester", value))
            : AuthResult.denied(401, "authentication failed: invalid API key"))
            .orElse(AuthResult.denied(401, "authentication failed: missing API key")))
        .maxRequestBytes(4096)
        .build();
    client = new TestClient(gateway, "test", "good");
  }

  private static GatewayConfig config() {
    List<String> command = StdioTestServer.commandLine();
    return GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private GatewayResponse send(GatewayRequest.Builder request) {
    return Await.result(gateway.handle(request.build()));
  }

  private static GatewayRequest.Builder post(String body) {
    return GatewayRequest.post("/mcp/test").header("Authorization", "good").header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").body(body);
  }

  private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

  @Test
  void unknownServerIs404WithJsonError() {
    GatewayResponse response = send(GatewayRequest.post("/mcp/nope").header("Authorization", "good").body(PING));
    assertThat(response.status()).isEqualTo(404);
    assertThat(response.headers()).containsEntry("Content-Type", "application/json");
    assertThat(TestClient.parse(response.bodyText()).path("error").asText()).contains("unknown server 'nope'");
    assertThat(send(GatewayRequest.get("/elsewhere").header("Authorization", "good")).status()).isEqualTo(404);
  }

  @Test
  void missingOrWrongKeyIs401AndHealthStaysOpen() {
    GatewayResponse missing = send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json").body(PING));
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.bodyText()).isEqualTo("{\"error\":\"authentication failed: missing API key\"}");
    GatewayResponse wrong = send(GatewayRequest.post("/mcp/test").header("Authorization", "bad").body(PING));
    assertThat(wrong.bodyText()).isEqualTo("{\"error\":\"authentication failed: invalid API key\"}");
    assertThat(send(GatewayRequest.get("/health")).status()).isEqualTo(200);
  }

  @Test
  void wrongContentTypeIs415AndWrongAcceptIs406() {
    assertThat(send(GatewayRequest.post("/mcp/test").header("Authorization", "good").header("Content-Type", "text/plain").body(PING)).status())
        .isEqualTo(415);
    assertThat(send(GatewayRequest.post("/mcp/test").header("Authorization", "good").body(PING)).status()).isEqualTo(415);
    assertThat(send(GatewayRequest.post("/mcp/test").header("Authorization", "good").header("Content-Type", "application/json; charset=utf-8")
        .header("Accept", "text/html").body(PING)).status()).isEqualTo(406);
  }

  @Test
  void bodyThatIsNotJsonIs400WithParseError() {
    GatewayResponse response = send(post("{nope"));
    assertThat(response.status()).isEqualTo(400);
    JsonNode body = TestClient.parse(response.bodyText());
    assertThat(body.path("error").path("code").asInt()).isEqualTo(-32700);
    assertThat(body.path("id").isNull()).isTrue();
    assertThat(send(post("")).status()).isEqualTo(400);
    assertThat(send(post("\"just a string\"")).status()).isEqualTo(400);
    assertThat(send(post("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}")).status()).isEqualTo(400);
    assertThat(send(post("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}")).status()).isEqualTo(400);
  }

  @Test
  void requestWithoutSessionIs400AndUnknownSessionIs404() {
    GatewayResponse missing = send(post(PING));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.bodyText()).contains("Mcp-Session-Id header is required");
    assertThat(send(post(PING).header("Mcp-Session-Id", "made-up")).status()).isEqualTo(404);
  }

  @Test
  void anotherIdentitysSessionIsReportedUnknown() {
    client.initialize();
    GatewayRequest.Builder foreign = GatewayRequest.post("/mcp/test").header("Authorization", "good")
        .header("Content-Type", "application/json").header("Mcp-Session-Id", client.sessionId()).body(PING);
    assertThat(send(foreign).status()).isEqualTo(200);
    GatewayResponse otherServerPath = send(GatewayRequest.delete("/mcp/test").header("Authorization", "good")
        .header("Mcp-Session-Id", client.sessionId() + "x"));
    assertThat(otherServerPath.status()).isEqualTo(404);
  }

  @Test
  void notificationsAndResponsesFromTheClientAre202WithEmptyBody() {
    client.initialize();
    GatewayResponse notification = client.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}");
    assertThat(notification.status()).isEqualTo(202);
    assertThat(notification.body()).isEmpty();
  }

  @Test
  void unsupportedProtocolVersionHeaderIs400() {
    client.initialize();
    GatewayResponse response = client.send(post(PING).header("MCP-Protocol-Version", "1999-01-01"));
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.bodyText()).contains("unsupported MCP-Protocol-Version");
  }

  @Test
  void oversizedBodyIs413() {
    client.initialize();
    GatewayResponse response = client.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"" + "a".repeat(5000) + "\"}}");
    assertThat(response.status()).isEqualTo(413);
    assertThat(response.bodyText()).contains("4096 bytes");
  }

  @Test
  void otherMethodsAre405() {
    GatewayResponse response = send(GatewayRequest.builder("PUT", "/mcp/test").header("Authorization", "good"));
    assertThat(response.status()).isEqualTo(405);
    assertThat(response.headers()).containsEntry("Allow", "POST, GET, DELETE");
  }

  @Test
  void getWithoutSessionIs400AndWithoutEventStreamAcceptIs406() {
    assertThat(send(GatewayRequest.get("/mcp/test").header("Authorization", "good").header("Accept", "text/event-stream")).status())
        .isEqualTo(400);
    assertThat(send(GatewayRequest.get("/mcp/test").header("Authorization", "good").header("Accept", "application/json")).status())
        .isEqualTo(406);
  }

  @Test
  void shuttingDownIs503() {
    gateway.close();
    GatewayResponse response = send(post(PING));
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.bodyText()).isEqualTo("{\"error\":\"gateway is shutting down\"}");
  }

  @Test
  void commandServersNeedTheProcessLauncherToBeEnabled() {
    assertThatThrownBy(() -> McpGateway.builder(config()).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("$.mcpServers.test.command")
        .hasMessageContaining("launcher(BackendKind.COMMAND, BackendLauncher.process())");
  }

  @Test
  void containerServersNeedAContainerLauncher() {
    GatewayConfig config = GatewayConfig.builder().server(ServerConfig.container("img:1").build("c")).build();
    assertThatThrownBy(() -> McpGateway.builder(config).build())
        .hasMessageContaining("$.mcpServers.c.container").hasMessageContaining("DockerBackendLauncher");
  }

  @Test
  void configuredApiKeyWithoutAuthenticatorFailsToBuild() {
    GatewayConfig config = GatewayConfig.builder().apiKey("k".repeat(40)).build();
    assertThatThrownBy(() -> McpGateway.builder(config).build())
        .hasMessageContaining("$.gateway.apiKey").hasMessageContaining("ApiKeyAuthenticator");
  }

  @Test
  void missingPassThroughVariableFailsToBuildUnlessAllowed() {
    GatewayConfig config = GatewayConfig.builder().server(ServerConfig.command("x").passEnv("NOT_SET_ANYWHERE").build("s")).build();
    assertThatThrownBy(() -> McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .environment(Map.<String, String>of()::get).build())
        .hasMessageContaining("$.mcpServers.s.env.NOT_SET_ANYWHERE").hasMessageContaining("is not defined");
    McpGateway lenient = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .environment(Map.<String, String>of()::get).allowMissingEnvironment(true).build();
    lenient.close();
  }

  @Test
  void repeatedBuilderSettingsFailNamingBoth() {
    assertThatThrownBy(() -> McpGateway.builder(config()).maxRequestBytes(2048).maxRequestBytes(4096))
        .hasMessage("maxRequestBytes is set twice: 2048 and 4096");
  }

  @Test
  void serverThatCannotStartAnswersInitializeWithAClearError() {
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command("/nonexistent/mcp-server").build("broken")).build();
    try (McpGateway broken = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process()).build()) {
      GatewayResponse response = Await.result(broken.handle(GatewayRequest.post("/mcp/broken")
          .header("Content-Type", "application/json")
          .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}")
          .build()));
      assertThat(response.status()).isEqualTo(503);
      assertThat(response.bodyText()).contains("server 'broken' could not start command '/nonexistent/mcp-server'");
      assertThat(response.headers()).doesNotContainKey("Mcp-Session-Id");
      GatewayResponse health = Await.result(broken.handle(GatewayRequest.get("/health").build()));
      assertThat(TestClient.parse(health.bodyText()).path("servers").path("broken").path("status").asText()).isEqualTo("error");
    }
  }
}
