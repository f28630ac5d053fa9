package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.EventCollector;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One endpoint, {@code /mcp}, in front of several servers. */
class UnifiedModeTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private McpGateway gateway;
  private TestClient client;

  @BeforeEach
  void start() {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("alpha"))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size()))
            .tools(List.of("echo", "pid", "sample")).build("beta"))
        .build();
    gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process()).unifiedEndpoint(true).build();
    client = new TestClient(gateway, "", "key");
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private GatewayResponse post(String body) {
    return client.send(GatewayRequest.post("/mcp").header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").body(body));
  }

  private void initialize() {
    GatewayResponse response = post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
        + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"sampling\":{}},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(response.status()).isEqualTo(200);
    assertThat(TestClient.parse(response.bodyText()).path("result").path("serverInfo").path("name").asText()).isEqualTo("mcp-gateway");
    client.withSession(response.headers().get("Mcp-Session-Id"));
  }

  private String call(String tool, String arguments) {
    JsonNode response = TestClient.parse(TestClient.bodyOf(post("{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}")));
    return response.has("error") ? "error: " + response.path("error").path("message").asText()
        : response.path("result").path("content").path(0).path("text").asText();
  }

  @Test
  void listsTheToolsOfEveryServerUnderPrefixedNamesAndKeepsEachAllowlist() {
    initialize();
    JsonNode tools = TestClient.parse(TestClient.bodyOf(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")));
    List<String> names = new ArrayList<>();
    tools.path("result").path("tools").forEach(tool -> names.add(tool.path("name").asText()));
    assertThat(names).contains("alpha___echo", "alpha___crash", "beta___echo", "beta___pid", "beta___sample")
        .doesNotContain("beta___crash", "echo");
  }

  @Test
  void routesEachCallToItsServer() {
    initialize();
    assertThat(call("alpha___echo", "{\"message\":\"to alpha\"}")).isEqualTo("to alpha");
    String alpha = call("alpha___pid", "{}");
    String beta = call("beta___pid", "{}");
    assertThat(alpha).isNotEqualTo(beta).matches("\\d+");
    assertThat(call("beta___crash", "{}")).startsWith("error: tool 'crash' is not allowed on server 'beta'");
    assertThat(call("gamma___echo", "{}")).startsWith("error: unknown tool 'gamma___echo'");
  }

  @Test
  void serverRequestsOfSeveralBackendsGetIdsThatCannotCollide() {
    initialize();
    GatewayResponse first = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"alpha___sample\",\"arguments\":{}}}");
    EventCollector alphaEvents = EventCollector.open(first.stream().orElseThrow());
    JsonNode alphaRequest = TestClient.parse(alphaEvents.nextData(WAIT).data());
    GatewayResponse second = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"beta___sample\",\"arguments\":{}}}");
    EventCollector betaEvents = EventCollector.open(second.stream().orElseThrow());
    JsonNode betaRequest = TestClient.parse(betaEvents.nextData(WAIT).data());
    // both backends used the same id for their request; the client sees two different ones
    assertThat(alphaRequest.path("method").asText()).isEqualTo("sampling/createMessage");
    assertThat(alphaRequest.get("id")).isNotEqualTo(betaRequest.get("id"));
    post("{\"jsonrpc\":\"2.0\",\"id\":" + betaRequest.get("id") + ",\"result\":{\"role\":\"assistant\",\"model\":\"m\",\"content\":{\"type\":\"text\",\"text\":\"for beta\"}}}");
    post("{\"jsonrpc\":\"2.0\",\"id\":" + alphaRequest.get("id") + ",\"result\":{\"role\":\"assistant\",\"model\":\"m\",\"content\":{\"type\":\"text\",\"text\":\"for alpha\"}}}");
    assertThat(TestClient.parse(alphaEvents.nextData(WAIT).data()).path("result").path("content").path(0).path("text").asText()).isEqualTo("for alpha");
    assertThat(TestClient.parse(betaEvents.nextData(WAIT).data()).path("result").path("content").path(0).path("text").asText()).isEqualTo("for beta");
  }

  @Test
  void notificationsOfEveryBackendReachTheUnifiedStream() {
    initialize();
    EventCollector events = EventCollector.open(client.send(GatewayRequest.get("/mcp").header("Accept", "text/event-stream"))
        .stream().orElseThrow());
    call("alpha___broadcast", "{\"uri\":\"test://a\"}");
    assertThat(TestClient.parse(events.nextData(WAIT).data()).path("params").path("uri").asText()).isEqualTo("test://a");
  }

  @Test
  void deleteEndsTheBackendsOfTheUnifiedSession() throws Exception {
    initialize();
    ProcessHandle alpha = ProcessHandle.of(Long.parseLong(call("alpha___pid", "{}"))).orElseThrow();
    assertThat(client.send(GatewayRequest.delete("/mcp")).status()).isEqualTo(200);
    alpha.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").status()).isEqualTo(404);
  }

  @Test
  void theUnifiedEndpointIsOffUnlessTurnedOn() {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("alpha")).build();
    try (McpGateway routed = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process()).build()) {
      GatewayResponse response = new TestClient(routed, "", null).send(GatewayRequest.post("/mcp")
          .header("Content-Type", "application/json").body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"));
      assertThat(response.status()).isEqualTo(404);
      assertThat(response.bodyText()).contains("unified endpoint /mcp is off");
    }
  }
}
