package dev.mcpgateway.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.EventStream;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Drives a gateway through its programmatic API, as an MCP client would over HTTP. */
public final class TestClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final McpGateway gateway;
  private final String server;
  private final String authorization;
  private String sessionId;
  private long nextId;

  public TestClient(McpGateway gateway, String server, String authorization) {
    this.gateway = gateway;
    this.server = server;
    this.authorization = authorization;
  }

  public String sessionId() {
    return sessionId;
  }

  /** Uses an existing session. */
  public TestClient withSession(String sessionId) {
    this.sessionId = sessionId;
    return this;
  }

  /** Sends initialize, declaring sampling and elicitation (it answers both), and remembers the session id. */
  public JsonNode initialize() {
    GatewayResponse response = post("{\"jsonrpc\":\"2.0\",\"id\":" + (++nextId)
        + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"sampling\":{},\"elicitation\":{}},"
        + "\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}");
    sessionId = response.headers().get("Mcp-Session-Id");
    if (response.status() != 200 || sessionId == null) {
      throw new AssertionError("initialize failed: " + response + " " + response.bodyText());
    }
    post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    return parse(response.bodyText());
  }

  /** Calls a method and returns the JSON-RPC response object. */
  public JsonNode request(String method, String paramsJson) {
    GatewayResponse response = post("{\"jsonrpc\":\"2.0\",\"id\":" + (++nextId) + ",\"method\":\"" + method + "\""
        + (paramsJson == null ? "" : ",\"params\":" + paramsJson) + "}");
    return parse(bodyOf(response));
  }

  /** Calls a tool and returns the text of its first content item, or the error message. */
  public String callTool(String name, String argumentsJson) {
    JsonNode response = request("tools/call", "{\"name\":\"" + name + "\",\"arguments\":" + argumentsJson + "}");
    if (response.has("error")) {
      return "error: " + response.path("error").path("message").asText();
    }
    return response.path("result").path("content").path(0).path("text").asText();
  }

  public GatewayResponse post(String body) {
    GatewayRequest.Builder builder = GatewayRequest.post(server.isEmpty() ? "/mcp" : "/mcp/" + server)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .body(body);
    return send(builder);
  }

  public GatewayResponse delete() {
    return send(GatewayRequest.delete(server.isEmpty() ? "/mcp" : "/mcp/" + server));
  }

  /**
   * Sends a request with this client's key and session, unless the request carries its own
   * (the gateway refuses a request with two of either).
   */
  public GatewayResponse send(GatewayRequest.Builder builder) {
    GatewayRequest given = builder.build();
    GatewayRequest.Builder request = given.toBuilder().remoteAddress("127.0.0.1:40000");
    if (authorization != null && given.header("authorization").isEmpty()) {
      request.header("Authorization", authorization);
    }
    if (sessionId != null && given.header("mcp-session-id").isEmpty()) {
      request.header("Mcp-Session-Id", sessionId);
    }
    return Await.result(gateway.handle(request.build()));
  }

  /** The JSON of a response: its body, or the data of the last event of its stream. */
  public static String bodyOf(GatewayResponse response) {
    if (response.stream().isEmpty()) {
      return response.bodyText();
    }
    List<String> events = readEvents(response.stream().get(), Duration.ofSeconds(30));
    return events.isEmpty() ? "" : events.get(events.size() - 1);
  }

  /** Reads the data of every event until the stream closes. */
  public static List<String> readEvents(EventStream stream, Duration timeout) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    stream.open(new EventStream.EventSink() {
      @Override
      public synchronized void write(byte[] sseBytes) {
        bytes.write(sseBytes, 0, sseBytes.length);
      }

      @Override
      public void close() {
        closed.complete(null);
      }
    });
    Await.result(closed, timeout);
    List<String> data = new ArrayList<>();
    String text;
    synchronized (bytes) {
      text = bytes.toString(StandardCharsets.UTF_8);
    }
    for (String line : text.split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    return data;
  }

  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
