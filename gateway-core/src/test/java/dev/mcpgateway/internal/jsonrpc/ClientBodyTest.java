package dev.mcpgateway.internal.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientBodyTest {
  /** Ids as clients may write them; in Java source, "\\u" is a backslash and a u. */
  private static final String[] ODD = {"\"\\ud800\"", "\"\\u00e9\"", "\"é\"", "\"a\\/b\"", "\"😀\"", "\"\\uD83D\\uDE00\"",
      "\"tab\\t\"", "\"q\\\"\"", "-0", "123456789012345678901234567890", "1.50", "1e3"};

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String message(String id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
        + "\"arguments\":{\"text\":\"a\\nb\"},\"_meta\":{\"progressToken\":" + id + "}}}";
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\\ud800\"", "\"\\u00e9\"", "\"é\"", "\"a\\/b\"", "\"😀\"", "\"\\uD83D\\uDE00\"", "\"tab\\t\"", "\"q\\\"\"",
      "-0", "123456789012345678901234567890", "1.50", "1e3", "7", "\"plain\""})
  void idAndProgressTokenAreWrittenBackAsTheClientWroteThem(String id) throws IOException {
    String body = message(id);

    JsonNode tree = ClientBody.parse(utf8(body));

    assertThat(new String(Json.bytes(tree), StandardCharsets.UTF_8)).isEqualTo(body);
    assertThat(Json.exactIdText(tree.get("id"))).isEqualTo(id);
    assertThat(tree).isEqualTo(Json.parse(utf8(body)));
  }

  @Test
  void everyMessageOfABatchKeepsItsId() throws IOException {
    StringBuilder batch = new StringBuilder("[");
    for (String id : ODD) {
      batch.append(batch.length() > 1 ? "," : "").append(message(id));
    }
    String body = batch.append("]").toString();

    JsonNode tree = ClientBody.parse(utf8(body));

    assertThat(new String(Json.bytes(tree), StandardCharsets.UTF_8)).isEqualTo(body);
    assertThat(tree).isEqualTo(Json.parse(utf8(body)));
  }

  @Test
  void commonIdsStayOrdinaryNodes() throws IOException {
    JsonNode integer = ClientBody.parse(utf8(message("42"))).get("id");
    JsonNode string = ClientBody.parse(utf8(message("\"req-7\""))).get("id");

    assertThat(integer).isNotInstanceOf(VerbatimNode.class);
    assertThat(string).isNotInstanceOf(VerbatimNode.class);
  }

  @Test
  void anIdReadsAsItsValueAndIsKeyedByIt() throws IOException {
    JsonNode escaped = ClientBody.parse(utf8(message("\"\\u0061\\/\""))).get("id");
    JsonNode plain = ClientBody.parse(utf8(message("\"a/\""))).get("id");
    JsonNode minusZero = ClientBody.parse(utf8(message("-0"))).get("id");

    assertThat(escaped.isTextual()).isTrue();
    assertThat(escaped.textValue()).isEqualTo("a/");
    assertThat(Json.idText(escaped)).isEqualTo(Json.idText(plain)).isEqualTo("\"a/\"");
    assertThat(Json.exactIdText(escaped)).isEqualTo("\"\\u0061\\/\"");
    assertThat(minusZero.isIntegralNumber()).isTrue();
    assertThat(minusZero.canConvertToLong()).isTrue();
    assertThat(Json.idText(minusZero)).isEqualTo("0");
    assertThat(escaped).isEqualTo(plain);
  }

  @Test
  void aVerbatimIdSetInAnAnswerIsWrittenAsTheClientWroteIt() throws IOException {
    JsonNode id = ClientBody.parse(utf8(message("\"\\ud800\""))).get("id");

    ObjectNode answer = Json.rpcError(id, -32601, "no such method");

    assertThat(new String(Json.bytes(answer), StandardCharsets.UTF_8))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"\\ud800\",\"error\":{\"code\":-32601,\"message\":\"no such method\"}}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "null", "\"text\"", "12", "[]", "[1,\"a\",[2],{\"id\":\"\\u0041\"}]", "{}",
      "{\"id\":{\"nested\":true},\"params\":[1,2]}", "{\"params\":{\"_meta\":[1]}}", "{\"params\":{\"_meta\":{\"progressToken\":{}}}}",
      "{\"a\":1} trailing", "{\"id\":1,\"id\":\"\\u0032\"}", "{\"x\":1.5e300,\"y\":true,\"z\":false,\"n\":null}",
      "{\"params\":{\"arguments\":[[[1.5,{\"a\":[true,null,\"x\\n\",-7]}]],12345678901234567890123,{}],\"a\":{\"a\":{}}}}"})
  void readsWhatJacksonReadsTheSameWay(String body) throws IOException {
    assertThat(ClientBody.parse(utf8(body))).isEqualTo(Json.parse(utf8(body)));
  }

  @Test
  void refusesNestingDeeperThanTheLimit() {
    String deep = "{\"params\":{\"arguments\":" + "[".repeat(Json.MAX_NESTING_DEPTH + 10) + "]".repeat(Json.MAX_NESTING_DEPTH + 10) + "}}";

    assertThatThrownBy(() -> ClientBody.parse(utf8(deep))).isInstanceOf(IOException.class).hasMessageContaining("nesting depth");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "{\"id\":}", "[1,", "{\"id\":\"\\ud800", "nope"})
  void refusesWhatIsNotJson(String body) {
    assertThatThrownBy(() -> ClientBody.parse(utf8(body))).isInstanceOf(IOException.class);
  }
}
