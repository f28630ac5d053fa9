package dev.mcpgateway.config;

/**
 * A token-bucket rate limit per caller: {@code requestsPerSecond} tokens flow in, at most
 * {@code burst} wait to be spent; each request spends one. A caller over the limit gets 429 with
 * {@code Retry-After}. JSON: {@code "rateLimit": {"requestsPerSecond": 10, "burst": 20}}, in
 * {@code gateway} (one bucket per caller across servers) or in a server (a bucket per caller
 * for that server, instead of the gateway's).
 *
 * @param requestsPerSecond the sustained rate, more than 0 (fractions allowed: 0.5 is one request every 2 s)
 * @param burst how many requests may come at once after a quiet period, at least 1
 */
public record RateLimit(double requestsPerSecond, int burst) {

  /**
   * Rejects a rate that is not positive and finite, or a burst under 1.
   *
   * @param requestsPerSecond the sustained rate, more than 0 (fractions allowed: 0.5 is one request
   *     every 2 s)
   * @param burst how many requests may come at once after a quiet period, at least 1
   */
  public RateLimit {
    if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond) || requestsPerSecond > 1_000_000) {
      throw new IllegalArgumentException("requestsPerSecond must be more than 0 and at most 1000000: " + requestsPerSecond);
    }
    if (burst < 1 || burst > 1_000_000) {
      throw new IllegalArgumentException("burst must be from 1 to 1000000: " + burst);
    }
  }

  /**
   * A limit of {@code requestsPerSecond} with a burst of the same size (at least 1).
   *
   * @param requestsPerSecond the sustained rate, more than 0
   * @return the limit
   */
  public static RateLimit perSecond(double requestsPerSecond) {
    return new RateLimit(requestsPerSecond, (int) Math.max(1, Math.ceil(Math.min(requestsPerSecond, 1_000_000))));
  }

  @Override
  public String toString() {
    return (requestsPerSecond == Math.rint(requestsPerSecond) ? Long.toString((long) requestsPerSecond)
        : Double.toString(requestsPerSecond)) + " requests per second (burst " + burst + ")";
  }
}
