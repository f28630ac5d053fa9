package dev.mcpgateway.examples.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.testsupport.NodeTools;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MCP Java SDK client (2.1.0, Streamable HTTP) through the gateway to
 * {@code @modelcontextprotocol/server-everything} on stdio: the server's tools send
 * {@code sampling/createMessage} and {@code elicitation/create} to the client in the middle of a
 * call, the client answers, and the tool result shows the answers came back to the server.
 *
 * <p>server-everything registers these tools only for clients that declare the sampling and
 * elicitation capabilities; the gateway initializes the backend with the first client's
 * capabilities, so the client here declares both.
 */
class JavaSdkServerRequestsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private LoopbackGateway gateway;
  private McpSyncClient client;
  private final List<McpSchema.CreateMessageRequest> samplingRequests = new CopyOnWriteArrayList<>();
  private final List<McpSchema.ElicitFormRequest> elicitationRequests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startGatewayAndClient() throws Exception {
    NodeTools.assumeNode();
    gateway = LoopbackGateway.start(GatewayConfig.builder()
        .server(NodeTools.serverEverything().serverConfig().build("everything"))
        .build());
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder("http://127.0.0.1:" + gateway.port())
        .endpoint("/mcp/everything")
        .build();
    client = McpClient.sync(transport)
        .clientInfo(new McpSchema.Implementation("gateway-java-sdk-test", "1.0.0"))
        .requestTimeout(TIMEOUT)
        .initializationTimeout(TIMEOUT)
        .capabilities(McpSchema.ClientCapabilities.builder().sampling().elicitation().build())
        .sampling(request -> {
          samplingRequests.add(request);
          return McpSchema.CreateMessageResult.builder(McpSchema.Role.ASSISTANT,
              new McpSchema.TextContent("a haiku from the Java client"), "java-sdk-test-model").build();
        })
        .elicitation(request -> {
          elicitationRequests.add(request);
          return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT,
              Map.of("name", "Ada Lovelace", "check", true, "integer", 7));
        })
        .build();
    client.initialize();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.closeGracefully();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void samplingRequestFromAToolReachesTheJavaClientAndItsAnswerReachesTheTool() {
    assertThat(toolNames()).contains("trigger-sampling-request");

    McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("trigger-sampling-request",
        Map.of("prompt", "write a haiku about gateways", "maxTokens", 50)));

    assertThat(samplingRequests).hasSize(1);
    McpSchema.CreateMessageRequest request = samplingRequests.get(0);
    assertThat(request.maxTokens()).isEqualTo(50);
    assertThat(((McpSchema.TextContent) request.messages().get(0).content()).text())
        .contains("write a haiku about gateways");
    assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(text(result)).contains("a haiku from the Java client", "java-sdk-test-model");
  }

  @Test
  void elicitationRequestFromAToolReachesTheJavaClientAndItsAnswerReachesTheTool() {
    assertThat(toolNames()).contains("trigger-elicitation-request");

    McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("trigger-elicitation-request",
        Map.of()));

    assertThat(elicitationRequests).hasSize(1);
    assertThat(elicitationRequests.get(0).message()).contains("Please provide inputs");
    assertThat(elicitationRequests.get(0).requestedSchema()).containsKey("properties");
    assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(text(result)).contains("User provided the requested information", "Name: Ada Lovelace",
        "Agreed to terms: true", "Favorite Integer: 7");
  }

  private List<String> toolNames() {
    return client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
  }

  private static String text(McpSchema.CallToolResult result) {
    return result.content().stream()
        .filter(McpSchema.TextContent.class::isInstance)
        .map(c -> ((McpSchema.TextContent) c).text())
        .collect(Collectors.joining("\n"));
  }
}
