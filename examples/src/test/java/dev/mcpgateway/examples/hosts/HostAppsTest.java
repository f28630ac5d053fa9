package dev.mcpgateway.examples.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.runner.Host;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.examples.support.DemoServer;
import dev.mcpgateway.examples.support.McpHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Jetty and Tomcat host applications serve the gateway under {@code /tools} with the demo
 * MCP server behind it, and stopping the container closes the gateway and its child.
 */
class HostAppsTest {
  private static final String KEY = "host-app-test-key-0123456789abcdefghijklm";
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir
  Path payloads;
  private Host.Started host;

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    Children.await(DemoServer.MARKER, List::isEmpty, "no demo child left", DEADLINE);
  }

  private McpHttp start(Host kind) throws Exception {
    host = kind.start(GatewayConfig.builder()
        .apiKey(KEY)
        .payloadDir(payloads)
        .server(DemoServer.config("demo"))
        .build());
    return new McpHttp(host.base());
  }

  @ParameterizedTest
  @EnumSource(value = Host.class, names = {"JETTY_APP", "TOMCAT_APP"})
  void servesHealthAndToolCallsUnderTools(Host kind) throws Exception {
    McpHttp http = start(kind);

    McpHttp.Answer health = http.send("GET", "/health", null);
    McpHttp.Session session = http.open("/mcp/demo", KEY);
    JsonNode tools = session.call("tools/list", "{}").path("result");
    JsonNode sum = session.callTool("add", "{\"a\":2,\"b\":40.5}").path("result");

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().toString()).contains("demo");
    assertThat(session.initializeResult.path("serverInfo").path("name").asText()).isEqualTo("demo");
    assertThat(McpHttp.toolNames(tools)).containsExactly("echo", "add", "current_time");
    assertThat(sum.path("content").get(0).path("text").asText()).isEqualTo("42.5");
    assertThat(new McpHttp(host.origin()).send("GET", "/health", null).status()).as("outside /tools").isEqualTo(404);
    assertThat(http.post("/mcp/demo", "wrong-key", null, McpHttp.initializeBody()).status()).isEqualTo(401);
  }

  @ParameterizedTest
  @EnumSource(value = Host.class, names = {"JETTY_APP", "TOMCAT_APP"})
  void stoppingTheContainerClosesTheGatewayAndItsChild(Host kind) throws Exception {
    McpHttp http = start(kind);
    http.open("/mcp/demo", KEY).callTool("echo", "{\"message\":\"hi\"}");
    List<ProcessHandle> children = Children.await(DemoServer.MARKER, found -> found.size() == 1, "one demo child", DEADLINE);

    host.close();
    host = null;

    Await.until(DEADLINE, "the demo child ends with the container", () -> children.stream().noneMatch(ProcessHandle::isAlive));
  }
}
