package dev.mcpgateway.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny MCP server on stdio, run by the end-to-end test as a real child process: it answers
 * {@code initialize}, {@code tools/list} and {@code tools/call echo} with newline-delimited
 * JSON-RPC and ignores notifications.
 */
public final class EchoBackend {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EchoBackend() {}

  /** The command line that starts this backend with the test class path. */
  static List<String> commandLine() {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), EchoBackend.class.getName());
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      JsonNode message = JSON.readTree(line);
      if (!message.hasNonNull("id") || !message.has("method")) {
        continue; // a notification or a response: nothing to answer
      }
      ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0").set("id", message.get("id"));
      JsonNode params = message.path("params");
      switch (message.get("method").asText()) {
        case "initialize" -> answer.set("result", JSON.createObjectNode()
            .put("protocolVersion", params.path("protocolVersion").asText("2025-06-18"))
            .<ObjectNode>set("capabilities", JSON.createObjectNode().set("tools", JSON.createObjectNode()))
            .set("serverInfo", JSON.createObjectNode().put("name", "echo").put("version", "1.0")));
        case "tools/list" -> answer.set("result", JSON.readTree("{\"tools\":[{\"name\":\"echo\",\"description\":\"Echoes text\","
            + "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}}]}"));
        case "tools/call" -> {
          ObjectNode content = JSON.createObjectNode().put("type", "text")
              .put("text", params.path("arguments").path("text").asText());
          answer.set("result", JSON.createObjectNode().set("content", JSON.createArrayNode().add(content)));
        }
        case "ping" -> answer.set("result", JSON.createObjectNode());
        default -> answer.set("error", JSON.createObjectNode().put("code", -32601).put("message", "method not found"));
      }
      out.println(JSON.writeValueAsString(answer));
    }
  }
}
