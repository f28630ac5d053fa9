package dev.mcpgateway.auth.apikey;

import dev.mcpgateway.cluster.SharedFailureCounts;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The authentication failures of remote hosts counted together with the other replicas of a
 * cluster, next to the {@link FailureThrottle} each replica keeps. When the shared counts fail
 * (their store cannot be reached), they answer "not locked" and "not counted", so the replica
 * goes by its own throttle alone; they are tried again a second after the last failure. One WARN
 * when they fail, one INFO when they answer again. Thread-safe.
 */
final class SharedFailures {
  private static final long RETRY_NANOS = 1_000_000_000L;
  /** Names the throttle's keys apart from anything else counted in the same store. */
  private static final String KEY_PREFIX = "apikey:";

  private final SharedFailureCounts counts;
  private final int maxFailures;
  private final Duration window;
  private final LongSupplier ticker;
  private final AuthLog log;
  private volatile boolean failing;
  private volatile long failedAtNanos;

  SharedFailures(SharedFailureCounts counts, int maxFailures, Duration window, LongSupplier ticker, AuthLog log) {
    this.counts = counts;
    this.maxFailures = maxFailures;
    this.window = window;
    this.ticker = ticker;
    this.log = log;
  }

  /** How long {@code host} is locked out across replicas; zero when it is not, or the counts cannot tell. */
  Duration lockedFor(String host) {
    if (!available()) {
      return Duration.ZERO;
    }
    try {
      Duration locked = counts.lockedFor(KEY_PREFIX + host);
      answered();
      return locked;
    } catch (RuntimeException e) {
      failed(e);
      return Duration.ZERO;
    }
  }

  /** Counts a failure of {@code host} across replicas; null when the counts cannot be reached. */
  SharedFailureCounts.Failures record(String host) {
    if (!available()) {
      return null;
    }
    try {
      SharedFailureCounts.Failures failures = counts.recordFailure(KEY_PREFIX + host, maxFailures, window);
      answered();
      return failures;
    } catch (RuntimeException e) {
      failed(e);
      return null;
    }
  }

  private boolean available() {
    return !failing || ticker.getAsLong() - failedAtNanos > RETRY_NANOS;
  }

  private void answered() {
    if (failing) {
      failing = false;
      log.sharedCountsBack();
    }
  }

  private void failed(RuntimeException e) {
    if (!failing) {
      log.sharedCountsUnavailable(e);
    }
    failedAtNanos = ticker.getAsLong();
    failing = true;
  }
}
