package dev.mcpgateway.auth.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Counts authentication failures per remote host and locks a host out once it fails
 * {@code maxFailures} times within {@code window}; the lock lasts {@code window} from the
 * failure that set it.
 *
 * <p>Memory is bounded: at most {@code maxHosts} hosts are tracked, and a host that has not
 * failed for a window is forgotten. Thread-safe.
 */
final class FailureThrottle {
  private final int maxFailures;
  private final long windowNanos;
  private final LongSupplier ticker;
  private final Cache<String, Failures> failures;

  /** A host's failures in its current window, and the end of its lock (0 when not locked). */
  private record Failures(long windowStart, int count, long lockedUntil) {}

  FailureThrottle(int maxFailures, Duration window, long maxHosts, LongSupplier ticker) {
    this.maxFailures = maxFailures;
    this.windowNanos = window.toNanos();
    this.ticker = ticker;
    this.failures = Caffeine.newBuilder()
        .maximumSize(maxHosts)
        .expireAfterWrite(windowNanos, TimeUnit.NANOSECONDS)
        .ticker(ticker::getAsLong)
        .build();
  }

  /** How long {@code host} must still wait; empty when it may try. */
  Optional<Duration> retryAfter(String host) {
    Failures current = failures.getIfPresent(host);
    if (current == null || current.lockedUntil() == 0) {
      return Optional.empty();
    }
    long remaining = current.lockedUntil() - ticker.getAsLong();
    return remaining > 0 ? Optional.of(Duration.ofNanos(remaining)) : Optional.empty();
  }

  /** Counts one failure of {@code host}; true when this failure locked it out. */
  boolean recordFailure(String host) {
    long now = ticker.getAsLong();
    Failures updated = failures.asMap().compute(host, (h, old) -> {
      if (old == null || now - old.windowStart() >= windowNanos) {
        return lockIfReached(new Failures(now, 1, 0), now);
      }
      return lockIfReached(new Failures(old.windowStart(), old.count() + 1, 0), now);
    });
    return updated.lockedUntil() != 0 && updated.count() == maxFailures;
  }

  private Failures lockIfReached(Failures failures, long now) {
    return failures.count() >= maxFailures
        ? new Failures(now, failures.count(), now + windowNanos)
        : failures;
  }

  /** How many hosts are tracked now, for tests. */
  long trackedHosts() {
    failures.cleanUp();
    return failures.estimatedSize();
  }
}
