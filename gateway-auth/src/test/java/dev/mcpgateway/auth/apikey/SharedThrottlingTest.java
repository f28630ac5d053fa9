package dev.mcpgateway.auth.apikey;

import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.cluster.SharedFailureCounts;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Two authenticators, as two replicas, that count failures together in one {@link SharedFailureCounts};
 * and each on its own while the shared counts cannot be reached. The Redis implementation is
 * tested against a real Redis in gateway-redis.
 */
class SharedThrottlingTest {
  private static final Duration WINDOW = Duration.ofSeconds(60);
  private final FakeTicker ticker = new FakeTicker();
  private final InMemoryFailureCounts shared = new InMemoryFailureCounts(ticker);
  private final ApiKeyAuthenticator a = replica();
  private final ApiKeyAuthenticator b = replica();

  private ApiKeyAuthenticator replica() {
    return ApiKeyAuthenticator.builder().key("ci", KEY).throttling(3, WINDOW).ticker(ticker).sharedFailureCounts(shared).build();
  }

  private static AuthRequest from(String remote, String authorization) {
    return AuthRequest.of(authorization, "/mcp/github", remote, name -> Optional.empty());
  }

  private static void failTimes(ApiKeyAuthenticator auth, String remote, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(auth.authenticate(from(remote, "wrong-" + i)).status()).isEqualTo(401);
    }
  }

  @Test
  void failuresOnTwoReplicasTogetherLockTheHostOutOnBoth() {
    failTimes(a, "10.0.0.1:1000", 2);
    failTimes(b, "10.0.0.1:2000", 1);

    AuthResult onA = a.authenticate(from("10.0.0.1:3000", KEY));
    assertThat(onA.status()).isEqualTo(429);
    assertThat(onA.retryAfter()).contains(WINDOW);
    assertThat(b.authenticate(from("10.0.0.1:3000", KEY)).status()).isEqualTo(429);
    assertThat(b.authenticate(from("10.0.0.1:3000", "wrong")).status()).isEqualTo(429);
    assertThat(a.authenticate(from("10.0.0.2:1000", KEY)).isSuccess()).isTrue();
  }

  @Test
  void theLockOutEndsAfterTheWindowOnEveryReplica() {
    failTimes(a, "10.0.0.1:1000", 2);
    failTimes(b, "10.0.0.1:1000", 1);
    ticker.advance(WINDOW.minusSeconds(20));
    assertThat(b.authenticate(from("10.0.0.1:1000", KEY)).retryAfter()).contains(Duration.ofSeconds(20));

    ticker.advance(Duration.ofSeconds(20));

    assertThat(a.authenticate(from("10.0.0.1:1000", KEY)).isSuccess()).isTrue();
    assertThat(b.authenticate(from("10.0.0.1:1000", KEY)).isSuccess()).isTrue();
  }

  @Test
  void theReplicaWhoseFailureLockedTheHostLogsItOnce() {
    LogCapture log = LogCapture.start();
    failTimes(a, "10.0.0.9:1000", 2);
    failTimes(b, "10.0.0.9:1000", 1);
    b.authenticate(from("10.0.0.9:1000", "wrong"));
    a.authenticate(from("10.0.0.9:1000", "wrong"));

    assertThat(log.lines()).filteredOn(line -> line.contains("Authentication locked out") && line.contains("10.0.0.9"))
        .hasSize(1);
  }

  @Test
  void whileTheSharedCountsCannotBeReachedEachReplicaCountsOnItsOwn() {
    LogCapture log = LogCapture.start();
    shared.down = true;
    failTimes(a, "10.0.0.1:1000", 2);
    failTimes(b, "10.0.0.1:1000", 2);
    assertThat(a.authenticate(from("10.0.0.1:1000", KEY)).isSuccess()).isTrue();
    assertThat(b.authenticate(from("10.0.0.1:1000", KEY)).isSuccess()).isTrue();

    failTimes(a, "10.0.0.1:1000", 1); // a's own third failure: a alone would lock the host out

    assertThat(a.authenticate(from("10.0.0.1:1000", KEY)).status()).isEqualTo(429);
    assertThat(b.authenticate(from("10.0.0.1:1000", KEY)).isSuccess()).isTrue();
    assertThat(log.lines()).filteredOn(line -> line.contains("counted across replicas are unavailable")).hasSize(2); // one per replica
  }

  @Test
  void countsTogetherAgainOnceTheSharedCountsAnswer() {
    LogCapture log = LogCapture.start();
    shared.down = true;
    failTimes(a, "10.0.0.1:1000", 1);
    shared.down = false;
    ticker.advance(Duration.ofSeconds(2)); // past the pause after a failure of the shared counts

    failTimes(a, "10.0.0.1:1000", 1);
    failTimes(b, "10.0.0.1:1000", 2);

    assertThat(a.authenticate(from("10.0.0.1:1000", KEY)).status()).isEqualTo(429);
    assertThat(log.lines()).filteredOn(line -> line.contains("counted across replicas again")).hasSize(1);
  }

  @Test
  void sharedCountsNeedThrottling() {
    ApiKeyAuthenticator.Builder builder = ApiKeyAuthenticator.builder().key("ci", KEY).withoutThrottling()
        .sharedFailureCounts(shared);

    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("throttling is off");
  }

  @Test
  void sayItCountsAcrossReplicas() {
    assertThat(a.toString()).contains("3 failures per 60s across replicas").doesNotContain(KEY);
  }

  /** Shared failure counts in this JVM, on the test's ticker; {@link #down} makes every call fail as a store away would. */
  private static final class InMemoryFailureCounts implements SharedFailureCounts {
    private final FakeTicker ticker;
    private final Map<String, long[]> counts = new HashMap<>(); // key -> {window end, count, lock end}
    volatile boolean down;

    InMemoryFailureCounts(FakeTicker ticker) {
      this.ticker = ticker;
    }

    @Override
    public synchronized Duration lockedFor(String key) {
      check();
      long[] entry = counts.get(key);
      long now = ticker.getAsLong();
      return entry == null || entry[2] <= now ? Duration.ZERO : Duration.ofNanos(entry[2] - now);
    }

    @Override
    public synchronized Failures recordFailure(String key, int maxFailures, Duration window) {
      check();
      long now = ticker.getAsLong();
      long[] entry = counts.get(key);
      if (entry != null && entry[2] > now) {
        return new Failures(0, Duration.ofNanos(entry[2] - now));
      }
      if (entry == null || entry[0] <= now) {
        entry = new long[] {now + window.toNanos(), 0, 0};
        counts.put(key, entry);
      }
      entry[1]++;
      if (entry[1] >= maxFailures) {
        entry[0] = now + window.toNanos();
        entry[2] = now + window.toNanos();
        return new Failures((int) entry[1], window);
      }
      return new Failures((int) entry[1], Duration.ZERO);
    }

    private void check() {
      if (down) {
        throw new IllegalStateException("the failure counts are unreachable");
      }
    }
  }
}
