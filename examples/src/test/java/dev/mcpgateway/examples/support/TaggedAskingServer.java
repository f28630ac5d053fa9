package dev.mcpgateway.examples.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.config.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small MCP server on stdio, run as a real child process, whose tool asks the client: on
 * {@code ask} it sends {@code sampling/createMessage}, {@code elicitation/create} and
 * {@code roots/list} (those named in {@code asks}, in that order) to the client, each carrying the
 * call's {@code tag} (in {@code _meta.tag}, and in the text of the first two), waits for each
 * answer, and returns them all: so a test sees which client answered which call, and a request
 * shown to the wrong session is visible twice over.
 *
 * <p>The result's text is JSON: {@code {"tag", "pid", "capabilities", "level", "answers": {method:
 * result or error}}}, where {@code capabilities} is what the gateway initialized this backend with
 * and {@code level} what it was last set to with {@code logging/setLevel} (which it answers). Calls
 * run concurrently: the server handles every message as it comes and never blocks on an answer.
 * Also: {@code pid}, and {@code ask-after}, which answers at once and only then asks the client
 * for sampling (a request no call is in flight for). Server request ids are strings
 * ({@code "ask-1"}, ...). Given a file, the server appends every line it receives to it.
 */
public final class TaggedAskingServer {
  /** Every child's command line contains this, early (the class path makes the line long). */
  public static final String MARKER = "-Dmcp.e2e.backend=tagged-asking";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ORDER = List.of("sampling", "elicitation", "roots");

  private final PrintStream out;
  /** Requests sent to the client and not answered yet, by their id. */
  private final Map<String, Sent> pending = new HashMap<>();
  private JsonNode capabilities = JSON.createObjectNode();
  /** The level of the latest {@code logging/setLevel}. */
  private String level = "unset";
  private long nextId;

  /** One {@code ask} call: its id, tag, the requests still to send and the answers so far. */
  private static final class Ask {
    final JsonNode callId;
    final String tag;
    final Deque<String> toSend;
    final ObjectNode answers = JSON.createObjectNode();

    Ask(JsonNode callId, String tag, Deque<String> toSend) {
      this.callId = callId;
      this.tag = tag;
      this.toSend = toSend;
    }
  }

  /** A request sent for a call. */
  private record Sent(Ask ask, String method) {}

  private TaggedAskingServer(PrintStream out) {
    this.out = out;
  }

  /** A server config that runs this server as a host process. */
  public static ServerConfig.Builder config() {
    return ServerConfig.command(DemoServer.java()).args(arguments());
  }

  /** {@link #config()}, recording every line the server receives to {@code record}. */
  public static ServerConfig.Builder config(java.nio.file.Path record) {
    List<String> args = new java.util.ArrayList<>(arguments());
    args.add(record.toString());
    return ServerConfig.command(DemoServer.java()).args(args);
  }

  private static List<String> arguments() {
    return List.of(MARKER, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        TaggedAskingServer.class.getName());
  }

