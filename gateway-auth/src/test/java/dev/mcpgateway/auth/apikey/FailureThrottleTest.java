package dev.mcpgateway.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {
  private final FakeTicker ticker = new FakeTicker();

  @Test
  void remembersAtMostTheConfiguredNumberOfHosts() {
    FailureThrottle throttle = new FailureThrottle(5, Duration.ofMinutes(1), 100, ticker);

    for (int i = 0; i < 10_000; i++) {
      throttle.recordFailure("10.0." + (i / 256) + "." + (i % 256));
    }

    assertThat(throttle.trackedHosts()).isLessThanOrEqualTo(100);
  }

  @Test
  void forgetsHostsThatStoppedFailingForAWindow() {
    FailureThrottle throttle = new FailureThrottle(5, Duration.ofMinutes(1), 100, ticker);
    throttle.recordFailure("10.0.0.1");
    throttle.recordFailure("10.0.0.2");

    ticker.advance(Duration.ofMinutes(1));

    assertThat(throttle.trackedHosts()).isZero();
  }

  @Test
  void saysOnlyOnceThatAHostIsLockedOut() {
    FailureThrottle throttle = new FailureThrottle(2, Duration.ofMinutes(1), 100, ticker);

    assertThat(throttle.recordFailure("10.0.0.1")).isFalse();
    assertThat(throttle.recordFailure("10.0.0.1")).isTrue();
    assertThat(throttle.recordFailure("10.0.0.1")).isFalse();
    assertThat(throttle.retryAfter("10.0.0.1")).isPresent();
    assertThat(throttle.retryAfter("10.0.0.2")).isEmpty();
  }
}
