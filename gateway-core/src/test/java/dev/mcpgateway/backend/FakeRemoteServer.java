package dev.mcpgateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny Streamable HTTP MCP server on loopback (JDK {@link HttpServer}) that records every
 * request's method and headers. It is session-based: {@code server/discover}, the probe for the
 * stateless revision, gets 400 as from the TypeScript SDK. It knows {@code initialize}, {@code tools/list} and
 * {@code tools/call} of {@code echo} (JSON answer), {@code dropped} (an SSE answer whose stream
 * drops after one event; the answer comes when the client resumes with {@code Last-Event-ID})
 * and {@code broken} (HTTP 500), {@code big} (a result of {@code chars} characters of
 * {@code unit}, written as it goes in 64 KiB blocks: a JSON body, or with {@code sse} one SSE
 * event; with {@code idLast} the id comes after the result, as the TypeScript SDK writes it).
 */
final class FakeRemoteServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as the server saw it; header names in lower case. */
  record Seen(String method, String rpcMethod, Map<String, String> headers) {}

  private final HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger sessions = new AtomicInteger();

  FakeRemoteServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/mcp", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
      String method = exchange.getRequestMethod();
      if (method.equals("GET")) {
        seen.add(new Seen(method, null, headers));
        if ("e1".equals(headers.get("last-event-id"))) {
          sse(exchange, "id: e2\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + droppedId + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"resumed\"}]}}\n\n");
          return;
        }
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      if (method.equals("DELETE")) {
        seen.add(new Seen(method, null, headers));
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      String rpcMethod = body.path("method").asText(null);
      seen.add(new Seen(method, rpcMethod, headers));
      JsonNode id = body.get("id");
      if (id == null || rpcMethod == null) {
        exchange.sendResponseHeaders(202, -1);
        return;
      }
      switch (rpcMethod) {
        case "server/discover":
          // what a session-based server (the TypeScript SDK's) answers a request outside a session
          json(exchange, 400, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"Bad Request: No valid session ID provided\"},"
              + "\"id\":null}");
          return;
        case "initialize":
          exchange.getResponseHeaders().add("Mcp-Session-Id", "remote-session-" + sessions.incrementAndGet());
          json(exchange, 200, result(id, "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"tools\":{}},"
              + "\"serverInfo\":{\"name\":\"fake-remote\",\"version\":\"1\"}}"));
          return;
        case "tools/list":
          json(exchange, 200, result(id, "{\"tools\":[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\"}}]}"));
          return;
        default:
          break;
      }
      String tool = body.path("params").path("name").asText();
      if (tool.equals("big")) {
        big(exchange, id, body.path("params").path("arguments"));
      } else if (tool.equals("broken")) {
        json(exchange, 500, "{\"error\":\"internal\"}");
      } else if (tool.equals("dropped")) {
        droppedId = id.toString();
        sse(exchange, "id: e1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"working\"}}\n\n");
      } else {
        String text = body.path("params").path("arguments").path("message").asText();
        json(exchange, 200, result(id, "{\"content\":[{\"type\":\"text\",\"text\":" + JSON.writeValueAsString(text) + "}]}"));
      }
    }
  }

  private volatile String droppedId = "0";

  private static void big(HttpExchange exchange, JsonNode id, JsonNode args) throws IOException {
    long chars = args.path("chars").asLong(10);
    String unit = args.path("unit").asText("x");
    boolean idLast = args.path("idLast").asBoolean(false);
    boolean sse = args.path("sse").asBoolean(false);
    exchange.getResponseHeaders().add("Content-Type", sse ? "text/event-stream" : "application/json");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = new java.io.BufferedOutputStream(exchange.getResponseBody(), 1 << 16)) {
      String head = (sse ? "event: message\ndata: " : "") + (idLast ? "{\"result\":{" : "{\"jsonrpc\":\"2.0\",\"id\":" + id
          + ",\"result\":{") + "\"content\":[{\"type\":\"text\",\"text\":\"";
      out.write(head.getBytes(StandardCharsets.UTF_8));
      int perBlock = Math.max(1, 65536 / unit.length());
      String text = unit.repeat(perBlock);
      byte[] block = JSON.writeValueAsString(text).substring(1).replaceAll("\"$", "").getBytes(StandardCharsets.UTF_8);
      long left = chars;
      for (; left >= text.length(); left -= text.length()) {
        out.write(block);
      }
      String rest = JSON.writeValueAsString(text.substring(0, (int) left));
      out.write(rest.substring(1, rest.length() - 1).getBytes(StandardCharsets.UTF_8));
      out.write(("\"}]" + (idLast ? "},\"jsonrpc\":\"2.0\",\"id\":" + id + "}" : "}}") + (sse ? "\n\n" : ""))
          .getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String result(JsonNode id, String result) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}";
  }

  private static void json(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sse(HttpExchange exchange, String events) throws IOException {
    byte[] bytes = events.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
