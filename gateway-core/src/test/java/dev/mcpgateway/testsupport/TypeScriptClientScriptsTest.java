package dev.mcpgateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript SDK client scripts work against server-everything served directly over
 * Streamable HTTP on loopback, so end-to-end tests can point them at the gateway instead.
 */
class TypeScriptClientScriptsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private NodeProcess server;
  private String url;

  @BeforeEach
  void startServerEverythingOverHttp() throws IOException {
    NodeTools.assumeNode();
    server = NodeTools.serverEverythingHttp().start();
    url = NodeTools.awaitListeningUrl(server);
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void listAndCallListsToolsAndEchoesTheMessage() throws IOException {
    List<JsonNode> lines = run(NodeTools.sdkClient("list-and-call.mjs", url, "Bearer test-key",
        "--message", "hello gateway"), 0);

    assertThat(steps(lines)).containsExactly("connected", "tools", "echo");
    assertThat(lines.get(0).path("serverInfo").path("name").asText()).isEqualTo("mcp-servers/everything");
    assertThat(lines.get(1).path("tools").toString()).contains("\"echo\"", "\"trigger-long-running-operation\"");
    assertThat(lines.get(2).path("result").path("content").get(0).path("text").asText())
        .isEqualTo("Echo: hello gateway");
  }

  @Test
  void callWithProgressPrintsEveryProgressNotification() throws IOException {
    List<JsonNode> lines = run(NodeTools.sdkClient("call-with-progress.mjs", url, null,
        "--duration", "1", "--steps", "3"), 0);

    assertThat(steps(lines)).containsExactly("connected", "progress", "progress", "progress", "result");
    assertThat(lines.subList(1, 4)).extracting(l -> l.path("progress").asInt()).containsExactly(1, 2, 3);
    assertThat(lines.get(4).path("progressCount").asInt()).isEqualTo(3);
    assertThat(lines.get(4).path("result").path("content").get(0).path("text").asText())
        .startsWith("Long running operation completed");
  }

  @Test
  void listAndCallReportsAnUnreachableServerAndExitsWithOne() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    List<JsonNode> lines = run(NodeTools.sdkClient("list-and-call.mjs",
        "http://127.0.0.1:" + closedPort + "/mcp", null), 1);

    assertThat(steps(lines)).containsExactly("error");
    assertThat(lines.get(0).path("message").asText()).isNotBlank();
  }

  private static List<JsonNode> run(NodeCommand command, int expectedExit) throws IOException {
    try (NodeProcess client = command.start()) {
      int exit = client.awaitExit(TIMEOUT);
      assertThat(exit).as("exit code of %s; stderr:%n%s", command, client.stderr()).isEqualTo(expectedExit);
      return client.stdoutLines().stream().map(StdioJson::parse).collect(Collectors.toList());
    }
  }

  private static List<String> steps(List<JsonNode> lines) {
    return lines.stream().map(l -> l.path("step").asText()).collect(Collectors.toList());
  }
}
