package com.example.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A tiny MCP server on stdio, newline-delimited JSON-RPC: answers {@code initialize},
 * {@code ping}, {@code tools/list} and {@code tools/call} of its one tool {@code echo}, which
 * returns its {@code text} argument; ignores notifications and responses. Ends when stdin ends.
 */
public final class EchoMcpServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EchoMcpServer() {}

  /** The command line that runs this server in a new JVM, with the class path it needs. */
  public static List<String> commandLine() {
    String classPath = Stream.of(EchoMcpServer.class, ObjectMapper.class,
            com.fasterxml.jackson.core.JsonFactory.class, com.fasterxml.jackson.annotation.JsonProperty.class)
        .map(EchoMcpServer::location)
        .distinct()
        .collect(Collectors.joining(java.io.File.pathSeparator));
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", classPath, EchoMcpServer.class.getName());
  }

  /**
   * Writes {@code gateway.json} into {@code dir}: API key {@code apiKey}, payloads under
   * {@code dir}, and this server as the {@code command} server {@code name}. Returns its path.
   */
  public static Path writeGatewayConfig(Path dir, String name, String apiKey) throws IOException {
    List<String> command = commandLine();
    ObjectNode config = JSON.createObjectNode();
    config.putObject("gateway").put("apiKey", apiKey).put("payloadDir", dir.resolve("payloads").toString());
    ObjectNode server = config.putObject("mcpServers").putObject(name).put("type", "stdio").put("command", command.get(0));
    command.subList(1, command.size()).forEach(server.putArray("args")::add);
    return Files.writeString(dir.resolve("gateway.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
  }

  private static String location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isBlank()) {
        continue;
      }
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
        case "ping" -> answer.set("result", JSON.createObjectNode());
        case "tools/list" -> answer.set("result", JSON.readTree("{\"tools\":[{\"name\":\"echo\","
            + "\"description\":\"Returns its text\",\"inputSchema\":{\"type\":\"object\","
            + "\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}}]}"));
        case "tools/call" -> {
          ObjectNode content = JSON.createObjectNode().put("type", "text")
              .put("text", params.path("arguments").path("text").asText());
          answer.set("result", JSON.createObjectNode().set("content", JSON.createArrayNode().add(content)));
        }
        default -> answer.set("error", JSON.createObjectNode().put("code", -32601).put("message", "method not found"));
      }
      out.println(JSON.writeValueAsString(answer));
    }
  }
}
