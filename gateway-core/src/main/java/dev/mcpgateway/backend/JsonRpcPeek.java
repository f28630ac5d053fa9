package dev.mcpgateway.backend;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The top-level shape of a JSON-RPC message (its id, method, whether it is a response), read
 * with a streaming parser that skips everything else, so large results cost little.
 *
 * @param id the id as {@code n:<number>} or {@code s:<string>}; null when there is none
 * @param method the method; null for responses
 * @param response whether the message has a {@code result} or an {@code error}
 */
record JsonRpcPeek(String id, String method, boolean response) {
  private static final JsonFactory JSON = new JsonFactory();
  static final JsonRpcPeek NOT_JSON_RPC = new JsonRpcPeek(null, null, false);

  /** Whether it is a request: a method and an id. */
  boolean isRequest() {
    return method != null && id != null;
  }

  static JsonRpcPeek of(byte[] json) {
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return NOT_JSON_RPC;
      }
      String id = null;
      String method = null;
      boolean response = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.getCurrentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "id":
            if (value == JsonToken.VALUE_NUMBER_INT) {
              id = "n:" + parser.getText();
            } else if (value == JsonToken.VALUE_STRING) {
              id = "s:" + parser.getText();
            }
            break;
          case "method":
            if (value == JsonToken.VALUE_STRING) {
              method = parser.getText();
            }
            break;
          case "result":
          case "error":
            response = true;
            parser.skipChildren();
            break;
          default:
            parser.skipChildren();
            break;
        }
      }
      return new JsonRpcPeek(id, method, response);
    } catch (IOException e) {
      return NOT_JSON_RPC;
    }
  }

  /** The id back as JSON text, for an error response. */
  String idJson() {
    if (id == null) {
      return "null";
    }
    String value = id.substring(2);
    if (id.startsWith("n:")) {
      return value;
    }
    StringBuilder s = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        s.append('\\').append(c);
      } else if (c < 0x20) {
        s.append(String.format("\\u%04x", (int) c));
      } else {
        s.append(c);
      }
    }
    return s.append('"').toString();
  }
}
