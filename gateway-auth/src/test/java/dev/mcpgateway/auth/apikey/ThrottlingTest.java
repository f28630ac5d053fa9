package dev.mcpgateway.auth.apikey;

import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThrottlingTest {
  private static final Duration WINDOW = Duration.ofSeconds(60);
  private final FakeTicker ticker = new FakeTicker();
  private final ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder()
      .key("ci", KEY)
      .throttling(3, WINDOW)
      .ticker(ticker)
      .build();

  private static AuthRequest from(String remote, String authorization) {
    return AuthRequest.of(authorization, "/mcp/github", remote, name -> Optional.empty());
  }

  private void failTimes(String remote, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(auth.authenticate(from(remote, "wrong-" + i)).status()).isEqualTo(401);
    }
  }

  @Test
  void answers429WithRetryAfterOnceAHostFailedTooOften() {
    failTimes("10.0.0.1:1000", 3);

    AuthResult result = auth.authenticate(from("10.0.0.1:1000", "wrong"));

    assertThat(result.kind()).isEqualTo(AuthResult.Kind.THROTTLED);
    assertThat(result.status()).isEqualTo(429);
    assertThat(result.retryAfter()).contains(WINDOW);
  }

  @Test
  void doesNotCheckKeysWhileThrottledEvenTheRightOne() {
    failTimes("10.0.0.1:1000", 3);

    assertThat(auth.authenticate(from("10.0.0.1:1000", KEY)).status()).isEqualTo(429);
  }

  @Test
  void countsEveryKindOfFailure() {
    auth.authenticate(from("10.0.0.1:1", null));
    auth.authenticate(from("10.0.0.1:2", "Bearer " + KEY));
    auth.authenticate(from("10.0.0.1:3", "bad\nvalue"));

    assertThat(auth.authenticate(from("10.0.0.1:4", KEY)).status()).isEqualTo(429);
  }

  @Test
  void throttlesTheHostWhateverPortItComesFrom() {
    failTimes("10.0.0.1:1000", 2);
    failTimes("10.0.0.1:2000", 1);

    assertThat(auth.authenticate(from("10.0.0.1:3000", KEY)).status()).isEqualTo(429);
  }

  @Test
  void leavesOtherHostsAlone() {
    failTimes("10.0.0.1:1000", 3);

    assertThat(auth.authenticate(from("10.0.0.2:1000", KEY)).isSuccess()).isTrue();
    assertThat(auth.authenticate(from("[::1]:1000", KEY)).isSuccess()).isTrue();
  }

  @Test
  void countsDownRetryAfterInWholeSecondsRoundedUp() {
    failTimes("10.0.0.1:1000", 3);
    ticker.advance(Duration.ofMillis(20_500));

    assertThat(auth.authenticate(from("10.0.0.1:1000", KEY)).retryAfter()).contains(Duration.ofSeconds(40));
  }

  @Test
  void recoversAfterTheWindow() {
    failTimes("10.0.0.1:1000", 3);
    ticker.advance(WINDOW.minusNanos(1));
    assertThat(auth.authenticate(from("10.0.0.1:1000", KEY)).status()).isEqualTo(429);

    ticker.advance(Duration.ofNanos(1));

    assertThat(auth.authenticate(from("10.0.0.1:1000", KEY)).isSuccess()).isTrue();
    assertThat(auth.authenticate(from("10.0.0.1:1000", "wrong")).status()).isEqualTo(401);
  }

  @Test
  void forgetsFailuresOlderThanTheWindow() {
    failTimes("10.0.0.1:1000", 2);
    ticker.advance(WINDOW);
    failTimes("10.0.0.1:1000", 2);

    assertThat(auth.authenticate(from("10.0.0.1:1000", KEY)).isSuccess()).isTrue();
  }

  @Test
  void doesNotCountSuccesses() {
    for (int i = 0; i < 10; i++) {
      assertThat(auth.authenticate(from("10.0.0.1:1000", KEY)).isSuccess()).isTrue();
    }
  }

  @Test
  void throttlesAgainWhenTheHostKeepsFailingAfterRecovery() {
    failTimes("10.0.0.1:1000", 3);
    ticker.advance(WINDOW);
    failTimes("10.0.0.1:1000", 3);

    assertThat(auth.authenticate(from("10.0.0.1:1000", KEY)).status()).isEqualTo(429);
  }

  @Test
  void neverAnswers429WithoutThrottling() {
    ApiKeyAuthenticator open = ApiKeyAuthenticator.builder().key("ci", KEY).withoutThrottling().build();
    for (int i = 0; i < 100; i++) {
      open.authenticate(from("10.0.0.1:1000", "wrong"));
    }

    assertThat(open.authenticate(from("10.0.0.1:1000", KEY)).isSuccess()).isTrue();
  }

  @Test
  void throttlesTenFailuresAMinuteByDefault() {
    ApiKeyAuthenticator defaults = ApiKeyAuthenticator.builder().key("ci", KEY).ticker(ticker).build();
    for (int i = 0; i < ApiKeyAuthenticator.DEFAULT_MAX_FAILURES; i++) {
      assertThat(defaults.authenticate(from("10.0.0.1:1000", "wrong")).status()).isEqualTo(401);
    }

    AuthResult result = defaults.authenticate(from("10.0.0.1:1000", KEY));
    assertThat(result.status()).isEqualTo(429);
    assertThat(result.retryAfter()).contains(Duration.ofMinutes(1));
  }
}
