package dev.mcpgateway.internal.jsonrpc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads a client's POST body (one message or a batch) into a tree, as {@link Json#parse} does,
 * in the same single pass, keeping the exact JSON text of what the gateway writes back to the
 * client: each message's {@code id} and its {@code params._meta.progressToken}. Where Jackson
 * would write such a value differently from how the client wrote it (an escape, a character
 * beyond ASCII, {@code -0}, a fraction), the tree holds a {@link VerbatimNode}; the common ids
 * (integers, plain ASCII strings) stay ordinary nodes and cost nothing more.
 *
 * <p>The tree is built from Jackson's streaming parser, with the same limits and the same nodes
 * as {@link Json#parse}; like it, what follows the first JSON value is ignored and an empty body
 * reads as a missing node.
 */
public final class ClientBody {
  private ClientBody() {}

  /** The body as a tree; ids and progress tokens written back exactly. */
  public static JsonNode parse(byte[] body) throws IOException {
    try (JsonParser parser = Json.mapper().getFactory().createParser(body)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return MissingNode.getInstance();
      }
      if (token != JsonToken.START_ARRAY) {
        return token == JsonToken.START_OBJECT ? message(parser, body) : value(parser);
      }
      ArrayNode batch = JsonNodeFactory.instance.arrayNode();
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        batch.add(token == JsonToken.START_OBJECT ? message(parser, body) : value(parser));
      }
      return batch;
    }
  }

  private static ObjectNode message(JsonParser parser, byte[] body) throws IOException {
    ClientMessage message = new ClientMessage();
    Names names = new Names();
    long start = parser.currentTokenLocation().getByteOffset();
    long idStart = -1;
    long idEnd = -1;
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      JsonToken token = parser.nextToken();
      JsonNode value;
      if (name.equals("id")) {
        long at = parser.currentTokenLocation().getByteOffset();
        value = exact(parser, body);
        if (at >= 0 && at < body.length && (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_STRING)) {
          idStart = at;
          idEnd = token == JsonToken.VALUE_STRING ? stringEnd(body, (int) at) : numberEnd(body, (int) at);
        }
      } else if (name.equals("params") && token == JsonToken.START_OBJECT) {
        value = params(parser, body, names);
      } else {
        value = value(parser, names);
      }
      names.add(message, name, value);
    }
    long end = parser.currentTokenLocation().getByteOffset() + 1;
    if (start >= 0 && end > start && end <= body.length && body[(int) start] == '{' && body[(int) end - 1] == '}') {
      message.source(body, (int) start, (int) end, (int) idStart, (int) idEnd, !names.repeated);
    }
    return message;
  }

  private static ObjectNode params(JsonParser parser, byte[] body, Names names) throws IOException {
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      JsonToken token = parser.nextToken();
      names.add(params, name, name.equals("_meta") && token == JsonToken.START_OBJECT ? meta(parser, body, names) : value(parser, names));
    }
    return params;
  }

  private static ObjectNode meta(JsonParser parser, byte[] body, Names names) throws IOException {
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      parser.nextToken();
      names.add(meta, name, name.equals("progressToken") ? exact(parser, body) : value(parser, names));
    }
    return meta;
  }

  /** Adds members to the objects of one message, noting whether a name came twice in one of them (the later wins, as in Jackson's tree). */
  private static final class Names {
    boolean repeated;

    void add(ObjectNode object, String name, JsonNode value) {
      if (object.replace(name, value) != null) {
        repeated = true;
      }
    }
  }

  /** The value at the parser, where no message is being read. */
  private static JsonNode value(JsonParser parser) throws IOException {
    return value(parser, new Names());
  }

  /**
   * The value at the parser, as Jackson's tree would have it, built here rather than by the
   * mapper, which would set up a deserialization context for each value. The parser bounds the
   * nesting ({@link Json#MAX_NESTING_DEPTH}), so the recursion is bounded too.
   */
  private static JsonNode value(JsonParser parser, Names names) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT: {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
          parser.nextToken();
          names.add(object, name, value(parser, names));
        }
        return object;
      }
      case START_ARRAY: {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(value(parser, names));
        }
        return array;
      }
      case VALUE_STRING:
        return TextNode.valueOf(parser.getText());
      case VALUE_NUMBER_INT:
        return integer(parser);
      case VALUE_TRUE:
        return BooleanNode.TRUE;
      case VALUE_FALSE:
        return BooleanNode.FALSE;
      case VALUE_NULL:
        return NullNode.getInstance();
      default:
        JsonNode tree = Json.mapper().readTree(parser);
        return tree == null ? NullNode.getInstance() : tree;
    }
  }

  private static JsonNode integer(JsonParser parser) throws IOException {
    switch (parser.getNumberType()) {
      case INT:
        return IntNode.valueOf(parser.getIntValue());
      case LONG:
        return LongNode.valueOf(parser.getLongValue());
      default:
        return BigIntegerNode.valueOf(parser.getBigIntegerValue());
    }
  }

  /** The scalar at the parser, kept verbatim when writing it again would change its text. */
  private static JsonNode exact(JsonParser parser, byte[] body) throws IOException {
    JsonToken token = parser.currentToken();
    long offset = parser.currentTokenLocation().getByteOffset();
    JsonNode value = value(parser);
    if (offset < 0 || offset >= body.length || !(value instanceof ValueNode)) {
      return value;
    }
    int start = (int) offset;
    switch (token) {
      case VALUE_STRING:
        return body[start] == '"' ? string((ValueNode) value, body, start) : value;
      case VALUE_NUMBER_INT:
        // Integers are written back as read, but for a minus zero.
        return body[start] == '-' && value.canConvertToLong() && value.longValue() == 0
            ? new VerbatimNode((ValueNode) value, "-0") : value;
      case VALUE_NUMBER_FLOAT:
        return new VerbatimNode((ValueNode) value, new String(body, start, numberEnd(body, start) - start, StandardCharsets.US_ASCII));
      default:
        return value;
    }
  }

  /** A string is written back as read when it has no escape and no byte beyond ASCII; else it is kept verbatim. */
  private static JsonNode string(ValueNode value, byte[] body, int start) {
    boolean plain = true;
    int at = start + 1;
    while (at < body.length && body[at] != '"') {
      if (body[at] == '\\') {
        plain = false;
        at += 2;
      } else {
        plain &= body[at] >= 0;
        at++;
      }
    }
    if (plain || at >= body.length) {
      return value;
    }
    return new VerbatimNode(value, new String(body, start, at + 1 - start, StandardCharsets.UTF_8));
  }

  /** The index just past the string that starts with the quote at {@code start}; {@code -1} when it does not end. */
  private static int stringEnd(byte[] body, int start) {
    int at = start + 1;
    while (at < body.length && body[at] != '"') {
      at += body[at] == '\\' ? 2 : 1;
    }
    return at < body.length ? at + 1 : -1;
  }

  private static int numberEnd(byte[] body, int start) {
    int at = start;
    while (at < body.length && ("+-.eE".indexOf(body[at]) >= 0 || (body[at] >= '0' && body[at] <= '9'))) {
      at++;
    }
    return at;
  }
}
