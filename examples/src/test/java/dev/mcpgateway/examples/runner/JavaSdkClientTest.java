package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.testsupport.NodeTools;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The official MCP Java SDK client (2.1.0, Streamable HTTP transport) lists and calls
 * server-everything's tools through each host of the examples, with the configured API key.
 */
class JavaSdkClientTest {
  private static final String KEY = "java-sdk-test-key-0123456789abcdefghijk";
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir
  Path payloads;
  private Host.Started host;

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    Children.await("server-everything", List::isEmpty, "no server-everything child left", DEADLINE);
  }

  private Host.Started start(Host kind) throws Exception {
    NodeTools.assumeNode();
    host = kind.start(GatewayConfig.builder()
        .apiKey(KEY)
        .payloadDir(payloads)
        .server(NodeTools.serverEverything().serverConfig().build("everything"))
        .build());
    return host;
  }

  private static McpSyncClient client(Host.Started host, String authorization) {
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(host.origin())
        .endpoint(host.context() + "/mcp/everything")
        .httpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", authorization))
        .build();
    return McpClient.sync(transport)
        .requestTimeout(DEADLINE)
        .initializationTimeout(DEADLINE)
        .clientInfo(new McpSchema.Implementation("gateway-e2e-java-sdk", "1.0.0"))
        .build();
  }

  @ParameterizedTest
  @EnumSource(Host.class)
  void listsAndCallsToolsThroughTheGateway(Host kind) throws Exception {
    Host.Started host = start(kind);

    try (McpSyncClient client = client(host, KEY)) {
      McpSchema.InitializeResult init = client.initialize();
      List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
      McpSchema.CallToolResult echo = client.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", "from Java")));
      McpSchema.CallToolResult sum = client.callTool(new McpSchema.CallToolRequest("get-sum", Map.of("a", 2, "b", 40)));

      assertThat(init.serverInfo().name()).isEqualTo("mcp-servers/everything");
      assertThat(tools).contains("echo", "get-sum", "get-env", "trigger-long-running-operation");
      assertThat(echo.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(((McpSchema.TextContent) echo.content().get(0)).text()).isEqualTo("Echo: from Java");
      assertThat(((McpSchema.TextContent) sum.content().get(0)).text()).contains("42");
      assertThat(Children.ofThisJvm("server-everything")).hasSize(1);
    }
    // closing the client ends its session with DELETE: the key's only session, so the child goes
    Children.await("server-everything", List::isEmpty, "the child gone after the client closed", DEADLINE);
  }

  @ParameterizedTest
  @EnumSource(value = Host.class, names = "RUNNER")
  void aWrongKeyFailsToInitializeAndStartsNoChild(Host kind) throws Exception {
    Host.Started host = start(kind);

    try (McpSyncClient client = client(host, "not-the-key")) {
      assertThatThrownBy(client::initialize)
          .hasStackTraceContaining("McpHttpClientTransportAuthorizationException");
    }
    assertThat(Children.ofThisJvm("server-everything")).isEmpty();
  }
}
