package dev.mcpgateway.internal.payload;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.io.IOException;
import java.io.InputStream;

/**
 * Infers a JSON Schema from a JSON text with a streaming parser, bounded in depth and width, so
 * that a client sees the shape of an offloaded payload without its bytes. String values are
 * skipped, never decoded.
 */
public final class SchemaInference {
  private static final int MAX_DEPTH = 8;
  private static final int MAX_PROPERTIES = 64;

  private SchemaInference() {}

  public static ObjectNode infer(byte[] bytes, int offset, int length) {
    try (JsonParser parser = Json.mapper().getFactory().createParser(bytes, offset, length)) {
      return infer(parser);
    } catch (IOException e) {
      return Json.object();
    }
  }

  /** The schema of the JSON text in {@code in}, which is read up to the end of its first value and closed. */
  public static ObjectNode infer(InputStream in) {
    try (JsonParser parser = Json.mapper().getFactory().createParser(in)) {
      return infer(parser);
    } catch (IOException e) {
      return Json.object();
    }
  }

  private static ObjectNode infer(JsonParser parser) throws IOException {
    JsonToken token = parser.nextToken();
    return token == null ? Json.object() : schemaOf(parser, token, 0);
  }

  private static ObjectNode schemaOf(JsonParser parser, JsonToken token, int depth) throws IOException {
    ObjectNode schema = Json.object();
    switch (token) {
      case START_OBJECT: {
        schema.put("type", "object");
        if (depth >= MAX_DEPTH) {
          parser.skipChildren();
          return schema;
        }
        ObjectNode properties = schema.putObject("properties");
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken value = parser.nextToken();
          if (properties.size() < MAX_PROPERTIES && !properties.has(name)) {
            properties.set(name, schemaOf(parser, value, depth + 1));
          } else {
            parser.skipChildren();
          }
        }
        return schema;
      }
      case START_ARRAY: {
        schema.put("type", "array");
        JsonToken first = parser.nextToken();
        if (first != JsonToken.END_ARRAY) {
          if (depth >= MAX_DEPTH) {
            parser.skipChildren();
          } else {
            schema.set("items", schemaOf(parser, first, depth + 1));
          }
          long count = 1;
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            parser.skipChildren();
            count++;
          }
          schema.put("minItems", count);
        }
        return schema;
      }
      case VALUE_STRING:
        schema.put("type", "string");
        return schema;
      case VALUE_NUMBER_INT:
        schema.put("type", "integer");
        return schema;
      case VALUE_NUMBER_FLOAT:
        schema.put("type", "number");
        return schema;
      case VALUE_TRUE:
      case VALUE_FALSE:
        schema.put("type", "boolean");
        return schema;
      default:
        schema.put("type", "null");
        return schema;
    }
  }
}