  /** The arguments of an {@code ask} call. */
  public static String arguments(String tag, String... asks) {
    ArrayNode list = JSON.createArrayNode();
    for (String ask : asks) {
      list.add(ask);
    }
    return "{\"tag\":\"" + tag + "\",\"asks\":" + list + "}";
  }

  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    TaggedAskingServer server = new TaggedAskingServer(out);
    java.io.Writer record = args.length > 0 ? java.nio.file.Files.newBufferedWriter(java.nio.file.Path.of(args[0]),
        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND) : null;
    String line;
    while ((line = in.readLine()) != null) {
      if (record != null) {
        record.write(line + "\n");
        record.flush();
      }
      try {
        server.handle(JSON.readTree(line));
      } catch (IOException e) {
        // not JSON: ignored
      }
    }
  }

  private void handle(JsonNode message) throws IOException {
    JsonNode id = message.get("id");
    String method = message.path("method").asText(null);
    if (method == null) {
      Sent sent = id == null ? null : pending.remove(id.asText());
      if (sent != null) {
        sent.ask().answers.set(sent.method(), message.has("result") ? message.get("result") : message.path("error"));
        next(sent.ask());
      }
      return;
    }
    if (id == null) {
      return; // notifications
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("jsonrpc", "2.0");
    answer.set("id", id);
    switch (method) {
      case "initialize": {
        capabilities = message.path("params").path("capabilities");
        ObjectNode result = answer.putObject("result");
        result.put("protocolVersion", message.path("params").path("protocolVersion").asText("2025-06-18"));
        result.putObject("capabilities").putObject("tools");
        result.putObject("serverInfo").put("name", "asking").put("version", "1");
        break;
      }
      case "ping":
        answer.putObject("result");
        break;
      case "logging/setLevel":
        level = message.path("params").path("level").asText();
        answer.putObject("result");
        break;
      case "tools/list": {
        ArrayNode tools = answer.putObject("result").putArray("tools");
        for (String tool : List.of("ask", "ask-after", "pid")) {
          ObjectNode t = tools.addObject();
          t.put("name", tool);
          t.put("description", tool.equals("ask") ? "asks the client" : "the server's process id");
          t.putObject("inputSchema").put("type", "object");
        }
        break;
      }
      case "tools/call":
        if ("ask".equals(message.path("params").path("name").asText())) {
          JsonNode arguments = message.path("params").path("arguments");
          Deque<String> asks = new ArrayDeque<>();
          for (String name : ORDER) {
            for (JsonNode ask : arguments.path("asks")) {
              if (ask.asText().equals(name)) {
                asks.add(name);
              }
            }
          }
          next(new Ask(id, arguments.path("tag").asText(), asks));
          return;
        }
        if ("ask-after".equals(message.path("params").path("name").asText())) {
          answer.set("result", text("asking after this answer"));
          send(answer);
          Ask late = new Ask(null, message.path("params").path("arguments").path("tag").asText(),
              new ArrayDeque<>(List.of("sampling")));
          next(late);
          return;
        }
        answer.set("result", text(Long.toString(ProcessHandle.current().pid())));
        break;
      default:
        answer.putObject("error").put("code", -32601).put("message", "method not found: " + method);
    }
    send(answer);
  }

  /** Sends the call's next request to the client, or its result when none is left. */
  private void next(Ask ask) throws IOException {
    String name = ask.toSend.poll();
    if (name == null && ask.callId == null) {
      return; // asked after its call ended: the answer is only recorded
    }
    if (name == null) {
      ObjectNode body = JSON.createObjectNode();
      body.put("tag", ask.tag);
      body.put("pid", ProcessHandle.current().pid());
      body.set("capabilities", capabilities);
      body.put("level", level);
      body.set("answers", ask.answers);
      ObjectNode answer = JSON.createObjectNode();
      answer.put("jsonrpc", "2.0");
      answer.set("id", ask.callId);
      answer.set("result", text(JSON.writeValueAsString(body)));
      send(answer);
      return;
    }
    String requestId = "ask-" + (++nextId);
    ObjectNode request = JSON.createObjectNode();
    request.put("jsonrpc", "2.0");
    request.put("id", requestId);
    ObjectNode params = request.putObject("params");
    switch (name) {
      case "sampling":
        request.put("method", "sampling/createMessage");
        params.putArray("messages").addObject().put("role", "user").putObject("content").put("type", "text")
            .put("text", "tag:" + ask.tag);
        params.put("maxTokens", 10);
        break;
      case "elicitation":
        request.put("method", "elicitation/create");
        params.put("message", "tag:" + ask.tag);
        params.putObject("requestedSchema").put("type", "object").putObject("properties").putObject("answer").put("type", "string");
        break;
      default:
        request.put("method", "roots/list");
    }
    params.putObject("_meta").put("tag", ask.tag);
    pending.put(requestId, new Sent(ask, request.get("method").asText()));
    send(request);
  }

  private static ObjectNode text(String text) {
    ObjectNode result = JSON.createObjectNode();
    result.putArray("content").addObject().put("type", "text").put("text", text);
    return result;
  }

  private void send(ObjectNode message) throws IOException {
    out.println(JSON.writeValueAsString(message));
    out.flush();
  }
}
