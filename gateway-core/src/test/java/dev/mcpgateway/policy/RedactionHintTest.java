package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scanners redact exactly what the regular expressions they replaced would (those are kept
 * here as the reference), and the cheap pass that decides whether they run at all never skips a
 * text they would change: random texts built from pieces of every credential kind, in every
 * letter case, are redacted exactly as the patterns alone redact them.
 */
class RedactionHintTest {
  /**
   * Where the patterns below had {@code \b}: a word starts here. Spelled out because
   * {@code \b} changed meaning in JDK 19 (ASCII word characters since, any letter or digit
   * before), and the scanners keep the earlier meaning on every JDK.
   */
  private static final String WORD_START = "(?<![\\p{L}\\p{Nd}_])";
  /** Where the patterns below had {@code \b}: a word ends here. */
  private static final String WORD_END = "(?![\\p{L}\\p{Nd}_])";

  /** The patterns the scanners replaced; fine on short texts, they backtrack without bound on long ones. */
  static final Map<Redaction.Kind, String> LEGACY = new java.util.EnumMap<>(Map.of(
      Redaction.Kind.GITHUB_TOKEN, "(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})(?![A-Za-z0-9])",
      Redaction.Kind.AWS_ACCESS_KEY, "(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[0-9A-Z]{16}(?![A-Za-z0-9])",
      Redaction.Kind.PRIVATE_KEY, "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)",
      Redaction.Kind.JWT, "(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}",
      Redaction.Kind.BEARER, "(?i)" + WORD_START + "bearer\\s+[A-Za-z0-9._~+/=-]{8,}",
      Redaction.Kind.SK_KEY, "(?<![A-Za-z0-9])sk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_-]{20,}",
      Redaction.Kind.PRIVATE_IP, WORD_START + "(?:10\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|172\\.(?:1[6-9]|2\\d|3[01])\\.\\d{1,3}\\.\\d{1,3}"
          + "|192\\.168\\.\\d{1,3}\\.\\d{1,3}|169\\.254\\.\\d{1,3}\\.\\d{1,3})" + WORD_END,
      Redaction.Kind.INTERNAL_HOST, "(?i)" + WORD_START + "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
          + "\\.(?:internal|local|localdomain|corp|lan|intranet|private)" + WORD_END));
  private static final String[] PIECES = {
      "gh", "ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_", "GHP_", "Github_Pat_", "AKIA", "ASIA", "AGPA", "AIDA",
      "AROA", "ANPA", "ANVA", "akia", "-----BEGIN ", "-----BEGIN RSA PRIVATE KEY-----", "PRIVATE KEY-----", "eyJ", "EYJ",
      "bearer ", "Bearer\t", "BEARER  ", "bEaReR ", "sk-", "SK-", "sk-proj-", "10.", "172.16.", "192.168.", "169.254.",
      ".internal", ".LOCAL", ".corp", "host", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "ABCDEFGHIJKLMNOP", "0123456789",
      "abc.def-ghi_jkl~123", ".", "-", "_", " ", "\n", "é", "\u212a", "x",
      // edges of the scanners: run limits, suffix boundaries, key end lines, octet counts
      "A1b2C3d4E5", "-----END RSA PRIVATE KEY-----", "-----END ", "\r\n", "\r", "a.b", "local-", "local_", ".localdomain",
      "-x", "x-", "1234", "10.0.0.1", "172.31.0.", "255", "eyJabcde.", "eyJ_-ab.", "9", "github_pat", "_", "sk-a-b-", "~", "+", "="};

  private static String random(Random random) {
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(12); i >= 0; i--) {
      text.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return text.toString();
  }

  @Test
  void theHintNeverSkipsATextThePatternsWouldChange() {
    Redaction all = Redaction.builder().privateAddresses(true).internalHostNames(true).build();
    Redaction credentials = Redaction.builder().build();
    Random random = new Random(20261122);
    int changed = 0;
    for (int i = 0; i < 150_000; i++) {
      String text = random(random);
      for (Redaction redaction : List.of(all, credentials)) {
        Map<String, Integer> found = new HashMap<>();
        String out = redaction.redact(text, List.of(), found);
        String expected = byPatternsAlone(text, redaction == all);
        assertThat(out).as("redaction of %s", text).isEqualTo(expected);
        if (!out.equals(text)) {
          changed++;
        }
      }
    }
    assertThat(changed).as("texts the patterns changed").isGreaterThan(7_500);
  }

  @Test
  void aTextStreamedInPiecesIsRedactedAsTheWholeText() {
    Redaction redaction = Redaction.builder().privateAddresses(true).internalHostNames(true)
        .secrets("srv", List.of("hunter2-secret", "A1b2C3d4E5", "x y z!")).build();
    Random random = new Random(20261123);
    String[] separators = {" ", "\n", ", ", "\"", "+", "/", "=", "~", "é", "(", "\t"};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      for (int j = random.nextInt(40); j >= 0; j--) {
        text.append(random.nextInt(3) == 0 ? separators[random.nextInt(separators.length)] : PIECES[random.nextInt(PIECES.length)]);
        if (random.nextInt(10) == 0) {
          text.append(random.nextBoolean() ? "hunter2-secret" : "-----END RSA PRIVATE KEY-----");
        }
      }
      String whole = redaction.redact("srv", text.toString());
      StringBuilder streamed = new StringBuilder();
      Redaction.TextStream stream = redaction.stream("srv", streamed, 1 + random.nextInt(32), 1 << 20);
      for (int at = 0; at < text.length(); ) {
        int end = Math.min(text.length(), at + 1 + random.nextInt(12));
        stream.append(text.subSequence(at, end));
        at = end;
      }
      stream.finish();
      assertThat(streamed.toString()).as("streamed %s", text).isEqualTo(whole);
    }
  }

  private static final java.util.Map<Boolean, java.util.Map.Entry<java.util.regex.Pattern, List<Redaction.Kind>>> COMBINED =
      new java.util.HashMap<>();

  /** What the combined pattern alone does to a text, as the redaction did before the hint. */
  private static String byPatternsAlone(String text, boolean addresses) {
    java.util.Map.Entry<java.util.regex.Pattern, List<Redaction.Kind>> combined = COMBINED.computeIfAbsent(addresses,
        RedactionHintTest::combined);
    List<Redaction.Kind> kinds = combined.getValue();
    java.util.regex.Matcher matcher = combined.getKey().matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      Redaction.Kind kind = null;
      for (int g = 0; g < kinds.size(); g++) {
        if (matcher.group(g + 1) != null) {
          kind = kinds.get(g);
          break;
        }
      }
      matcher.appendReplacement(out, java.util.regex.Matcher.quoteReplacement("[REDACTED:" + kind.label() + "]"));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static java.util.Map.Entry<java.util.regex.Pattern, List<Redaction.Kind>> combined(boolean addresses) {
    StringBuilder regex = new StringBuilder();
    List<Redaction.Kind> kinds = new java.util.ArrayList<>();
    for (Redaction.Kind kind : Redaction.Kind.values()) {
      String pattern = LEGACY.get(kind);
      if (pattern == null || (!addresses && (kind == Redaction.Kind.PRIVATE_IP || kind == Redaction.Kind.INTERNAL_HOST))) {
        continue;
      }
      regex.append(regex.length() == 0 ? "" : "|").append('(').append(pattern).append(')');
      kinds.add(kind);
    }
    return java.util.Map.entry(java.util.regex.Pattern.compile(regex.toString()), kinds);
  }
}
