package dev.mcpgateway.internal.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.internal.connection.LogLevel;
import dev.mcpgateway.internal.http.ClientSessions;
import dev.mcpgateway.internal.http.MessageGate;
import dev.mcpgateway.internal.http.StatelessRoute;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * One request of the stateless revision, checked: its headers agree with its body, its
 * {@code _meta} carries what every request must, and it asks for a revision the gateway serves.
 * Every refusal echoes the request's id.
 */
record StatelessRequest(ObjectNode message, JsonNode id, String method, ObjectNode params, ObjectNode capabilities,
    JsonNode clientInfo, LogLevel logLevel) {
  static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
  static final String META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";
  static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";
  static final String META_SUBSCRIPTION = "io.modelcontextprotocol/subscriptionId";
  /** The revisions a request may name in its {@code _meta}. */
  static final List<String> SUPPORTED = List.of(StatelessRoute.VERSION);
  /** The revisions of {@code server/discover}: this one, and the session-based ones, served through {@code initialize}. */
  static final List<String> ALL_VERSIONS = List.of(StatelessRoute.VERSION, "2025-11-25", "2025-06-18", "2025-03-26");

  static final int HEADER_MISMATCH = -32020;
  static final int MISSING_CAPABILITY = -32021;
  static final int UNSUPPORTED_VERSION = -32022;

  /** A request, or the answer that refuses it. */
  record Parsed(StatelessRequest request, GatewayResponse refusal, MessageGate.Verdict verdict) {}

  static Parsed parse(GatewayRequest http, JsonNode body) {
    MessageGate.Verdict verdict = MessageGate.classify(body);
    if (verdict.refused()) {
      return new Parsed(null, error(400, verdict.id(), verdict.code(), verdict.reason(), null), verdict);
    }
    JsonNode id = verdict.id();
    if (verdict.kind() == MessageGate.Kind.RESPONSE) {
      return refused(400, id, GatewayException.INVALID_REQUEST, "clients send no responses in protocol revision "
          + StatelessRoute.VERSION + ": answer input requests with inputResponses on a retry of the request", null);
    }
    if (verdict.kind() == MessageGate.Kind.NOTIFICATION) {
      return new Parsed(null, GatewayResponse.empty(202), verdict);
    }
    ObjectNode message = verdict.message();
    String method = verdict.method();
    JsonNode paramsNode = message.get("params");
    String header = http.header(ClientSessions.VERSION_HEADER).orElse(null);
    if (header == null) {
      return refused(400, id, HEADER_MISMATCH, "Header mismatch: the MCP-Protocol-Version header is required", null);
    }
    String methodHeader = http.header("mcp-method").orElse(null);
    if (methodHeader == null) {
      return refused(400, id, HEADER_MISMATCH, "Header mismatch: the Mcp-Method header is required", null);
    }
    if (!methodHeader.equals(method)) {
      return refused(400, id, HEADER_MISMATCH, "Header mismatch: Mcp-Method header value '" + Json.truncate(methodHeader)
          + "' does not match body value '" + Json.truncate(method) + "'", null);
    }
    String nameField = nameField(method);
    if (nameField != null) {
      JsonNode bodyName = paramsNode == null ? null : paramsNode.get(nameField);
      String nameHeader = http.header("mcp-name").orElse(null);
      if (bodyName != null && bodyName.isTextual()) {
        if (nameHeader == null) {
          return refused(400, id, HEADER_MISMATCH, "Header mismatch: the Mcp-Name header is required for " + method, null);
        }
        String decoded = decodeHeader(nameHeader);
        if (decoded == null) {
          return refused(400, id, HEADER_MISMATCH, "Header mismatch: the Mcp-Name header is not a valid value", null);
        }
        if (!decoded.equals(bodyName.asText())) {
          return refused(400, id, HEADER_MISMATCH, "Header mismatch: Mcp-Name header value '" + Json.truncate(decoded)
              + "' does not match body value '" + Json.truncate(bodyName.asText()) + "'", null);
        }
      }
    }
    if (paramsNode == null || !paramsNode.isObject()) {
      return refused(400, id, GatewayException.INVALID_PARAMS, "invalid params: every request of protocol revision "
          + StatelessRoute.VERSION + " carries params with _meta", null);
    }
    ObjectNode params = (ObjectNode) paramsNode;
    JsonNode meta = params.get("_meta");
    if (meta == null || !meta.isObject()) {
      return refused(400, id, GatewayException.INVALID_PARAMS, "invalid params: _meta is required, with "
          + StatelessRoute.META_VERSION + " and " + META_CAPABILITIES, null);
    }
    JsonNode version = meta.get(StatelessRoute.META_VERSION);
    if (version == null || !version.isTextual()) {
      return refused(400, id, GatewayException.INVALID_PARAMS, "invalid params: _meta needs " + StatelessRoute.META_VERSION
          + " (a string)", null);
    }
    JsonNode capabilities = meta.get(META_CAPABILITIES);
    if (capabilities == null || !capabilities.isObject()) {
      return refused(400, id, GatewayException.INVALID_PARAMS, "invalid params: _meta needs " + META_CAPABILITIES
          + " (an object)", null);
    }
    if (!header.equals(version.asText())) {
      return refused(400, id, HEADER_MISMATCH, "Header mismatch: MCP-Protocol-Version header value '" + Json.truncate(header)
          + "' does not match body value '" + Json.truncate(version.asText()) + "'", null);
    }
    if (!SUPPORTED.contains(version.asText())) {
      ObjectNode data = Json.object();
      ArrayNode supported = data.putArray("supported");
      SUPPORTED.forEach(supported::add);
      data.put("requested", version.asText());
      return refused(400, id, UNSUPPORTED_VERSION, "Unsupported protocol version '" + Json.truncate(version.asText())
          + "'; per-request _meta is served at " + SUPPORTED + ", the session-based revisions " + ClientSessions.VERSIONS
          + " through initialize", data);
    }
    LogLevel level = null;
    JsonNode levelNode = meta.get(META_LOG_LEVEL);
    if (levelNode != null) {
      level = levelNode.isTextual() ? LogLevel.of(levelNode.asText()) : null;
      if (level == null) {
        return refused(400, id, GatewayException.INVALID_PARAMS, "invalid params: " + META_LOG_LEVEL
            + " must be one of debug, info, notice, warning, error, critical, alert, emergency", null);
      }
    }
    return new Parsed(new StatelessRequest(message, id, method, params, (ObjectNode) capabilities, meta.get(META_CLIENT_INFO),
        level), null, verdict);
  }

  /**
   * A request that another replica checked already (its headers, its {@code _meta}), as it sent
   * it over: read again from its message.
   */
  static StatelessRequest checked(ObjectNode message) {
    ObjectNode params = (ObjectNode) message.get("params");
    JsonNode meta = params.path("_meta");
    JsonNode capabilities = meta.get(META_CAPABILITIES);
    return new StatelessRequest(message, message.get("id"), message.path("method").asText(), params,
        capabilities != null && capabilities.isObject() ? (ObjectNode) capabilities : Json.object(), meta.get(META_CLIENT_INFO),
        LogLevel.of(meta.path(META_LOG_LEVEL).asText(null)));
  }

  /** The body field {@code Mcp-Name} mirrors for {@code method}; null when it has none. */
  static String nameField(String method) {
    switch (method) {
      case "tools/call":
      case "prompts/get":
        return "name";
      case "resources/read":
        return "uri";
      default:
        return null;
    }
  }

  /**
   * A header value, with the {@code =?base64?...?=} form decoded; null when that form does not
   * hold base64 of UTF-8.
   */
  static String decodeHeader(String value) {
    if (value.startsWith("=?base64?") && value.endsWith("?=") && value.length() >= 11) {
      try {
        byte[] bytes = Base64.getDecoder().decode(value.substring(9, value.length() - 2));
        java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        return utf8.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
        return null;
      }
    }
    return value.strip();
  }

  private static Parsed refused(int status, JsonNode id, int code, String message, JsonNode data) {
    return new Parsed(null, error(status, id, code, message, data), null);
  }

  static GatewayResponse error(int status, JsonNode id, int code, String message, JsonNode data) {
    ObjectNode error = Json.rpcError(id, code, message);
    if (data != null) {
      ((ObjectNode) error.get("error")).set("data", data);
    }
    return GatewayResponse.json(status, Json.bytes(error));
  }
}
