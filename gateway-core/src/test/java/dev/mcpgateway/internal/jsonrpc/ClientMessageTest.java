package dev.mcpgateway.internal.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client's bytes with the backend-side id spliced in, and when they may not stand for the message. */
class ClientMessageTest {
  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static ClientMessage read(String body) throws IOException {
    return (ClientMessage) ClientBody.parse(utf8(body));
  }

  private static String spliced(String body, long id) throws IOException {
    byte[] bytes = read(body).withId(id);
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"7", "-0", "123456789012345678901234567890", "\"plain\"", "\"q\\\"\\\\\"", "\"\\u00e9\"", "\"é😀\"", "\"\""})
  void theIdIsReplacedAndEverythingElseIsTheClientsBytes(String id) throws IOException {
    String before = " \t{\"jsonrpc\":\"2.0\", \"id\" : ";
    String after = " ,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"a\\nb \\u00e9 é\","
        + "\"n\":1.50e3}}}  ";

    assertThat(spliced(before + id + after, 42)).isEqualTo(before.stripLeading() + "42" + after.stripTrailing());
  }

  @Test
  void theIdMayComeLastOrFirst() throws IOException {
    assertThat(spliced("{\"method\":\"ping\",\"jsonrpc\":\"2.0\",\"id\":\"x\"}", 9))
        .isEqualTo("{\"method\":\"ping\",\"jsonrpc\":\"2.0\",\"id\":9}");
    assertThat(spliced("{\"id\":1,\"method\":\"ping\",\"jsonrpc\":\"2.0\"}", Long.MAX_VALUE))
        .isEqualTo("{\"id\":" + Long.MAX_VALUE + ",\"method\":\"ping\",\"jsonrpc\":\"2.0\"}");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // a name twice: the tree keeps the last, a backend may take the first
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"method\":\"tools/list\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"tools/call\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"evil\",\"name\":\"allowed\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":{\"path\":\"/etc\",\"path\":\"/tmp\"}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":{\"a\":[{\"b\":1,\"b\":2}]}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"_meta\":{\"k\":1,\"k\":2}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"_meta\":{\"x\":{\"k\":1,\"k\":2}}}}",
      // a raw line break between tokens: a stdio backend reads one line per message
      "{\"jsonrpc\":\"2.0\",\n\"id\":1,\"method\":\"ping\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\r\"method\":\"ping\"}",
      // ids that are not an integer or a string
      "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"})
  void bytesThatSayMoreOrLessThanTheTreeAreNeverSpliced(String body) throws IOException {
    assertThat(spliced(body, 5)).isNull();
  }

  @Test
  void eachMessageOfABatchIsSplicedFromItsOwnBytes() throws IOException {
    JsonNode batch = ClientBody.parse(utf8("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"} , {\"jsonrpc\":\"2.0\",\"id\":\"two\","
        + "\"method\":\"b\",\"params\":{}},{\"jsonrpc\":\"2.0\",\"id\":3,\"id\":4,\"method\":\"c\"}]"));

    assertThat(new String(((ClientMessage) batch.get(0)).withId(10), StandardCharsets.UTF_8))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"a\"}");
    assertThat(new String(((ClientMessage) batch.get(1)).withId(11), StandardCharsets.UTF_8))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"b\",\"params\":{}}");
    assertThat(((ClientMessage) batch.get(2)).withId(12)).isNull();
  }

  /**
   * Random messages, written with random spacing, names in random order and random values:
   * whenever the splice is given, it reads as the tree with the new id, member for member.
   */
  @Test
  void aSplicedMessageAlwaysReadsAsTheTreeWithTheNewId() throws IOException {
    Random random = new Random(20261207);
    int spliced = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder body = new StringBuilder();
      space(random, body);
      body.append('{');
      String[] members = {"\"jsonrpc\":\"2.0\"", "\"id\":" + id(random), "\"method\":\"tools/call\"",
          "\"params\":" + value(random, 0)};
      for (int m = members.length - 1; m > 0; m--) {
        int j = random.nextInt(m + 1);
        String swap = members[m];
        members[m] = members[j];
        members[j] = swap;
      }
      for (int m = 0; m < members.length; m++) {
        if (m > 0) {
          body.append(',');
        }
        space(random, body);
        body.append(members[m]);
        space(random, body);
      }
      body.append('}');
      space(random, body);
      String text = body.toString();
      ObjectNode tree = read(text);
      long newId = random.nextLong() & Long.MAX_VALUE;
      byte[] bytes = ((ClientMessage) tree).withId(newId);
      if (bytes == null) {
        continue;
      }
      spliced++;
      ObjectNode expected = (ObjectNode) Json.parse(utf8(text));
      expected.set("id", LongNode.valueOf(newId));
      assertThat(Json.parse(bytes)).as(text).isEqualTo(expected);
      assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("\n").doesNotContain("\r");
    }
    assertThat(spliced).as("messages spliced of 20,000").isGreaterThan(10_000);
  }

  private static String id(Random random) {
    switch (random.nextInt(4)) {
      case 0:
        return Integer.toString(random.nextInt());
      case 1:
        return "\"r-" + random.nextInt(1000) + "\"";
      case 2:
        return "\"\\u0041\\\"x\"";
      default:
        return Long.toString(random.nextLong());
    }
  }

  private static String value(Random random, int depth) {
    int kind = depth > 3 ? 3 + random.nextInt(4) : random.nextInt(7);
    switch (kind) {
      case 0:
      case 1: {
        StringBuilder object = new StringBuilder("{");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          object.append(i > 0 ? "," : "");
          // now and then a name twice in one object
          String name = random.nextInt(40) == 0 && i > 0 ? "k0" : "k" + i;
          object.append('"').append(name).append("\":").append(value(random, depth + 1));
        }
        return object.append('}').toString();
      }
      case 2: {
        StringBuilder array = new StringBuilder("[");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          array.append(i > 0 ? " , " : "").append(value(random, depth + 1));
        }
        return array.append(']').toString();
      }
      case 3:
        return "\"s" + random.nextInt(100) + (random.nextBoolean() ? "\\n\\\"\\u00e9é" : "") + "\"";
      case 4:
        return random.nextBoolean() ? Integer.toString(random.nextInt()) : "1.25e" + random.nextInt(5);
      case 5:
        return random.nextBoolean() ? "true" : "null";
      default:
        return "\"\"";
    }
  }

  private static void space(Random random, StringBuilder out) {
    // now and then a line break, which rules the splice out
    String[] spaces = {"", "", "", " ", "\t", "  ", random.nextInt(30) == 0 ? "\n" : " "};
    out.append(spaces[random.nextInt(spaces.length)]);
  }
}
