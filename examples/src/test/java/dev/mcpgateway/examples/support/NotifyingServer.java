package dev.mcpgateway.examples.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * A small MCP server on stdio, run as a real child process, that records every line it receives
 * (read them back with {@link RecordingServer#received}) and sends log messages and resource
 * notifications when a tool asks, as a server with the {@code logging} and
 * {@code resources.subscribe} capabilities does.
 *
 * <p>It answers {@code logging/setLevel} (and from then on sends only messages at or above that
 * level, as SDK servers do; it refuses {@code alert}), {@code resources/subscribe} (refusing uris
 * that start with {@code refused:}) and {@code resources/unsubscribe}. Its tools answer first and
 * then notify, so that no call is in flight when the notifications arrive: {@code log} sends one
 * {@code notifications/message} per level from {@code debug} to {@code emergency} with data
 * {@code "<level> <tag>"}, and {@code update} sends {@code notifications/resources/updated} for
 * each uri in {@code uris}. Both end with {@code notifications/resources/list_changed} whose params
 * carry {@code marker: tag}: every session of the backend receives it, after what came before.
 * {@code crash} exits at once, without an answer.
 */
public final class NotifyingServer {
  /** MCP's log levels, from the most verbose. */
  public static final List<String> LEVELS = List.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");

  private static final ObjectMapper JSON = new ObjectMapper();

  private NotifyingServer() {}

  /** A server config named {@code name} that runs this server, recording to {@code record}. */
  public static ServerConfig config(String name, Path record) {
    List<String> line = new ArrayList<>(List.of(DemoServer.java(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), NotifyingServer.class.getName(), record.toString()));
    return ServerConfig.command(line.get(0)).args(line.subList(1, line.size())).build(name);
  }

  /** The requests with {@code method} that the server received, in order. */
  public static List<JsonNode> requests(Path record, String method) throws IOException {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode message : RecordingServer.received(record)) {
      if (method.equals(message.path("method").asText()) && message.has("id")) {
        found.add(message);
      }
    }
    return found;
  }

  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int level = 0; // until a client sets one, every message goes out
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
        String method = message.path("method").asText();
        JsonNode params = message.path("params");
        List<ObjectNode> after = new ArrayList<>();
        ObjectNode answer = JSON.createObjectNode();
        answer.put("jsonrpc", "2.0");
        answer.set("id", id);
        switch (method) {
          case "initialize": {
            ObjectNode result = answer.putObject("result");
            result.put("protocolVersion", params.path("protocolVersion").asText("2025-06-18"));
            ObjectNode capabilities = result.putObject("capabilities");
            capabilities.putObject("tools");
            capabilities.putObject("logging");
            capabilities.putObject("resources").put("subscribe", true).put("listChanged", true);
            result.putObject("serverInfo").put("name", "notifying").put("version", "1");
            break;
          }
          case "logging/setLevel": {
            String asked = params.path("level").asText();
            if (asked.equals("alert") || !LEVELS.contains(asked)) {
              error(answer, -32602, "this server does not log at level " + asked);
            } else {
              level = LEVELS.indexOf(asked);
              answer.putObject("result");
            }
            break;
          }
          case "resources/subscribe":
            if (params.path("uri").asText().startsWith("refused:")) {
              error(answer, -32602, "this server does not watch " + params.path("uri").asText());
            } else {
              answer.putObject("result");
            }
            break;
          case "resources/unsubscribe":
          case "ping":
            answer.putObject("result");
            break;
          case "tools/list": {
            ArrayNode tools = answer.putObject("result").putArray("tools");
            for (String tool : List.of("log", "update", "crash")) {
              ObjectNode t = tools.addObject();
              t.put("name", tool);
              t.put("description", "answers, then notifies");
              t.putObject("inputSchema").put("type", "object");
            }
            break;
          }
          case "tools/call": {
            JsonNode arguments = params.path("arguments");
            String tag = arguments.path("tag").asText("");
            if (params.path("name").asText().equals("crash")) {
              System.exit(3);
            } else if (params.path("name").asText().equals("log")) {
              for (int i = level; i < LEVELS.size(); i++) {
                ObjectNode log = notification(after, "notifications/message");
                log.put("level", LEVELS.get(i)).put("data", LEVELS.get(i) + " " + tag);
              }
            } else {
              for (JsonNode uri : arguments.path("uris")) {
                notification(after, "notifications/resources/updated").put("uri", uri.asText());
              }
            }
            notification(after, "notifications/resources/list_changed").put("marker", tag);
            answer.putObject("result").putArray("content").addObject().put("type", "text").put("text", "sent " + tag);
            break;
          }
          default:
            error(answer, -32601, "method not found: " + method);
        }
        out.println(JSON.writeValueAsString(answer));
        for (ObjectNode note : after) {
          out.println(JSON.writeValueAsString(note));
        }
        out.flush();
      }
    }
  }

  /** Adds a notification to {@code after} and returns its params. */
  private static ObjectNode notification(List<ObjectNode> after, String method) {
    ObjectNode note = JSON.createObjectNode();
    note.put("jsonrpc", "2.0");
    note.put("method", method);
    after.add(note);
    return note.putObject("params");
  }

  private static void error(ObjectNode answer, int code, String message) {
    answer.putObject("error").put("code", code).put("message", message);
  }
}
