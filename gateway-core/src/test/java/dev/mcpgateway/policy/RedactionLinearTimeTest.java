package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The megabyte texts of {@link AdversarialTexts} come out right, whole and streamed in pieces,
 * and the guards decide each adversarial call right. The patterns these scanners replaced took
 * minutes on several of them (dotted words, {@code eyJ-} runs); this test asserts only the
 * results: how fast they come is for {@code benchmarks/run.sh redaction} to show.
 */
class RedactionLinearTimeTest {
  static Stream<AdversarialTexts.TextCase> texts() {
    return AdversarialTexts.textCases().stream();
  }

  static Stream<AdversarialTexts.GuardCase> guards() {
    return AdversarialTexts.guardCases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("texts")
  void redactsAMegabyteBuiltToBacktrackCorrectly(AdversarialTexts.TextCase c) {
    Redaction redaction = AdversarialTexts.redaction();
    String out = redaction.redact(AdversarialTexts.SERVER, c.input());
    assertThat(out.equals(c.expected())).as("%s / %s: %s...", c.rule(), c.name(), out.substring(0, Math.min(80, out.length())))
        .isTrue();
    assertThat(redaction.mayRedact(AdversarialTexts.SERVER, c.input())).isEqualTo(!c.input().equals(c.expected()));

    StringBuilder streamed = new StringBuilder();
    Redaction.TextStream stream = redaction.stream(AdversarialTexts.SERVER, streamed);
    for (int at = 0; at < c.input().length(); at += 8191) {
      stream.append(c.input().subSequence(at, Math.min(c.input().length(), at + 8191)));
    }
    stream.finish();
    if (c.streamsExactly()) {
      assertThat(streamed.toString().equals(c.expected())).as("streamed %s / %s", c.rule(), c.name()).isTrue();
    } else {
      // a host name longer than the stream's window: its end is redacted, its start may pass
      assertThat(streamed.toString()).as("streamed %s / %s", c.rule(), c.name()).endsWith(c.expected());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("guards")
  void decidesAMegabyteCallBuiltToBacktrackCorrectly(AdversarialTexts.GuardCase c) {
    boolean denied = AdversarialTexts.guardFor(c.rule()).onRequest(AdversarialTexts.call(c.tool(), c.arguments())).isDenied();
    assertThat(denied).as("%s / %s", c.rule(), c.name()).isEqualTo(c.denied());
  }
}
