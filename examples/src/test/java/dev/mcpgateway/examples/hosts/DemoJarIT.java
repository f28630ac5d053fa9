package dev.mcpgateway.examples.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.examples.demo.DemoMcpServer;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.examples.support.DemoServer;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.testsupport.NodeCommand;
import dev.mcpgateway.testsupport.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's run command with the real shaded jar, after {@code package}: from the repository
 * root, {@code java -jar examples/target/mcp-gateway.jar --config
 * examples/src/main/resources/demo-config.json}, nothing but a JDK.
 */
class DemoJarIT {
  private static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private NodeProcess runner;

  @AfterEach
  void stop() {
    if (runner != null) {
      runner.close();
    }
    Children.await(DemoMcpServer.class.getName(), List::isEmpty, "no demo child left", DEADLINE);
  }

  @Test
  void theShadedJarServesTheDemoConfigAsTheReadmeSays() throws Exception {
    assertThat(REPOSITORY.resolve("examples/target/mcp-gateway.jar")).exists();
    assertThat(Files.exists(REPOSITORY.resolve("examples/src/main/resources/demo-config.json"))).isTrue();
    runner = NodeCommand.of(List.of(DemoServer.java(), "-jar", "examples/target/mcp-gateway.jar",
        "--config", "examples/src/main/resources/demo-config.json", "--listen", "127.0.0.1:0")).start(REPOSITORY);

    JsonNode printed = McpHttp.JSON.readTree(runner.awaitLine(line -> true, DEADLINE));
    String url = printed.path("mcpServers").path("demo").path("url").asText();
    McpHttp.Session session = new McpHttp(url.substring(0, url.indexOf("/mcp/"))).open("/mcp/demo", null);
    JsonNode echo = session.callTool("echo", "{\"message\":\"from the jar\"}").path("result");

    assertThat(McpHttp.toolNames(session.call("tools/list", "{}").path("result"))).containsExactly("echo", "add", "current_time");
    assertThat(echo.path("content").get(0).path("text").asText()).isEqualTo("from the jar");
    assertThat(runner.process().toHandle().destroy()).isTrue();
    assertThat(runner.awaitExit(DEADLINE)).isEqualTo(143);
    assertThat(runner.stderr()).contains("MCP gateway closed: 1 server process(es) terminated");
  }
}
