package dev.mcpgateway.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.servlet.EmbeddedContainer.Deployment;
import dev.mcpgateway.servlet.EmbeddedContainer.Running;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real gateway behind the servlet on Jetty 12 and Tomcat 11, with a real stdio backend
 * process ({@link EchoBackend}): a whole MCP session over HTTP.
 */
class McpGatewayServletEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VERSION = "2025-06-18";

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private McpGateway gateway;
  private Running running;

  @AfterEach
  void stop() throws Exception {
    if (running != null) {
      running.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void servesAWholeMcpSessionFromInitializeToDelete(EmbeddedContainer container) throws Exception {
    List<String> command = EchoBackend.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0), command.subList(1, command.size()).toArray(String[]::new))
            .build("echo"))
        .build();
    gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process()).build();
    running = container.start(Deployment.of(new McpGatewayServlet(gateway)));

    HttpResponse<String> initialize = post(null, "application/json, text/event-stream",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + VERSION + "\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"servlet-test\",\"version\":\"1\"}}}");
    assertThat(initialize.statusCode()).isEqualTo(200);
    assertThat(initialize.headers().firstValue("Content-Type")).hasValue("application/json");
    String session = initialize.headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(session).isNotBlank();
    JsonNode initialized = JSON.readTree(initialize.body());
    assertThat(initialized.path("id").asInt()).isEqualTo(1);
    assertThat(initialized.path("result").path("protocolVersion").asText()).isEqualTo(VERSION);

    HttpResponse<String> notification = post(session, "application/json, text/event-stream",
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    assertThat(notification.statusCode()).isEqualTo(202);
    assertThat(notification.body()).isEmpty();

    // Accepting only SSE makes the gateway answer as an event stream through the servlet.
    HttpResponse<String> list = post(session, "text/event-stream",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    JsonNode tools = JSON.readTree(lastEventData(list.body()));
    assertThat(tools.path("id").asInt()).isEqualTo(2);
    assertThat(tools.path("result").path("tools").path(0).path("name").asText()).isEqualTo("echo");

    HttpResponse<String> call = post(session, "application/json, text/event-stream",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
            + "\"arguments\":{\"text\":\"hello through the servlet\"}}}");
    assertThat(call.statusCode()).isEqualTo(200);
    JsonNode result = JSON.readTree(call.body());
    assertThat(result.path("id").asInt()).isEqualTo(3);
    assertThat(result.path("result").path("content").path(0).path("text").asText())
        .isEqualTo("hello through the servlet");

    HttpResponse<String> health = client.send(HttpRequest.newBuilder(running.uri("/health"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);

    HttpResponse<String> delete = client.send(HttpRequest.newBuilder(running.uri("/mcp/echo"))
        .timeout(Duration.ofSeconds(30)).header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION)
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(delete.statusCode()).isEqualTo(200);

    HttpResponse<String> afterDelete = post(session, "application/json, text/event-stream",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}");
    assertThat(afterDelete.statusCode()).isEqualTo(404);
  }

  private HttpResponse<String> post(String session, String accept, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(running.uri("/mcp/echo"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("Accept", accept)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String lastEventData(String sse) {
    String data = null;
    for (String line : sse.split("\n")) {
      if (line.startsWith("data:")) {
        data = line.substring("data:".length()).trim();
      }
    }
    assertThat(data).as("an event with data in %s", sse).isNotNull();
    return data;
  }
}
