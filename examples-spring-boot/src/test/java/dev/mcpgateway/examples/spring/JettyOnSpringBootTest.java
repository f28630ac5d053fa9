package dev.mcpgateway.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example application on Jetty 12.1 (Spring Boot's Jetty, Servlet 6.1 / ee11): Tomcat's
 * auto-configuration is excluded, so that this test does not depend on which of the two Spring
 * Boot prefers when both are on the class path; an application swaps spring-boot-starter-tomcat
 * for spring-boot-starter-jetty instead. An MCP session with a tool call over plain HTTP, and the
 * TypeScript SDK client, through the gateway.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1",
        "spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration"})
class JettyOnSpringBootTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @LocalServerPort
  int port;

  @Autowired
  WebServerApplicationContext context;

  @DynamicPropertySource
  static void gatewayConfig(DynamicPropertyRegistry registry) {
    registry.add("mcp.gateway.config-file", () -> ConfigFiles.write(TypeScriptClientOnSpringBootTest.KEY, Map.of(
        "test", StdioTestServer.commandLine(),
        "everything", NodeTools.serverEverything().commandLine())).toString());
  }

  @Test
  void anMcpSessionCallsAToolThroughJetty() throws Exception {
    assertThat(context.getWebServer()).isInstanceOf(JettyWebServer.class);
    String url = "http://127.0.0.1:" + port + "/mcp-gateway/mcp/test";

    HttpResponse<String> initialize = post(url, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"jetty-smoke\",\"version\":\"1\"}}}");
    assertThat(initialize.statusCode()).as(initialize.body()).isEqualTo(200);
    String session = initialize.headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(post(url, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode()).isEqualTo(202);
    HttpResponse<String> echo = post(url, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{"
        + "\"name\":\"echo\",\"arguments\":{\"message\":\"on Jetty\"}}}");

    assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
    assertThat(message(echo).path("result").path("content").get(0).path("text").asText()).contains("on Jetty");
  }

  @Test
  void theTypeScriptSdkClientListsAndCallsToolsThroughJetty() throws Exception {
    NodeTools.assumeNode();

    List<JsonNode> steps = TypeScriptClientOnSpringBootTest.runClient(
        "http://127.0.0.1:" + port + "/mcp-gateway/mcp/everything", TypeScriptClientOnSpringBootTest.KEY);

    assertThat(steps).extracting(step -> step.path("step").asText()).containsExactly("connected", "tools", "echo");
    assertThat(steps.get(2).path("result").path("content").get(0).path("text").asText()).isEqualTo("Echo: from Spring Boot");
  }

  private HttpResponse<String> post(String url, String session, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .header("Authorization", TypeScriptClientOnSpringBootTest.KEY)
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The JSON-RPC message of an answer: the body, or the SSE event that holds it. */
  private static JsonNode message(HttpResponse<String> answer) throws Exception {
    for (String line : answer.body().split("\n")) {
      if (line.startsWith("data:") && line.contains("\"id\"")) {
        return ConfigFiles.JSON.readTree(line.substring("data:".length()));
      }
    }
    return ConfigFiles.JSON.readTree(answer.body());
  }
}
