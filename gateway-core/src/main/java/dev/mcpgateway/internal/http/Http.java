package dev.mcpgateway.internal.http;

import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.internal.connection.BackendUnavailableException;
import dev.mcpgateway.internal.jsonrpc.ClientBody;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.util.Locale;

/** HTTP details shared by the endpoints: content negotiation and error answers. */
public final class Http {
  private Http() {}

  /** {@code {"error": message}} with {@code status}. */
  public static GatewayResponse error(int status, String message) {
    return GatewayResponse.json(status, Json.errorBody(message));
  }

  /**
   * 503 {@code {"error":"backend_unavailable","server":server,"message":message}}: the server's
   * remote cannot be reached right now; the gateway tries again in the background.
   */
  public static GatewayResponse backendUnavailable(BackendUnavailableException e) {
    return backendUnavailable(e.server(), e.getMessage());
  }

  public static GatewayResponse backendUnavailable(String server, String message) {
    com.fasterxml.jackson.databind.node.ObjectNode body = Json.object();
    body.put("error", "backend_unavailable");
    body.put("server", server);
    body.put("message", message);
    return GatewayResponse.json(503, Json.bytes(body)).withHeader("Retry-After", "1");
  }

  /**
   * 429 for {@code identity} over {@code limit} on {@code server} (or the unified endpoint), with
   * {@code Retry-After} in whole seconds, rounded up.
   */
  public static GatewayResponse rateLimited(String identity, String server, dev.mcpgateway.config.RateLimit limit,
      java.time.Duration wait) {
    long seconds = Math.max(1, (wait.toNanos() + 999_999_999L) / 1_000_000_000L);
    return error(429, "rate limit exceeded: " + limit + " for '" + identity + "' on "
        + (server.equals(UnifiedEndpoint.UNIFIED) ? "the unified endpoint" : "server '" + server + "'")
        + "; retry after " + seconds + " s").withHeader("Retry-After", Long.toString(seconds));
  }

  /** A JSON-RPC error response with {@code status}. */
  public static GatewayResponse rpcError(int status, com.fasterxml.jackson.databind.JsonNode id, int code, String message) {
    return GatewayResponse.json(status, Json.bytes(Json.rpcError(id, code, message)));
  }

  /** What the client accepts: JSON, SSE, both, or neither. */
  public record Accept(boolean json, boolean sse) {
    public boolean any() {
      return json || sse;
    }
  }

  /** What MCP clients send as {@code Accept} on every POST: recognised without parsing. */
  private static final java.util.Set<String> COMMON_ACCEPT = java.util.Set.of("application/json, text/event-stream",
      "text/event-stream, application/json", "application/json,text/event-stream", "text/event-stream,application/json");

  /**
   * Reads {@code Accept}. A missing header, {@code *}{@code /*} or {@code application/*} count as
   * accepting JSON, so that plain HTTP tools work; MCP clients send both types.
   */
  public static Accept accept(GatewayRequest request) {
    var values = request.headers("accept");
    if (values.isEmpty()) {
      return new Accept(true, false);
    }
    if (values.size() == 1 && COMMON_ACCEPT.contains(values.get(0))) {
      return new Accept(true, true);
    }
    boolean json = false;
    boolean sse = false;
    for (String value : values) {
      for (String part : value.split(",")) {
        String type = part.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        switch (type) {
          case "application/json":
          case "application/*":
            json = true;
            break;
          case "text/event-stream":
          case "text/*":
            sse = true;
            break;
          case "*/*":
            json = true;
            break;
          default:
            break;
        }
      }
    }
    return new Accept(json, sse);
  }

  /**
   * The body of a POST with what the client accepts, or the error answer when the
   * {@code Content-Type}, {@code Accept} or the JSON itself is wrong.
   */
  public record Post(Accept accept, com.fasterxml.jackson.databind.JsonNode body, GatewayResponse error) {}

  /** Checks the headers of a POST and parses its JSON body. */
  public static Post post(GatewayRequest request) {
    if (!isJson(request)) {
      return new Post(null, null, error(415, "Content-Type must be application/json"));
    }
    Accept accept = accept(request);
    if (!accept.any()) {
      return new Post(accept, null, error(406, "Accept must include application/json or text/event-stream"));
    }
    com.fasterxml.jackson.databind.JsonNode body;
    try {
      body = ClientBody.parse(request.body());
    } catch (java.io.IOException e) {
      return new Post(accept, null, rpcError(400, null, dev.mcpgateway.GatewayException.PARSE_ERROR,
          "parse error: the body is not valid JSON"));
    }
    if (body == null || body.isMissingNode()) {
      return new Post(accept, null, rpcError(400, null, dev.mcpgateway.GatewayException.PARSE_ERROR, "parse error: the body is empty"));
    }
    return new Post(accept, body, null);
  }

  /** Whether {@code Content-Type} is JSON (any parameters allowed). */
  public static boolean isJson(GatewayRequest request) {
    return request.header("content-type")
        .map(value -> value.equalsIgnoreCase("application/json") || value.split(";", 2)[0].trim().equalsIgnoreCase("application/json"))
        .orElse(false);
  }
}
