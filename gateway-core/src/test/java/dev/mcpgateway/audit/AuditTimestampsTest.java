package dev.mcpgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Audit timestamps are written exactly as {@link Instant#toString()} writes them. */
class AuditTimestampsTest {
  @Test
  void writeInstantsAsTheJdkDoes() {
    AuditLog.Timestamps timestamps = new AuditLog.Timestamps();
    Random random = new Random(7);
    long now = Instant.parse("2026-11-22T06:00:00Z").getEpochSecond();
    int[] nanos = {0, 1, 999_999_999, 1_000_000, 120_000_000, 1000, 123_456_000, 123_456_789, 500};
    for (int i = 0; i < 100_000; i++) {
      long second = i % 3 == 0 ? now + random.nextInt(5) : random.nextLong() % 400_000_000_000L;
      int nano = i % 2 == 0 ? nanos[random.nextInt(nanos.length)] : random.nextInt(1_000_000_000);
      Instant instant = Instant.ofEpochSecond(second, nano);
      StringBuilder out = new StringBuilder();
      timestamps.append(out, instant);
      assertThat(out.toString()).isEqualTo(instant.toString());
    }
  }
}
