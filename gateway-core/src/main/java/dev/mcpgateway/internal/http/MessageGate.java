package dev.mcpgateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.util.Set;

/**
 * Decides what one client message is, the same way on every route and inside batches: a
 * request (a method and a string or integer id), a notification the gateway knows and forwards,
 * a response to a server request, or something refused. Only a request can make a backend act,
 * and every request passes the interceptor chain and the audit trail; what is refused never
 * reaches a backend.
 */
public final class MessageGate {
  /** Client notifications the gateway forwards (or handles itself); any other is refused. */
  static final Set<String> NOTIFICATIONS = Set.of("notifications/initialized", "notifications/cancelled",
      "notifications/progress", "notifications/roots/list_changed", "notifications/tasks/status");
  /** Longest method name accepted. */
  public static final int MAX_METHOD_CHARS = 128;
  /** Longest string id accepted; ids are kept per request in flight and appear in logs. */
  public static final int MAX_ID_CHARS = 256;
  /** Longest tool or prompt name accepted: names are remembered by the policies and written to the audit trail. */
  public static final int MAX_NAME_CHARS = 256;

  private MessageGate() {}

  public enum Kind { REQUEST, NOTIFICATION, RESPONSE, REFUSED }

  /**
   * What a message is. For {@link Kind#REFUSED}, {@code code} and {@code reason} say why, and
   * {@code id} is the id to answer with (JSON null when the message had no usable one).
   */
  public record Verdict(Kind kind, ObjectNode message, String method, JsonNode id, int code, String reason) {
    public boolean refused() {
      return kind == Kind.REFUSED;
    }
  }

  public static Verdict classify(JsonNode element) {
    if (!element.isObject()) {
      return refuse(null, null, null, GatewayException.INVALID_REQUEST,
          "invalid request: each message must be a JSON-RPC 2.0 object");
    }
    ObjectNode message = (ObjectNode) element;
    JsonNode id = message.get("id");
    boolean validId = id != null && validId(id);
    JsonNode answerId = validId ? id : NullNode.getInstance();
    JsonNode version = message.get("jsonrpc");
    if (version == null || !version.isTextual() || !"2.0".equals(version.textValue())) {
      return refuse(message, null, answerId, GatewayException.INVALID_REQUEST, "invalid request: \"jsonrpc\" must be \"2.0\"");
    }
    JsonNode methodNode = message.get("method");
    if (methodNode != null) {
      if (!methodNode.isTextual() || methodNode.textValue().isEmpty()) {
        return refuse(message, null, answerId, GatewayException.INVALID_REQUEST, "invalid request: method must be a non-empty string");
      }
      String method = methodNode.textValue();
      if (method.length() > MAX_METHOD_CHARS) {
        return refuse(message, null, answerId, GatewayException.INVALID_REQUEST,
            "invalid request: method is longer than " + MAX_METHOD_CHARS + " characters");
      }
      JsonNode params = message.get("params");
      if (params != null && !params.isObject()) {
        return refuse(message, method, answerId, GatewayException.INVALID_PARAMS,
            "invalid params: params must be an object");
      }
      if (id == null) {
        if (NOTIFICATIONS.contains(method)) {
          return new Verdict(Kind.NOTIFICATION, message, method, null, 0, null);
        }
        return refuse(message, method, answerId, GatewayException.INVALID_REQUEST,
            "invalid request: '" + Json.truncate(method) + "' without an id is not a notification the gateway forwards"
                + " (it forwards " + String.join(", ", new java.util.TreeSet<>(NOTIFICATIONS)) + "); a request needs a string or integer id");
      }
      if (!validId) {
        return refuse(message, method, answerId, GatewayException.INVALID_REQUEST, idProblem(id));
      }
      if ("tools/call".equals(method) || "prompts/get".equals(method)) {
        // The policies decide by name: a call without a usable one is refused, never passed on unchecked.
        JsonNode name = params == null ? null : params.get("name");
        if (name == null || !name.isTextual() || name.textValue().isEmpty() || name.textValue().length() > MAX_NAME_CHARS) {
          return refuse(message, method, answerId, GatewayException.INVALID_PARAMS,
              "invalid params: " + method + " needs params.name, a string of 1 to " + MAX_NAME_CHARS + " characters");
        }
      }
      return new Verdict(Kind.REQUEST, message, method, id, 0, null);
    }
    boolean result = message.has("result");
    boolean error = message.has("error");
    if (!result && !error) {
      return refuse(message, null, answerId, GatewayException.INVALID_REQUEST,
          "invalid request: a message needs a method (request or notification) or a result or error (response)");
    }
    if (result && error) {
      return refuse(message, null, answerId, GatewayException.INVALID_REQUEST, "invalid response: it has both a result and an error");
    }
    if (!validId) {
      return refuse(message, null, answerId, GatewayException.INVALID_REQUEST,
          id == null ? "invalid response: it has no id" : idProblem(id));
    }
    return new Verdict(Kind.RESPONSE, message, null, id, 0, null);
  }

  /** A refusal of {@code message} (its {@code method}, when known), answered with {@code id} (null: JSON null). */
  public static Verdict refuse(ObjectNode message, String method, JsonNode id, int code, String reason) {
    return new Verdict(Kind.REFUSED, message, method, id == null ? NullNode.getInstance() : id, code, reason);
  }

  /** A string of bounded length or an integer: what the gateway accepts as a message id. */
  public static boolean validId(JsonNode id) {
    if (id.isTextual()) {
      return id.textValue().length() <= MAX_ID_CHARS;
    }
    return id.isIntegralNumber() && (id.canConvertToLong() || id.toString().length() <= MAX_ID_CHARS);
  }

  private static String idProblem(JsonNode id) {
    if (id.isTextual() || id.isIntegralNumber()) {
      return "invalid request: id is longer than " + MAX_ID_CHARS + " characters";
    }
    return "invalid request: id must be a string or an integer, not " + (id.isNull() ? "null" : id.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
        + "; notifications carry no id";
  }
}
