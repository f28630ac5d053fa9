package dev.mcpgateway.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * JSON-RPC over a {@link NodeProcess}'s stdio, for tests that talk to an MCP server directly:
 * writes requests as JSON lines and waits for the response with a given id.
 *
 * <p>Not thread-safe; one per process.
 */
public final class StdioJson {
  /** The protocol version the helpers offer in {@code initialize}. */
  public static final String PROTOCOL_VERSION = "2025-11-25";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final NodeProcess process;
  private final Duration timeout;

  /** Talks to {@code process}, waiting at most {@code timeout} for each response. */
  public StdioJson(NodeProcess process, Duration timeout) {
    this.process = process;
    this.timeout = timeout;
  }

  /** Sends a request and returns the whole response message (with {@code result} or {@code error}). */
  public JsonNode request(int id, String method, JsonNode params) {
    ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    if (params != null) {
      message.set("params", params);
    }
    process.send(message.toString());
    String line = process.awaitLine(l -> isResponse(l, id), timeout);
    return parse(line);
  }

  /** Sends a notification (no answer expected). */
  public void notify(String method) {
    process.send(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method).toString());
  }

  /**
   * Runs the MCP handshake: {@code initialize} (id 0) then {@code notifications/initialized}.
   *
   * @return the initialize result
   */
  public JsonNode initialize() {
    ObjectNode params = JSON.createObjectNode().put("protocolVersion", PROTOCOL_VERSION);
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "gateway-test").put("version", "1.0.0");
    JsonNode response = request(0, "initialize", params);
    notify("notifications/initialized");
    return response.path("result");
  }

  /** Parses one JSON text. */
  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + json, e);
    }
  }

  /** A fresh empty JSON object, for request params. */
  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  private static boolean isResponse(String line, int id) {
    if (!line.startsWith("{")) {
      return false;
    }
    try {
      JsonNode node = JSON.readTree(line);
      return node.path("id").isIntegralNumber() && node.path("id").asInt() == id
          && (node.has("result") || node.has("error"));
    } catch (IOException notJson) {
      return false;
    }
  }
}
