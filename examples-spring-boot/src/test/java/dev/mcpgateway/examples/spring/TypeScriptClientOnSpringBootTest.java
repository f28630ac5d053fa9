package dev.mcpgateway.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example application on Tomcat (its default server), on a random port: the official TypeScript SDK client
 * ({@code build/npm/clients/list-and-call.mjs}) connects with the configured API key, lists
 * server-everything's tools and calls {@code echo}; Actuator's health shows the gateway.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1", TypeScriptClientOnSpringBootTest.ON_TOMCAT})
class TypeScriptClientOnSpringBootTest {
  static final String KEY = "spring-boot-example-key-0123456789abcdefghij";
  /**
   * Tomcat, although Jetty is on the test class path too (for JettyOnSpringBootTest): with both,
   * Spring Boot would pick Jetty. An application has one of them only.
   */
  static final String ON_TOMCAT =
      "spring.autoconfigure.exclude=org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";

  @LocalServerPort
  int port;

  @Autowired
  WebServerApplicationContext context;

  @DynamicPropertySource
  static void gatewayConfig(DynamicPropertyRegistry registry) {
    registry.add("mcp.gateway.config-file",
        () -> ConfigFiles.write(KEY, Map.of("everything", NodeTools.serverEverything().commandLine())).toString());
  }

  @Test
  void theTypeScriptSdkClientListsAndCallsToolsThroughTomcat() throws Exception {
    NodeTools.assumeNode();
    assertThat(context.getWebServer()).isInstanceOf(TomcatWebServer.class);
    String url = "http://127.0.0.1:" + port + "/mcp-gateway/mcp/everything";

    List<JsonNode> steps = runClient(url, KEY);

    assertThat(steps).extracting(step -> step.path("step").asText()).containsExactly("connected", "tools", "echo");
    assertThat(steps.get(0).path("serverInfo").path("name").asText()).isEqualTo("mcp-servers/everything");
    List<String> tools = new ArrayList<>();
    steps.get(1).path("tools").forEach(tool -> tools.add(tool.asText()));
    assertThat(tools).contains("echo", "get-sum");
    assertThat(steps.get(2).path("result").path("content").get(0).path("text").asText()).isEqualTo("Echo: from Spring Boot");
  }

  @Test
  void actuatorHealthShowsTheGateway() throws Exception {
    HttpResponse<String> health = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    JsonNode gateway = ConfigFiles.JSON.readTree(health.body()).path("components").path("mcpGateway");
    assertThat(gateway.path("status").asText()).as(health.body()).isEqualTo("UP");
    assertThat(gateway.path("details").path("servers").has("everything")).isTrue();
  }

  /** Runs list-and-call.mjs to its end; returns its stdout lines as JSON, by step. */
  static List<JsonNode> runClient(String url, String authorization) throws Exception {
    try (NodeProcess client = NodeTools.sdkClient("list-and-call.mjs", url, authorization, "--message", "from Spring Boot").start()) {
      int exit = client.awaitExit(Duration.ofSeconds(60));
      assertThat(exit).as("exit of list-and-call.mjs; stdout %s; stderr:%n%s", client.stdoutLines(), client.stderr()).isZero();
      List<JsonNode> steps = new ArrayList<>();
      for (String line : client.stdoutLines()) {
        steps.add(ConfigFiles.JSON.readTree(line));
      }
      return steps;
    }
  }
}
