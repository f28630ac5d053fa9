package dev.mcpgateway.internal.payload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.internal.jsonrpc.JsonPushScanner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The push scanner and the streaming schema agree with {@link SchemaInference} however the bytes are cut. */
class StreamingSchemaTest {
  private static final List<String> DOCUMENTS = List.of(
      "{\"content\":[{\"type\":\"text\",\"text\":\"a \\\"quoted\\\" \\\\ text\"}],\"isError\":false}",
      "{\"a\":1,\"b\":-2.5e3,\"c\":true,\"d\":null,\"e\":[],\"f\":{},\"g\":[1,\"x\",{\"h\":2}],\"a\":\"dup\"}",
      "{\"k\\u00e9y\":{\"n\\\"ested\":[[[[[[[[[[1]]]]]]]]]]},\"\u20ac\":\"\u20ac\",\"deep\":{\"1\":{\"2\":{\"3\":{\"4\":{\"5\":"
          + "{\"6\":{\"7\":{\"8\":{\"9\":1}}}}}}}}}}",
      "[{\"x\":1},{\"y\":2},3]",
      "  { \"spaced\" : [ 1 , 2 , 3 ] , \"s\" : \"\" }  ",
      "\"just a string\"",
      "12.5");

  @Test
  void schemaBuiltFromPushedBytesIsTheSchemaInferredByTheParserForAnyCut() {
    Random random = new Random(7);
    for (String document : DOCUMENTS) {
      byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
      String expected = SchemaInference.infer(bytes, 0, bytes.length).toString();
      for (int round = 0; round < 50; round++) {
        StreamingSchema schema = new StreamingSchema();
        JsonPushScanner scanner = new JsonPushScanner(handler(schema));
        for (int at = 0; at < bytes.length; ) {
          int n = Math.min(bytes.length - at, 1 + random.nextInt(round == 0 ? 1 : 7));
          scanner.feed(bytes, at, n);
          at += n;
        }
        scanner.finish();
        assertThat(scanner.failed()).as(document).isFalse();
        assertThat(scanner.complete()).as(document).isTrue();
        assertThat(schema.schema().toString()).as(document).isEqualTo(expected);
      }
    }
  }

  @Test
  void manyPropertiesAndLongArraysAreBoundedAsByTheParser() {
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < 100; i++) {
      json.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":[").append("1,".repeat(i)).append("0]");
    }
    byte[] bytes = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    StreamingSchema schema = new StreamingSchema();
    JsonPushScanner scanner = new JsonPushScanner(handler(schema));
    scanner.feed(bytes, 0, bytes.length);
    assertThat(schema.schema().toString()).isEqualTo(SchemaInference.infer(bytes, 0, bytes.length).toString());
  }

  @Test
  void brokenJsonIsNoticed() {
    for (String broken : List.of("{\"a\" 1}", "{\"a\":1,,}", "[1 2]", "{\"a\":tru}", "}", "{\"a\":1}}")) {
      JsonPushScanner scanner = new JsonPushScanner(handler(new StreamingSchema()));
      byte[] bytes = broken.getBytes(StandardCharsets.UTF_8);
      scanner.feed(bytes, 0, bytes.length);
      scanner.finish();
      assertThat(scanner.failed() || !scanner.complete()).as(broken).isTrue();
    }
  }

  @Test
  void positionsOfValuesCountBytesFromTheStart() {
    long[] object = new long[2];
    String json = "{\"id\":7,\"result\":{\"a\":\"x\"}}";
    JsonPushScanner scanner = new JsonPushScanner(new JsonPushScanner.Handler() {
      @Override
      public void startContainer(boolean isObject, long position) {
        if (position > 0) {
          object[0] = position;
        }
      }

      @Override
      public void endContainer(boolean isObject, long position) {
        if (object[1] == 0) {
          object[1] = position;
        }
      }

      @Override
      public void key(JsonPushScanner s) {}

      @Override
      public void scalar(JsonPushScanner.Scalar type, long start, long end, JsonPushScanner s) {}
    });
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    scanner.feed(bytes, 0, bytes.length);
    assertThat(json.substring((int) object[0], (int) object[1])).isEqualTo("{\"a\":\"x\"}");
  }

  /** Hands every event of the scanner to the schema, as {@link SpooledMessage} does inside a result. */
  static JsonPushScanner.Handler handler(StreamingSchema schema) {
    return new JsonPushScanner.Handler() {
      @Override
      public void startContainer(boolean object, long position) {
        schema.startContainer(object);
      }

      @Override
      public void endContainer(boolean object, long position) {
        schema.endContainer();
      }

      @Override
      public void key(JsonPushScanner scanner) {
        if (schema.wantsKey()) {
          schema.key(scanner.key());
        } else {
          schema.skippedKey();
        }
      }

      @Override
      public void scalar(JsonPushScanner.Scalar type, long start, long end, JsonPushScanner scanner) {
        if (type == JsonPushScanner.Scalar.NUMBER) {
          schema.number(scanner.literal());
        } else {
          schema.scalar(type);
        }
      }
    };
  }
}
