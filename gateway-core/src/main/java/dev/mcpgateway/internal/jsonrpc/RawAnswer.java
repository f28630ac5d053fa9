package dev.mcpgateway.internal.jsonrpc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * Reads what interceptors most often ask of an answer straight from its bytes, with a streaming
 * parser and no tree: whether a tool reported an error, and whether any string of the result or
 * error satisfies a test.
 */
public final class RawAnswer {
  private static final byte[] IS_ERROR = "\"isError\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] UNICODE_ESCAPE = {'\\', 'u'};
  private static final byte[] BACKSLASH = {'\\'};

  private RawAnswer() {}

  /** Whether {@code result.isError} is {@code true}. */
  public static boolean toolError(byte[] raw) {
    // Most answers carry no "isError" at all; JSON can spell that key otherwise only with
    // unicode escapes, so answers holding one are parsed too.
    if (!contains(raw, IS_ERROR) && !contains(raw, UNICODE_ESCAPE)) {
      return false;
    }
    try (JsonParser parser = Json.mapper().getFactory().createParser(raw)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("result") && value == JsonToken.START_OBJECT) {
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            if (name.equals("isError")) {
              return token == JsonToken.VALUE_TRUE;
            }
            parser.skipChildren();
          }
          return false;
        }
        parser.skipChildren();
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether a key or string value inside {@code result} or {@code error} satisfies {@code test}.
   * A {@link RawStringTest} that rules out the whole answer at once spares the reading of its
   * strings; answers with escapes are always read.
   */
  public static boolean anyString(byte[] raw, Predicate<String> test) {
    if (test instanceof RawStringTest && !contains(raw, BACKSLASH) && !((RawStringTest) test).mayPassIn(raw)) {
      return false;
    }
    try (JsonParser parser = Json.mapper().getFactory().createParser(raw)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("result") || field.equals("error")) {
          if (value == JsonToken.VALUE_STRING) {
            if (test.test(parser.getText())) {
              return true;
            }
          } else if (value.isStructStart() && anyIn(parser, test)) {
            return true;
          }
        } else {
          parser.skipChildren();
        }
      }
      return false;
    } catch (IOException e) {
      return true; // cannot tell: let the caller look at the parsed answer
    }
  }

  /** Whether {@code pattern} occurs in {@code raw}. */
  public static boolean contains(byte[] raw, byte[] pattern) {
    byte first = pattern[0];
    for (int i = 0, last = raw.length - pattern.length; i <= last; i++) {
      if (raw[i] != first) {
        continue;
      }
      int j = 1;
      while (j < pattern.length && raw[i + j] == pattern[j]) {
        j++;
      }
      if (j == pattern.length) {
        return true;
      }
    }
    return false;
  }

  /** Walks the structure the parser stands at the start of. */
  private static boolean anyIn(JsonParser parser, Predicate<String> test) throws IOException {
    int depth = 1;
    while (depth > 0) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return false;
      }
      switch (token) {
        case START_OBJECT:
        case START_ARRAY:
          depth++;
          break;
        case END_OBJECT:
        case END_ARRAY:
          depth--;
          break;
        case FIELD_NAME:
          if (test.test(parser.currentName())) {
            return true;
          }
          break;
        case VALUE_STRING:
          if (test.test(parser.getText())) {
            return true;
          }
          break;
        default:
          break;
      }
    }
    return false;
  }
}
