package dev.mcpgateway.examples.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.config.ServerConfig;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A small MCP server on stdio, run as a real child process, that appends every line it receives
 * to a file before it acts on it: what reached the backend can be read back exactly. Tools:
 * {@code allowed_echo} and {@code forbidden_tool} (both echo {@code text}); it answers
 * {@code initialize}, {@code ping} and {@code tools/list}, and -32601 to anything else.
 */
public final class RecordingServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RecordingServer() {}

  /** A server config that runs this server, recording to {@code record}, allowed only {@code allowedTools}. */
  public static ServerConfig config(String name, Path record, List<String> allowedTools) {
    List<String> line = new ArrayList<>(List.of(DemoServer.java(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), RecordingServer.class.getName(), record.toString()));
    return ServerConfig.command(line.get(0)).args(line.subList(1, line.size())).tools(allowedTools).build(name);
  }

  /** Every message the server received so far, in order. */
  public static List<JsonNode> received(Path record) throws IOException {
    List<JsonNode> messages = new ArrayList<>();
    if (!Files.exists(record)) {
      return messages;
    }
    for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        messages.add(JSON.readTree(line));
      }
    }
    return messages;
  }

  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (BufferedWriter record = Files.newBufferedWriter(Path.of(args[0]), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        record.write(line);
        record.newLine();
        record.flush();
        JsonNode message;
        try {
          message = JSON.readTree(line);
        } catch (IOException e) {
          continue;
        }
        JsonNode id = message.get("id");
        if (id == null || !message.has("method")) {
          continue; // notifications and responses get no answer
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("jsonrpc", "2.0");
        answer.set("id", id);
        String method = message.path("method").asText();
        switch (method) {
          case "initialize": {
            ObjectNode result = answer.putObject("result");
            result.put("protocolVersion", message.path("params").path("protocolVersion").asText("2025-06-18"));
            result.putObject("capabilities").putObject("tools");
            result.putObject("serverInfo").put("name", "recording").put("version", "1");
            break;
          }
          case "ping":
            answer.putObject("result");
            break;
          case "tools/list": {
            var tools = answer.putObject("result").putArray("tools");
            for (String tool : List.of("allowed_echo", "forbidden_tool")) {
              ObjectNode t = tools.addObject();
              t.put("name", tool);
              t.put("description", "echoes text");
              t.putObject("inputSchema").put("type", "object");
            }
            break;
          }
          case "tools/call": {
            ObjectNode result = answer.putObject("result");
            result.putArray("content").addObject().put("type", "text")
                .put("text", message.path("params").path("arguments").path("text").asText(""));
            break;
          }
          default:
            answer.putObject("error").put("code", -32601).put("message", "method not found: " + method);
        }
        out.println(JSON.writeValueAsString(answer));
        out.flush();
      }
    }
  }
}
