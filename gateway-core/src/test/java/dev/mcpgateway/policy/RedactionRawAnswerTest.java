package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.internal.jsonrpc.RawAnswer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Redaction rules out most answers from their bytes alone, without reading their strings; it
 * must never rule out one whose strings it would change. Random answers built from pieces of
 * every credential kind, of the server's secrets (ASCII and not), of long texts and of
 * characters JSON escapes get exactly the verdict the string-by-string test gives.
 */
class RedactionRawAnswerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SECRETS = List.of("s3cret-Value-42", "clé-secrète-ü", "\u212aelvin-key", "quote\"inside");
  private static final String[] PIECES = {
      "ghp_", "gho_", "github_pat_", "gh", "AKIA", "ASIA", "akia", "-----BEGIN ", "-----BEGIN RSA PRIVATE KEY-----",
      "eyJ", "EYJ", "bearer ", "BEARER\t", "bEaReR ", "sk-", "SK-", "10.", "192.168.", ".internal", ".local", "host",
      "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "ABCDEFGHIJKLMNOP", "0123456789", "hello from wrk", " ", ".", "-", "_",
      "é", "ü", "\u212a", "\u20ac", "\ud83d\ude00", "\n", "\t", "\"", "\\", "/", "s3cret-", "Value-42", "s3cret-Value-42",
      "clé-secrète-ü", "clé-", "\u212aelvin-key", "Kelvin-key", "quote\"inside", "quote", "x", "y"};

  private static String text(Random random) {
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(8); i >= 0; i--) {
      text.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return text.toString();
  }

  private static Object value(Random random, int depth) {
    int kind = depth > 2 ? 0 : random.nextInt(4);
    if (kind == 1) {
      Map<String, Object> object = new LinkedHashMap<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        object.put(text(random), value(random, depth + 1));
      }
      return object;
    }
    if (kind == 2) {
      List<Object> array = new ArrayList<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        array.add(value(random, depth + 1));
      }
      return array;
    }
    return kind == 3 ? random.nextInt(1000) : text(random);
  }

  private static byte[] answer(Random random) throws Exception {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("jsonrpc", "2.0");
    message.put("id", random.nextInt(1000));
    if (random.nextInt(5) == 0) {
      message.put("error", Map.of("code", -32000, "message", text(random), "data", value(random, 1)));
    } else {
      message.put("result", Map.of("content", List.of(Map.of("type", "text", "text", text(random))),
          text(random), value(random, 1)));
    }
    return JSON.writeValueAsBytes(message);
  }

  @Test
  void rulesOutFromTheBytesOnlyAnswersWhoseStringsItWouldNotChange() throws Exception {
    List<Redaction> redactions = List.of(
        Redaction.builder().secrets("s", SECRETS).build(),
        Redaction.builder().secrets("s", SECRETS).privateAddresses(true).internalHostNames(true).build(),
        Redaction.builder().secrets("s", SECRETS).maxTextChars(120).build(),
        Redaction.builder().credentials(false).secrets("s", SECRETS).build());
    Random random = new Random(20261207);
    int ruledOut = 0;
    int changing = 0;
    for (int i = 0; i < 60_000; i++) {
      byte[] raw = answer(random);
      for (Redaction redaction : redactions) {
        Redaction.ChangeTest test = redaction.new ChangeTest(redactionSecrets(redaction));
        boolean stringByString = RawAnswer.anyString(raw, test::test);
        boolean withTheBytes = RawAnswer.anyString(raw, test);
        assertThat(withTheBytes).as("verdict on %s", new String(raw, StandardCharsets.UTF_8)).isEqualTo(stringByString);
        if (!RawAnswer.contains(raw, new byte[] {'\\'}) && !test.mayPassIn(raw)) {
          ruledOut++;
        }
        if (stringByString) {
          changing++;
        }
      }
    }
    assertThat(ruledOut).as("answers ruled out from their bytes").isGreaterThan(10_000);
    assertThat(changing).as("answers with something to redact").isGreaterThan(10_000);
  }

  @Test
  void aSecretSpelledWithEscapesIsStillFound() {
    Redaction redaction = Redaction.builder().secrets("s", SECRETS).build();
    Redaction.ChangeTest test = redaction.new ChangeTest(redactionSecrets(redaction));
    byte[] raw = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"text\":\"\\u0073\\u0033cret-Value-42\"}}"
        .getBytes(StandardCharsets.UTF_8);

    assertThat(RawAnswer.anyString(raw, test)).isTrue();
  }

  @Test
  void theUsualAnswerIsRuledOutFromItsBytes() {
    Redaction redaction = Redaction.builder().secrets("s", SECRETS).build();
    Redaction.ChangeTest test = redaction.new ChangeTest(redactionSecrets(redaction));
    byte[] raw = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hello from wrk\"}]}}"
        .getBytes(StandardCharsets.UTF_8);

    assertThat(test.mayPassIn(raw)).isFalse();
    assertThat(RawAnswer.anyString(raw, test)).isFalse();
  }

  private static SecretValues redactionSecrets(Redaction redaction) {
    return redaction.secretsFor("s");
  }
}
