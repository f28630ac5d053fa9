package dev.mcpgateway.examples.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * A small MCP server on stdio, the backend the README's demo starts behind the gateway: tools
 * {@code echo}, {@code add} and {@code current_time}.
 *
 * <p>Speaks newline-delimited JSON-RPC 2.0 on stdin/stdout and logs only to stderr. Answers
 * {@code initialize} (offering the client's protocol version when it knows it, else the
 * newest), {@code ping}, {@code logging/setLevel}, {@code tools/list} and {@code tools/call};
 * ignores notifications and responses; answers an unknown method with -32601, a line that is
 * not JSON with -32700 and id {@code null}, a message that is not a request with -32600, and an
 * unknown tool with -32602. Ends when stdin ends.
 *
 * <pre>{@code
 * java -cp examples/target/mcp-gateway.jar dev.mcpgateway.examples.demo.DemoMcpServer
 * }</pre>
 *
 * <p>Handles one message at a time; not meant to be shared between threads.
 */
public final class DemoMcpServer {
  /** The protocol versions this server speaks, oldest first. */
  public static final List<String> PROTOCOL_VERSIONS = List.of("2025-03-26", "2025-06-18", "2025-11-25");

  private static final String LATEST = PROTOCOL_VERSIONS.get(PROTOCOL_VERSIONS.size() - 1);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DemoTools tools;

  /** A server whose {@code current_time} tool reads {@code clock}. */
  public DemoMcpServer(Clock clock) {
    this.tools = new DemoTools(JSON, clock);
  }

  /** Serves MCP on this process's stdin and stdout until stdin ends. */
  public static void main(String[] args) throws IOException {
    log("demo MCP server ready on stdio");
    new DemoMcpServer(Clock.systemUTC()).serve(System.in, System.out);
    log("stdin ended, exiting");
  }

  /**
   * Reads JSON-RPC lines from {@code in} and writes one answer line per request to {@code out},
   * flushing each; returns when {@code in} ends. Does not close either stream.
   */
  public void serve(InputStream in, OutputStream out) throws IOException {
    PrintStream writer = new PrintStream(out, false, StandardCharsets.UTF_8);
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      Optional<String> answer = handle(line);
      if (answer.isPresent()) {
        writer.print(answer.get());
        writer.print('\n');
        writer.flush();
      }
    }
  }

  /** The answer to one JSON-RPC line, or empty for notifications and responses. */
  public Optional<String> handle(String line) {
    JsonNode message;
    try {
      message = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      log("parse error: " + e.getOriginalMessage());
      return Optional.of(error(NullNode.getInstance(), -32700, "Parse error: not valid JSON"));
    }
    JsonNode id = message.get("id");
    if (!message.isObject() || !"2.0".equals(message.path("jsonrpc").asText(null))) {
      return Optional.of(error(validId(id), -32600, "Invalid Request: expected a JSON-RPC 2.0 object"));
    }
    if (!message.has("method")) {
      return Optional.empty(); // a response to a request we never send: ignore
    }
    if (!message.get("method").isTextual()) {
      return Optional.of(error(validId(id), -32600, "Invalid Request: method must be a string"));
    }
    String method = message.get("method").asText();
    if (id == null) {
      return Optional.empty(); // notifications, notifications/initialized included, need no answer
    }
    if (!id.isTextual() && !id.isIntegralNumber()) {
      return Optional.of(error(NullNode.getInstance(), -32600, "Invalid Request: id must be a string or number"));
    }
    JsonNode params = message.path("params");
    try {
      return Optional.of(result(id, dispatch(method, params)));
    } catch (DemoTools.CallException e) {
      return Optional.of(error(id, e.code(), e.getMessage()));
    }
  }

  private JsonNode dispatch(String method, JsonNode params) {
    switch (method) {
      case "initialize":
        return initialize(params);
      case "ping":
      case "logging/setLevel":
        return JSON.createObjectNode();
      case "tools/list":
        return JSON.createObjectNode().set("tools", tools.list());
      case "tools/call":
        if (!params.isObject() || !params.path("name").isTextual()) {
          throw new DemoTools.CallException(-32602, "Invalid params: tools/call needs a tool name");
        }
        return tools.call(params.get("name").asText(), params.path("arguments"));
      default:
        throw new DemoTools.CallException(-32601, "Method not found: " + method);
    }
  }

  private JsonNode initialize(JsonNode params) {
    String requested = params.path("protocolVersion").asText("");
    ObjectNode result = JSON.createObjectNode();
    result.put("protocolVersion", PROTOCOL_VERSIONS.contains(requested) ? requested : LATEST);
    ObjectNode capabilities = result.putObject("capabilities");
    capabilities.putObject("tools");
    capabilities.putObject("logging");
    result.putObject("serverInfo").put("name", "demo").put("title", "MCP gateway demo server").put("version", "1.0.0");
    result.put("instructions", "Tools: echo (repeats a message), add (sums two numbers), current_time (UTC now).");
    return result;
  }

  private static JsonNode validId(JsonNode id) {
    return id != null && (id.isTextual() || id.isIntegralNumber()) ? id : NullNode.getInstance();
  }

  private static String result(JsonNode id, JsonNode result) {
    ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("result", result);
    return response.toString();
  }

  private static String error(JsonNode id, int code, String message) {
    ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
    response.set("id", id);
    response.putObject("error").put("code", code).put("message", message);
    return response.toString();
  }

  private static void log(String message) {
    System.err.println("[demo-mcp-server] " + message);
  }
}
