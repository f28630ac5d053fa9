package dev.mcpgateway.internal.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code Mcp-Param-{Name}} headers of {@code tools/call}: which tool parameters a server
 * mirrors into headers ({@code x-mcp-header} in a tool's {@code inputSchema}, learned from the
 * {@code tools/list} answers the gateway relays, per caller and server), and the check that the
 * headers of a call agree with its arguments. A tool the gateway has not seen listed is not
 * checked; headers it does not know are passed on.
 */
final class ParamHeaders {
  static final String PREFIX = "mcp-param-";
  /** The most tools remembered per caller and server. */
  private static final int MAX_TOOLS = 10_000;

  /** Per caller and server: tool name to (header name, lower case) to the path of its argument. */
  private final Map<String, Map<String, Map<String, List<String>>>> known = new ConcurrentHashMap<>();

  /** Learns the tools of a {@code tools/list} result. */
  void learn(String callerKey, String server, JsonNode result) {
    JsonNode tools = result.path("tools");
    if (!tools.isArray()) {
      return;
    }
    Map<String, Map<String, List<String>>> byTool = known.computeIfAbsent(callerKey + '\n' + server, k -> new ConcurrentHashMap<>());
    for (JsonNode tool : tools) {
      String name = tool.path("name").asText(null);
      if (name == null || (byTool.size() >= MAX_TOOLS && !byTool.containsKey(name))) {
        continue;
      }
      Map<String, List<String>> headers = new HashMap<>();
      collect(tool.path("inputSchema"), new ArrayList<>(), headers);
      byTool.put(name, Map.copyOf(headers));
    }
  }

  /** Annotated properties reachable from the root through {@code properties} alone. */
  private static void collect(JsonNode schema, List<String> path, Map<String, List<String>> headers) {
    JsonNode properties = schema.path("properties");
    if (!properties.isObject() || path.size() > 32) {
      return;
    }
    properties.fields().forEachRemaining(e -> {
      List<String> at = new ArrayList<>(path);
      at.add(e.getKey());
      JsonNode header = e.getValue().path("x-mcp-header");
      if (header.isTextual() && !header.asText().isEmpty()) {
        headers.putIfAbsent(header.asText().toLowerCase(Locale.ROOT), List.copyOf(at));
      }
      collect(e.getValue(), at, headers);
    });
  }

  /** Why the {@code Mcp-Param-*} headers of a {@code tools/call} disagree with its arguments; null when they agree. */
  String mismatch(GatewayRequest request, String callerKey, String server, JsonNode params) {
    Map<String, String> sent = new HashMap<>();
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!name.startsWith(PREFIX) || header.getValue().isEmpty()) {
        continue;
      }
      if (header.getValue().size() > 1) {
        return "the " + header.getKey() + " header appears more than once";
      }
      String value = header.getValue().get(0);
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0x7e) {
          return "the " + header.getKey() + " header holds a character a header value cannot: encode it as =?base64?...?=";
        }
      }
      String decoded = StatelessRequest.decodeHeader(value);
      if (decoded == null) {
        return "the " + header.getKey() + " header is not valid =?base64?...?= text";
      }
      sent.put(name.substring(PREFIX.length()), decoded);
    }
    Map<String, Map<String, List<String>>> byTool = known.get(callerKey + '\n' + server);
    Map<String, List<String>> headers = byTool == null ? null : byTool.get(params.path("name").asText());
    if (headers == null) {
      return null;
    }
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      JsonNode value = params.path("arguments");
      for (String step : header.getValue()) {
        value = value.path(step);
      }
      String got = sent.get(header.getKey());
      if (value.isMissingNode() || value.isNull()) {
        continue;
      }
      if (got == null) {
        return "the Mcp-Param-" + header.getKey() + " header is required: the call's arguments hold "
            + String.join(".", header.getValue());
      }
      if (!agrees(value, got)) {
        return "Mcp-Param-" + header.getKey() + " header value does not match the argument " + String.join(".", header.getValue());
      }
    }
    return null;
  }

  private static boolean agrees(JsonNode value, String header) {
    if (value.isTextual()) {
      return value.asText().equals(header);
    }
    if (value.isBoolean()) {
      return header.equals(value.asBoolean() ? "true" : "false");
    }
    if (value.isNumber()) {
      try {
        return new java.math.BigDecimal(header.trim()).compareTo(value.decimalValue()) == 0;
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return false;
  }
}
