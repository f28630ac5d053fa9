package dev.mcpgateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The npm reference MCP servers start from {@link NodeTools}' command lines and speak MCP on stdio. */
class ReferenceServersStdioTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @BeforeEach
  void needsNode() {
    NodeTools.assumeNode();
  }

  @Test
  void serverEverythingStartsOnStdioAndAnswersInitialize() throws Exception {
    long started = System.nanoTime();
    try (NodeProcess server = NodeTools.serverEverything().start()) {
      JsonNode result = new StdioJson(server, TIMEOUT).initialize();
      long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      System.err.println("server-everything answered initialize over stdio " + millis + " ms after start");

      assertThat(result.path("protocolVersion").asText()).isEqualTo(StdioJson.PROTOCOL_VERSION);
      assertThat(result.path("serverInfo").path("name").asText()).isEqualTo("mcp-servers/everything");
      assertThat(result.path("capabilities").has("tools")).isTrue();
    }
  }

  @Test
  void serverEverythingListsEchoAndTheLongRunningTool() throws Exception {
    try (NodeProcess server = NodeTools.serverEverything().start()) {
      StdioJson rpc = new StdioJson(server, TIMEOUT);
      rpc.initialize();

      JsonNode tools = rpc.request(1, "tools/list", StdioJson.object()).path("result").path("tools");
      JsonNode echo = rpc.request(2, "tools/call", echoCall("over stdio")).path("result");

      assertThat(names(tools)).contains("echo", "trigger-long-running-operation", "get-env");
      assertThat(echo.path("content").get(0).path("text").asText()).isEqualTo("Echo: over stdio");
    }
  }

  @Test
  void serverFilesystemStartsOnStdioAndListsTheAllowedDirectory(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("hello.txt"), "hi");
    try (NodeProcess server = NodeTools.serverFilesystem(dir).start()) {
      StdioJson rpc = new StdioJson(server, TIMEOUT);
      JsonNode result = rpc.initialize();
      JsonNode allowed = rpc.request(1, "tools/call", call("list_allowed_directories")).path("result");

      assertThat(result.path("serverInfo").path("name").asText()).contains("filesystem");
      assertThat(allowed.path("content").get(0).path("text").asText()).contains(dir.toRealPath().toString());
    }
  }

  @Test
  void serverMemoryKeepsItsGraphInTheGivenFile(@TempDir Path dir) throws Exception {
    Path memory = dir.resolve("memory.jsonl");
    try (NodeProcess server = NodeTools.serverMemory(memory).start()) {
      StdioJson rpc = new StdioJson(server, TIMEOUT);
      rpc.initialize();
      JsonNode params = call("create_entities");
      JsonNode entity = ((com.fasterxml.jackson.databind.node.ObjectNode) params.path("arguments"))
          .putArray("entities").addObject().put("name", "gateway").put("entityType", "project");
      ((com.fasterxml.jackson.databind.node.ObjectNode) entity).putArray("observations").add("written by a test");
      JsonNode created = rpc.request(1, "tools/call", params).path("result");

      assertThat(created.path("isError").asBoolean(false)).isFalse();
      assertThat(Files.readString(memory)).contains("\"gateway\"");
    }
  }

  private static JsonNode echoCall(String message) {
    JsonNode params = call("echo");
    ((com.fasterxml.jackson.databind.node.ObjectNode) params.path("arguments")).put("message", message);
    return params;
  }

  private static JsonNode call(String tool) {
    var params = StdioJson.object().put("name", tool);
    params.putObject("arguments");
    return params;
  }

  private static List<String> names(JsonNode tools) {
    List<String> names = new ArrayList<>();
    tools.forEach(tool -> names.add(tool.path("name").asText()));
    return names;
  }
}
