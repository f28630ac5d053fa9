package dev.mcpgateway.cluster;

/**
 * Rate limits that the replicas of a cluster count together: one token bucket per caller (and
 * server) for all of them, kept where they all see it (Redis). Each bucket is a GCRA: a
 * theoretical arrival time that moves by {@code intervalNanos} per request taken, with
 * {@code toleranceNanos} of burst.
 *
 * <p>The gateway asks it on every request of a caller with a limit. When it fails (its store
 * cannot be reached), the gateway counts on its own buckets meanwhile, so a replica never lets
 * more through than its own limit allows.
 */
public interface SharedRateLimits {
  /**
   * Takes one token of bucket {@code key}.
   *
   * @param key the bucket's key
   * @param intervalNanos the interval between two tokens
   * @param toleranceNanos how far ahead of its time the bucket may take tokens, the burst
   * @return 0 when taken, else the nanoseconds until one is there
   * @throws RuntimeException when the store cannot be reached
   */
  long tryAcquire(String key, long intervalNanos, long toleranceNanos);
}
