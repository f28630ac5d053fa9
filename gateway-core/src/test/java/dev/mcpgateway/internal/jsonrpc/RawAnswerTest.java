package dev.mcpgateway.internal.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawAnswerTest {
  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsTheToolErrorFlagOfTheResultOnly() {
    assertThat(RawAnswer.toolError(json("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[],\"isError\":true}}"))).isTrue();
    assertThat(RawAnswer.toolError(json("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"isError\":false}}"))).isFalse();
    assertThat(RawAnswer.toolError(json("{\"id\":1,\"result\":{\"content\":[{\"isError\":true}]}}"))).isFalse();
    assertThat(RawAnswer.toolError(json("{\"id\":1,\"error\":{\"code\":1,\"message\":\"m\"}}"))).isFalse();
  }

  @Test
  void findsTheToolErrorFlagSpelledWithUnicodeEscapesAndAnswersWithoutItAtOnce() {
    String escapedKey = "\"is" + "\\" + "u0045rror\"";
    assertThat(RawAnswer.toolError(json("{\"id\":1,\"result\":{" + escapedKey + ":true}}"))).isTrue();
    assertThat(RawAnswer.toolError(json("{\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"a\\nb\"}]}}"))).isFalse();
    assertThat(RawAnswer.toolError(json("{\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"\\\"isError\\\":true\"}]}}")))
        .isFalse();
    assertThat(RawAnswer.contains(json("abc\"isError\""), json("\"isError\""))).isTrue();
    assertThat(RawAnswer.contains(json("\"isErro"), json("\"isError\""))).isFalse();
    assertThat(RawAnswer.contains(json(""), json("x"))).isFalse();
  }

  @Test
  void testsKeysAndStringsInsideResultAndErrorButNotTheEnvelope() {
    byte[] answer = json("{\"jsonrpc\":\"2.0\",\"id\":\"ghp_envelope\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"x ghp_inside\"}]}}");
    assertThat(RawAnswer.anyString(answer, s -> s.contains("ghp_inside"))).isTrue();
    assertThat(RawAnswer.anyString(answer, s -> s.contains("ghp_envelope"))).isFalse();
    assertThat(RawAnswer.anyString(answer, s -> s.equals("content"))).isTrue();
    assertThat(RawAnswer.anyString(json("{\"id\":1,\"error\":{\"code\":1,\"message\":\"secret here\"}}"), s -> s.contains("secret"))).isTrue();
  }

  @Test
  void theSpliceKeepsEverythingButTheId() {
    byte[] answer = json("{\"jsonrpc\":\"2.0\",\"id\":12,\"result\":{\"ok\":true}}");
    ResponseScan scan = ResponseScan.of(answer);
    assertThat(scan).isNotNull();
    assertThat(scan.isError()).isFalse();
    assertThat(new String(scan.withId(answer, json("\"client-7\"")), StandardCharsets.UTF_8))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"client-7\",\"result\":{\"ok\":true}}");
    assertThat(ResponseScan.of(json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))).isNull();
    assertThat(ResponseScan.of(json("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"result\":{}}"))).isNull();
  }
}
