package dev.mcpgateway.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanBuilder;

/** The attribute keys of the OpenTelemetry semantic conventions for MCP that the spans carry. */
final class McpAttributes {
  static final AttributeKey<String> MCP_METHOD_NAME = AttributeKey.stringKey("mcp.method.name");
  static final AttributeKey<String> MCP_SESSION_ID = AttributeKey.stringKey("mcp.session.id");
  static final AttributeKey<String> MCP_PROTOCOL_VERSION = AttributeKey.stringKey("mcp.protocol.version");
  static final AttributeKey<String> JSONRPC_REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
  static final AttributeKey<String> GEN_AI_TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
  static final AttributeKey<String> GEN_AI_PROMPT_NAME = AttributeKey.stringKey("gen_ai.prompt.name");
  static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> RPC_RESPONSE_STATUS_CODE = AttributeKey.stringKey("rpc.response.status_code");
  static final AttributeKey<String> NETWORK_TRANSPORT = AttributeKey.stringKey("network.transport");
  static final AttributeKey<String> NETWORK_PROTOCOL_NAME = AttributeKey.stringKey("network.protocol.name");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<Long> CLIENT_PORT = AttributeKey.longKey("client.port");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

  private McpAttributes() {}

  /** {@code mcp.method.name}, and the tool's or prompt's name with {@code gen_ai.operation.name} for a tool call. */
  static void method(SpanBuilder builder, String method, String target) {
    builder.setAttribute(MCP_METHOD_NAME, method);
    if ("tools/call".equals(method)) {
      builder.setAttribute(GEN_AI_OPERATION_NAME, "execute_tool");
      put(builder, GEN_AI_TOOL_NAME, target);
    } else if ("prompts/get".equals(method)) {
      put(builder, GEN_AI_PROMPT_NAME, target);
    }
  }

  /** {@code client.address} and {@code client.port} from an address as {@code host:port}, {@code [v6]:port} or {@code host}. */
  static void client(SpanBuilder builder, String address) {
    if (address == null || address.isEmpty()) {
      return;
    }
    String host = address;
    String port = null;
    if (address.startsWith("[") && address.contains("]")) {
      host = address.substring(1, address.indexOf(']'));
      String rest = address.substring(address.indexOf(']') + 1);
      port = rest.startsWith(":") ? rest.substring(1) : null;
    } else if (address.indexOf(':') > 0 && address.indexOf(':') == address.lastIndexOf(':')) {
      host = address.substring(0, address.indexOf(':'));
      port = address.substring(address.indexOf(':') + 1);
    }
    builder.setAttribute(CLIENT_ADDRESS, host);
    if (port != null && !port.isEmpty() && port.chars().allMatch(Character::isDigit) && port.length() <= 5) {
      builder.setAttribute(CLIENT_PORT, Long.parseLong(port));
    }
  }

  static void put(SpanBuilder builder, AttributeKey<String> key, String value) {
    if (value != null) {
      builder.setAttribute(key, value);
    }
  }

  /** A JSON-RPC id from its JSON text: a string id without its quotes, a number as written. */
  static String requestId(String json) {
    if (json != null && json.length() >= 2 && json.startsWith("\"") && json.endsWith("\"")) {
      return json.substring(1, json.length() - 1);
    }
    return json;
  }
}
