package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The official TypeScript SDK client ({@code build/npm/clients/list-and-call.mjs}) connects,
 * lists server-everything's tools and calls {@code echo} through each host of the examples.
 */
class TypeScriptClientTest {
  private static final String KEY = "typescript-test-key-0123456789abcdefghij";
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir
  Path payloads;
  private Host.Started host;
  private final List<NodeProcess> clients = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    clients.forEach(NodeProcess::close);
    if (host != null) {
      host.close();
    }
    Children.await("server-everything", List::isEmpty, "no server-everything child left", DEADLINE);
  }

  private String start(Host kind) throws Exception {
    NodeTools.assumeNode();
    host = kind.start(GatewayConfig.builder()
        .apiKey(KEY)
        .payloadDir(payloads)
        .server(NodeTools.serverEverything().serverConfig().build("everything"))
        .build());
    return host.base() + "/mcp/everything";
  }

  /** Runs the script to its end; returns its stdout lines as JSON, by step. */
  private List<JsonNode> run(String url, String authorization, int expectedExit) throws Exception {
    NodeProcess client = NodeTools.sdkClient("list-and-call.mjs", url, authorization, "--message", "from TypeScript").start();
    clients.add(client);
    int exit = client.awaitExit(DEADLINE);
    assertThat(exit).as("exit of list-and-call.mjs; stdout %s; stderr:%n%s", client.stdoutLines(), client.stderr())
        .isEqualTo(expectedExit);
    List<JsonNode> steps = new ArrayList<>();
    for (String line : client.stdoutLines()) {
      steps.add(McpHttp.JSON.readTree(line));
    }
    return steps;
  }

  @ParameterizedTest
  @EnumSource(value = Host.class, names = {"RUNNER", "TOMCAT_APP"})
  void listsAndCallsToolsThroughTheGateway(Host kind) throws Exception {
    String url = start(kind);

    List<JsonNode> steps = run(url, KEY, 0);

    assertThat(steps).extracting(step -> step.path("step").asText()).containsExactly("connected", "tools", "echo");
    assertThat(steps.get(0).path("serverInfo").path("name").asText()).isEqualTo("mcp-servers/everything");
    assertThat(steps.get(0).path("sessionId").asText()).isNotBlank();
    List<String> tools = new ArrayList<>();
    steps.get(1).path("tools").forEach(tool -> tools.add(tool.asText()));
    assertThat(tools).contains("echo", "get-sum", "get-env", "trigger-long-running-operation");
    assertThat(steps.get(2).path("result").path("content").get(0).path("text").asText()).isEqualTo("Echo: from TypeScript");
    // the script ends its session with DELETE: that was the key's only session, so its child goes
    Children.await("server-everything", List::isEmpty, "the child gone after the client's DELETE", Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @EnumSource(value = Host.class, names = "RUNNER")
  void aWrongKeyEndsTheScriptWithA401Error(Host kind) throws Exception {
    String url = start(kind);

    List<JsonNode> steps = run(url, "not-the-key", 1);

    assertThat(steps).hasSize(1);
    assertThat(steps.get(0).path("step").asText()).isEqualTo("error");
    assertThat(steps.get(0).toString()).contains("401");
    assertThat(Children.ofThisJvm("server-everything")).isEmpty();
  }
}
