package dev.mcpgateway.internal.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.io.IOException;
import java.util.Set;

/**
 * What a session-based backend's answer needs to be an answer of the stateless revision:
 * {@code resultType}, caching hints on cacheable results, the server's identity in
 * {@code _meta}, and the revision's error codes.
 */
final class StatelessResults {
  /** Results that carry {@code ttlMs} and {@code cacheScope}. */
  static final Set<String> CACHEABLE = Set.of("tools/list", "prompts/list", "resources/list", "resources/templates/list",
      "resources/read", "server/discover");
  /** The resource-not-found code of the session-based revisions. */
  static final int OLD_RESOURCE_NOT_FOUND = -32002;

  private StatelessResults() {}

  /** An answer as the client gets it; {@code json} is the backend's answer as the call delivered it. */
  static Answer complete(byte[] json, JsonNode id, String method, JsonNode params, JsonNode serverInfo) {
    return complete(json, id, method, params, serverInfo, null);
  }

  /**
   * As {@link #complete(byte[], JsonNode, String, JsonNode, JsonNode)}; an {@code input_required}
   * result of a backend of the stateless revision gets its {@code requestState} replaced by
   * {@code wrapState} (null: kept).
   */
  static Answer complete(byte[] json, JsonNode id, String method, JsonNode params, JsonNode serverInfo,
      java.util.function.UnaryOperator<String> wrapState) {
    ObjectNode message = parse(json);
    if (message == null) {
      return new Answer(200, Json.bytes(Json.rpcError(id, GatewayException.INTERNAL_ERROR, "the server's answer could not be read")));
    }
    return complete(message, id, method, params, serverInfo, wrapState);
  }

  /** A JSON object; null when {@code json} is not one. */
  static ObjectNode parse(byte[] json) {
    try {
      JsonNode parsed = Json.parse(json);
      return parsed.isObject() ? (ObjectNode) parsed : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** As above, on the answer as a tree (changed in place). */
  static Answer complete(ObjectNode message, JsonNode id, String method, JsonNode params, JsonNode serverInfo,
      java.util.function.UnaryOperator<String> wrapState) {
    message.set("id", id);
    JsonNode error = message.get("error");
    if (error != null && error.isObject()) {
      ObjectNode e = (ObjectNode) error;
      int code = e.path("code").asInt();
      if (code == OLD_RESOURCE_NOT_FOUND && "resources/read".equals(method)) {
        e.put("code", GatewayException.INVALID_PARAMS);
        code = GatewayException.INVALID_PARAMS;
        JsonNode uri = params == null ? null : params.get("uri");
        JsonNode data = e.get("data");
        if (uri != null && (data == null || data.isObject())) {
          ObjectNode d = data == null ? e.putObject("data") : (ObjectNode) data;
          if (!d.has("uri")) {
            d.set("uri", uri);
          }
        }
      }
      return new Answer(code == GatewayException.METHOD_NOT_FOUND ? 404 : 200, Json.bytes(message));
    }
    JsonNode result = message.get("result");
    if (result != null && result.isObject()) {
      decorate((ObjectNode) result, method, serverInfo);
      if (wrapState != null && "input_required".equals(result.path("resultType").asText()) && result.path("requestState").isTextual()) {
        String wrapped = wrapState.apply(result.get("requestState").asText());
        if (wrapped == null) {
          return new Answer(200, Json.bytes(Json.rpcError(id, GatewayException.INTERNAL_ERROR,
              "the server's requestState is larger than the gateway relays (" + RequestStates.MAX_INNER + " characters)")));
        }
        ((ObjectNode) result).put("requestState", wrapped);
      }
    }
    return new Answer(200, Json.bytes(message));
  }

  /** Adds what every result of the revision carries, keeping what the backend set. */
  static void decorate(ObjectNode result, String method, JsonNode serverInfo) {
    if (!result.has("resultType")) {
      result.put("resultType", "complete");
    }
    if (CACHEABLE.contains(method)) {
      if (!result.path("ttlMs").canConvertToLong() || result.path("ttlMs").asLong() < 0) {
        // A session-based backend announces changes, it promises no freshness: clients revalidate.
        result.put("ttlMs", 0);
      }
      // Backends run per caller: what one caller sees is its own.
      result.put("cacheScope", "private");
    }
    if (serverInfo != null && serverInfo.isObject()) {
      JsonNode meta = result.get("_meta");
      ObjectNode m = meta != null && meta.isObject() ? (ObjectNode) meta : result.putObject("_meta");
      if (!m.has(StatelessRequest.META_SERVER_INFO)) {
        m.set(StatelessRequest.META_SERVER_INFO, serverInfo);
      }
    }
  }

  record Answer(int status, byte[] json) {}
}
