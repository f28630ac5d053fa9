package dev.mcpgateway.internal.jsonrpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The gateway's one JSON mapper, with explicit parser limits, and small helpers for the
 * messages the gateway writes itself.
 */
public final class Json {
  /** Deepest nesting accepted in any message. */
  public static final int MAX_NESTING_DEPTH = 128;
  /** Longest number literal accepted, in characters. */
  public static final int MAX_NUMBER_LENGTH = 100;
  /** Longest field name accepted, in characters. */
  public static final int MAX_NAME_LENGTH = 64 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_NESTING_DEPTH)
          .maxNumberLength(MAX_NUMBER_LENGTH)
          .maxNameLength(MAX_NAME_LENGTH)
          // strings are bounded by the message limits, enforced before parsing
          .maxStringLength(Integer.MAX_VALUE)
          .build())
      .build());

  private Json() {}

  /** The shared mapper. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Creates an empty object node. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** Parses bytes into a tree. */
  public static JsonNode parse(byte[] bytes) throws IOException {
    return MAPPER.readTree(bytes);
  }

  /**
   * The JSON text of a JSON-RPC id's value, as Jackson writes it, without a generator for the
   * usual integer ids: the gateway keys requests in flight by it (twice per request), so an id
   * the client wrote two ways ({@code "a"}, <code>"&#92;u0061"</code>) is one id.
   */
  public static String idText(JsonNode id) {
    if (id instanceof VerbatimNode) {
      return idText(((VerbatimNode) id).value());
    }
    return id.isIntegralNumber() ? id.asText() : id.toString();
  }

  /** The JSON text of a JSON-RPC id exactly as the client wrote it (see {@link ClientBody}). */
  public static String exactIdText(JsonNode id) {
    return id instanceof VerbatimNode ? ((VerbatimNode) id).json() : idText(id);
  }

  /**
   * A tree as plain JDK types ({@code LinkedHashMap}, {@code ArrayList}, {@code String},
   * {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double}/{@code BigDecimal},
   * {@code Boolean}, null): what {@code convertValue(node, Map.class)} gives, by a walk instead
   * of a round trip through a token buffer.
   */
  public static Object toJdk(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT: {
        java.util.LinkedHashMap<String, Object> map = new java.util.LinkedHashMap<>(Math.max(4, node.size() * 4 / 3 + 1));
        java.util.Iterator<java.util.Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
          java.util.Map.Entry<String, JsonNode> field = fields.next();
          map.put(field.getKey(), toJdk(field.getValue()));
        }
        return map;
      }
      case ARRAY: {
        java.util.ArrayList<Object> list = new java.util.ArrayList<>(node.size());
        for (JsonNode item : node) {
          list.add(toJdk(item));
        }
        return list;
      }
      case STRING:
        return node.textValue();
      case NUMBER:
        return node.numberValue();
      case BOOLEAN:
        return node.booleanValue();
      case NULL:
      case MISSING:
        return null;
      default:
        return MAPPER.convertValue(node, Object.class);
    }
  }

  /** {@link #toJdk} of an object node. */
  @SuppressWarnings("unchecked")
  public static java.util.LinkedHashMap<String, Object> toMap(ObjectNode node) {
    return (java.util.LinkedHashMap<String, Object>) toJdk(node);
  }

  /** Serializes a tree to bytes. */
  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code {"error": message}}, the body of gateway-level HTTP errors. */
  public static byte[] errorBody(String message) {
    ObjectNode body = object();
    body.put("error", message);
    return bytes(body);
  }

  /** A JSON-RPC error response for {@code id} (a JSON null when unknown). */
  public static ObjectNode rpcError(JsonNode id, int code, String message) {
    ObjectNode response = object();
    response.put("jsonrpc", "2.0");
    response.set("id", id == null ? JsonNodeFactory.instance.nullNode() : id);
    ObjectNode error = response.putObject("error");
    error.put("code", code);
    error.put("message", message);
    return response;
  }

  /** {@code text} cut to 100 characters, for an error message that quotes what a client sent. */
  public static String truncate(String text) {
    return text.length() > 100 ? text.substring(0, 100) + "..." : text;
  }
}
