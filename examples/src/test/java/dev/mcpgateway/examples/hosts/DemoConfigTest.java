package dev.mcpgateway.examples.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.examples.demo.DemoMcpServer;
import dev.mcpgateway.examples.runner.GatewayRunner;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.examples.support.DemoServer;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.testsupport.NodeCommand;
import dev.mcpgateway.testsupport.NodeProcess;
import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as the README runs it: {@code java -jar examples/target/mcp-gateway.jar --config
 * examples/src/main/resources/demo-config.json}, from the repository root, with the demo
 * config unchanged. Tests run before the shaded jar is built, so the jar here is a stand-in
 * with the same name, main class and classes (a manifest pointing at this class path), in a
 * directory laid out like the repository.
 */
class DemoConfigTest {
  private static final Path DEMO_CONFIG = Path.of("src/main/resources/demo-config.json").toAbsolutePath();
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir
  Path root;
  private NodeProcess runner;

  @AfterEach
  void stop() {
    if (runner != null) {
      runner.close();
    }
    Children.await(DemoMcpServer.class.getName(), List::isEmpty, "no demo child left", DEADLINE);
  }

  /** {@code root/examples/target/mcp-gateway.jar}: Main-Class the runner, Class-Path this class path. */
  private void standInJar() throws Exception {
    Path jar = Files.createDirectories(root.resolve("examples/target")).resolve("mcp-gateway.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, GatewayRunner.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, List.of(System.getProperty("java.class.path")
        .split(File.pathSeparator)).stream().map(entry -> Path.of(entry).toUri().toString()).collect(Collectors.joining(" ")));
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      // a manifest-only jar
    }
  }

  @Test
  void theReadmeCommandServesTheDemoServerWithNothingButTheJdk() throws Exception {
    standInJar();
    runner = NodeCommand.of(List.of(DemoServer.java(), "-jar", "examples/target/mcp-gateway.jar",
        "--config", DEMO_CONFIG.toString(), "--listen", "127.0.0.1:0")).start(root);

    JsonNode printed = McpHttp.JSON.readTree(runner.awaitLine(line -> true, DEADLINE));
    String url = printed.path("mcpServers").path("demo").path("url").asText();
    McpHttp.Session session = new McpHttp(url.substring(0, url.indexOf("/mcp/"))).open("/mcp/demo", null);
    JsonNode echo = session.callTool("echo", "{\"message\":\"demo\"}").path("result");
    ProcessHandle child = Children.await(runner.process().toHandle(), DemoMcpServer.class.getName(),
        found -> found.size() == 1, "the demo child", DEADLINE).get(0);

    assertThat(printed.path("mcpServers").path("demo").has("headers")).isFalse();
    assertThat(McpHttp.toolNames(session.call("tools/list", "{}").path("result"))).containsExactly("echo", "add", "current_time");
    assertThat(echo.path("content").get(0).path("text").asText()).isEqualTo("demo");
    assertThat(runner.stderr()).contains("Server 'demo' runs 'java' as a host process, without container isolation")
        .contains("Authentication is off");

    assertThat(runner.process().toHandle().destroy()).isTrue();
    assertThat(runner.awaitExit(DEADLINE)).isEqualTo(143);
    assertThat(child.isAlive()).isFalse();
    assertThat(runner.stderr()).contains("MCP gateway closed: 1 server process(es) terminated");
  }
}
