package dev.mcpgateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {
  private static final Pattern V4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  private static final Pattern V4_MAPPED = Pattern.compile("::ffff:127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  @Test
  void loopbackAddresses() {
    assertThat(OriginPolicy.isLoopbackAddress("127.0.0.1")).isTrue();
    assertThat(OriginPolicy.isLoopbackAddress("127.255.255.254")).isTrue();
    assertThat(OriginPolicy.isLoopbackAddress("::1")).isTrue();
    assertThat(OriginPolicy.isLoopbackAddress("[::1]")).isTrue();
    assertThat(OriginPolicy.isLoopbackAddress("::FFFF:127.0.0.1")).isTrue();
    assertThat(OriginPolicy.isLoopbackAddress("0:0:0:0:0:0:0:1")).isTrue();
    for (String other : new String[] {"127.0.0.1.evil.com", "127.0.0", "127.0.0.1234", "128.0.0.1", "127..0.1", "10.0.0.1",
        "localhost", "", "127.0.0.", "::2", "::ffff:10.0.0.1", "1127.0.0.1"}) {
      assertThat(OriginPolicy.isLoopbackAddress(other)).as(other).isFalse();
    }
  }

  @Test
  void agreesWithTheDottedPatternsOnRandomInput() {
    Random random = new Random(1);
    String[] pieces = {"127", ".", "0", "1", "12", "255", "1234", "::ffff:", ":", "a", "[", "]"};
    for (int i = 0; i < 100_000; i++) {
      StringBuilder text = new StringBuilder();
      for (int n = random.nextInt(9); n >= 0; n--) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      String a = text.toString();
      String bare = a.startsWith("[") && a.endsWith("]") && a.length() > 1 ? a.substring(1, a.length() - 1) : a;
      boolean expected = bare.equals("::1") || V4.matcher(bare).matches() || V4_MAPPED.matcher(bare).matches();
      assertThat(OriginPolicy.isLoopbackAddress(a)).as(a).isEqualTo(expected);
    }
  }
}
