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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small MCP server on stdio, run as a real child process, whose tools ask the client things
 * and which appends every line it receives to a file before it acts on it (read back with
 * {@link RecordingServer#received}).
 *
 * <p>Tools, each on its own thread:
 * <ul>
 *   <li>{@code ask}: sends {@code method} ({@code sampling/createMessage} by default,
 *       {@code elicitation/create}, {@code roots/list}) to the client with the id
 *       {@code ask-<n>}, waits for the client's answer and returns it as JSON text;</li>
 *   <li>{@code withdraw}: sends {@code sampling/createMessage} with the id {@code ask-<n>}, then
 *       {@code notifications/cancelled} for it, and returns {@code "withdrew ask-<n>"} without
 *       waiting;</li>
 *   <li>{@code cancel}: sends {@code notifications/cancelled} naming {@code requestId} (any JSON
 *       value), an id it never used, and returns {@code "cancelled"};</li>
 *   <li>{@code progress}: sends {@code steps} progress notifications for the call's token, then
 *       returns {@code "done"};</li>
 *   <li>{@code hold}: sends {@code sampling/createMessage} with the id {@code ask-<n>} and
 *       answers only when a {@code release} call says so, not on the client's answer, with
 *       {@code "released ask-<n> unanswered"} (as a server whose own request timed out does);</li>
 *   <li>{@code release}: answers every {@code hold} call in progress, then returns
 *       {@code "released <count>"}, so the held results come first;</li>
 *   <li>{@code block}: never answers (until the gateway cancels it, which it records).</li>
 * </ul>
 */
public final class AskingServer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
      StandardCharsets.UTF_8);
  private static final ConcurrentHashMap<String, CompletableFuture<JsonNode>> WAITING = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong();
  /** The {@code hold} calls not answered yet. */
  private static final java.util.Queue<Held> HELD = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** A {@code hold} call: its request id, and the id of the request it sent the client. */
  private record Held(JsonNode callId, String askId) {}

  private AskingServer() {}

  /** A server config that runs this server, recording to {@code record}. */
  public static ServerConfig config(String name, Path record) {
    List<String> line = List.of(DemoServer.java(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), AskingServer.class.getName(), record.toString());
    return ServerConfig.command(line.get(0)).args(line.subList(1, line.size())).build(name);
  }

  public static void main(String[] args) throws IOException {
    ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable);
      thread.setDaemon(true);
      return thread;
    });
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
        if (!message.has("method")) {
          CompletableFuture<JsonNode> waiting = id == null ? null : WAITING.remove(id.asText());
          if (waiting != null) {
            waiting.complete(message);
          }
        } else if (id != null) {
          workers.execute(() -> handle(id, message));
        }
      }
    }
  }

  private static void handle(JsonNode id, JsonNode message) {
    String method = message.path("method").asText();
    JsonNode params = message.path("params");
    ObjectNode result = JSON.createObjectNode();
    switch (method) {
      case "initialize":
        result.put("protocolVersion", params.path("protocolVersion").asText("2025-06-18"));
        result.putObject("capabilities").putObject("tools");
        result.putObject("serverInfo").put("name", "asking").put("version", "1");
        break;
      case "ping":
        break;
      case "tools/list":
        for (String tool : List.of("ask", "withdraw", "cancel", "progress", "block", "hold", "release")) {
          ObjectNode t = result.withArray("tools").addObject();
          t.put("name", tool);
          t.putObject("inputSchema").put("type", "object");
        }
        break;
      case "tools/call": {
        if (params.path("name").asText().equals("hold")) {
          String askId = "ask-" + IDS.incrementAndGet();
          HELD.add(new Held(id, askId));
          write(request(askId, "sampling/createMessage"));
          return; // answered by release
        }
        String text = call(params);
        if (text == null) {
          return; // block: no answer
        }
        result.putArray("content").addObject().put("type", "text").put("text", text);
        break;
      }
      default:
        ObjectNode error = JSON.createObjectNode();
        error.put("jsonrpc", "2.0");
        error.set("id", id);
        error.putObject("error").put("code", -32601).put("message", "method not found: " + method);
        write(error);
        return;
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("jsonrpc", "2.0");
    answer.set("id", id);
    answer.set("result", result);
    write(answer);
  }

  /** Runs a tool; its result text, or null when it does not answer. */
  private static String call(JsonNode params) {
    JsonNode args = params.path("arguments");
    switch (params.path("name").asText()) {
      case "ask": {
        String askId = "ask-" + IDS.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        WAITING.put(askId, answer);
        write(request(askId, args.path("method").asText("sampling/createMessage")));
        return answer.join().toString();
      }
      case "withdraw": {
        String askId = "ask-" + IDS.incrementAndGet();
        write(request(askId, "sampling/createMessage"));
        ObjectNode cancelled = JSON.createObjectNode();
        cancelled.put("jsonrpc", "2.0");
        cancelled.put("method", "notifications/cancelled");
        cancelled.putObject("params").put("requestId", askId).put("reason", "the tool changed its mind");
        write(cancelled);
        return "withdrew " + askId;
      }
      case "cancel": {
        ObjectNode cancelled = JSON.createObjectNode();
        cancelled.put("jsonrpc", "2.0");
        cancelled.put("method", "notifications/cancelled");
        cancelled.putObject("params").put("reason", "no such request").set("requestId", args.path("requestId"));
        write(cancelled);
        return "cancelled";
      }
      case "progress": {
        JsonNode token = params.path("_meta").get("progressToken");
        int steps = args.path("steps").asInt(2);
        for (int i = 1; i <= steps && token != null; i++) {
          ObjectNode note = JSON.createObjectNode();
          note.put("jsonrpc", "2.0");
          note.put("method", "notifications/progress");
          note.putObject("params").put("progress", i).put("total", steps).set("progressToken", token);
          write(note);
        }
        return "done";
      }
      case "release": {
        int count = 0;
        Held held;
        while ((held = HELD.poll()) != null) {
          ObjectNode answer = JSON.createObjectNode();
          answer.put("jsonrpc", "2.0");
          answer.set("id", held.callId());
          answer.putObject("result").putArray("content").addObject().put("type", "text")
              .put("text", "released " + held.askId() + " unanswered");
          write(answer);
          count++;
        }
        return "released " + count;
      }
      case "block":
        return null;
      default:
        return "unknown tool " + params.path("name").asText();
    }
  }

  private static ObjectNode request(String id, String method) {
    ObjectNode request = JSON.createObjectNode();
    request.put("jsonrpc", "2.0");
    request.put("id", id);
    request.put("method", method);
    ObjectNode params = request.putObject("params");
    if (method.equals("sampling/createMessage")) {
      params.put("maxTokens", 10).putArray("messages").addObject().put("role", "user").putObject("content")
          .put("type", "text").put("text", "asked as " + id);
    } else if (method.equals("elicitation/create")) {
      params.put("message", "asked as " + id).putObject("requestedSchema").put("type", "object");
    }
    return request;
  }

  private static synchronized void write(JsonNode message) {
    try {
      OUT.println(JSON.writeValueAsString(message));
      OUT.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
