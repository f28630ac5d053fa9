package dev.mcpgateway.cluster;

import java.time.Duration;

/**
 * Failures that the replicas of a cluster count together, for lock-outs such as the throttle of
 * failed authentications: per key (such as a remote host), the failures within a window that
 * starts at the first one; the failure that reaches the maximum locks the key out for one window
 * from then, and the count starts again after it. Kept where all replicas see it (Redis), on its
 * clock.
 *
 * <p>An implementation keeps no key as given when that could tell who failed (an address): it
 * stores a digest of it. When it fails (its store cannot be reached), its user counts on its own
 * meanwhile, so a replica never lets more through than it would alone.
 */
public interface SharedFailureCounts {
  /**
   * How long {@code key} is still locked out.
   *
   * @param key the key, such as a remote host
   * @return {@link Duration#ZERO} when it is not locked out
   * @throws RuntimeException when the store cannot be reached
   */
  Duration lockedFor(String key);

  /**
   * Counts one failure of {@code key}, unless it is locked out already (then nothing is counted).
   *
   * @param maxFailures the failures within {@code window} that lock the key out, at least 1
   * @param window how long failures count from the first one, and how long a lock-out lasts
   * @param key the key, such as a remote host
   * @return the key's state after this failure
   * @throws RuntimeException when the store cannot be reached; nothing was counted
   */
  Failures recordFailure(String key, int maxFailures, Duration window);

  /**
   * The state of a key after {@link #recordFailure}.
   *
   * @param count the failures in the key's window, this one included; 0 when it was locked out
   *     already and this one did not count
   * @param lockedFor how long the key is locked out from now; {@link Duration#ZERO} when it is not
   */
  record Failures(int count, Duration lockedFor) {
    /**
     * Whether this failure is the one that locked the key out.
     *
     * @param maxFailures the maximum given to {@link SharedFailureCounts#recordFailure}
     * @return {@code true} for the failure that reached {@code maxFailures}
     */
    public boolean lockedNow(int maxFailures) {
      return count == maxFailures && !lockedFor.isZero();
    }
  }
}
