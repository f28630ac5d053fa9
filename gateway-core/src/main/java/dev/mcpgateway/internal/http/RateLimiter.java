package dev.mcpgateway.internal.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.RateLimit;
import dev.mcpgateway.config.ServerConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Token buckets per caller: one across servers for the gateway's limit, one per server for a
 * server with its own. Memory is bounded: at most {@value #MAX_BUCKETS} buckets, and a bucket
 * idle long enough to be full again is dropped (a new one starts full, so nothing changes).
 */
public final class RateLimiter {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RateLimiter.class);
  public static final int MAX_BUCKETS = 100_000;

  private record Key(String sessionKey, String server) {}

  private final GatewayConfig config;
  private final LongSupplier ticker;
  private final Cache<Key, TokenBucket> buckets;
  private final dev.mcpgateway.cluster.SharedRateLimits shared;
  private volatile long sharedFailedAtNanos;
  private volatile boolean sharedFailing;

  public RateLimiter(GatewayConfig config, LongSupplier ticker) {
    this(config, ticker, null);
  }

  /** @param shared the buckets the replicas of a cluster count together; null: this node's own */
  public RateLimiter(GatewayConfig config, LongSupplier ticker, dev.mcpgateway.cluster.SharedRateLimits shared) {
    this.config = config;
    this.ticker = ticker;
    this.shared = shared;
    long idleNanos = Duration.ofMinutes(1).toNanos();
    for (RateLimit limit : limits()) {
      idleNanos = Math.max(idleNanos, TokenBucket.refillNanos(limit));
    }
    this.buckets = Caffeine.newBuilder()
        .maximumSize(MAX_BUCKETS)
        .expireAfterAccess(idleNanos, TimeUnit.NANOSECONDS)
        .ticker(ticker::getAsLong)
        .executor(Runnable::run)
        .build();
  }

  private java.util.List<RateLimit> limits() {
    java.util.List<RateLimit> limits = new java.util.ArrayList<>();
    config.rateLimit().ifPresent(limits::add);
    config.servers().values().forEach(s -> s.rateLimit().ifPresent(limits::add));
    return limits;
  }

  /** Whether any limit is configured. */
  public boolean isEnabled() {
    return !limits().isEmpty();
  }

  /** The limit that applies to {@code server}, if any. */
  public Optional<RateLimit> limitFor(ServerConfig server) {
    return server.rateLimit().or(config::rateLimit);
  }

  /**
   * Takes a token for a request of {@code sessionKey} to {@code server}. Empty when the request may
   * go; otherwise how long until a token is available.
   */
  public Optional<Duration> acquire(String sessionKey, ServerConfig server) {
    Optional<RateLimit> limit = limitFor(server);
    if (limit.isEmpty()) {
      return Optional.empty();
    }
    return take(new Key(sessionKey, server.rateLimit().isPresent() ? server.name() : null), limit.get());
  }

  /** Takes a token of the gateway's own limit (no server's) for a request of {@code sessionKey}; as {@link #acquire(String, ServerConfig)}. */
  public Optional<Duration> acquire(String sessionKey) {
    return config.rateLimit().isEmpty() ? Optional.empty() : take(new Key(sessionKey, null), config.rateLimit().get());
  }

  private Optional<Duration> take(Key key, RateLimit limit) {
    long now = ticker.getAsLong();
    TokenBucket bucket = buckets.get(key, k -> new TokenBucket(limit, now));
    if (shared != null && (!sharedFailing || now - sharedFailedAtNanos > 1_000_000_000L)) {
      try {
        long wait = shared.tryAcquire("rate:" + key.sessionKey() + (key.server() == null ? "" : ":" + key.server()),
            bucket.intervalNanos(), bucket.toleranceNanos());
        if (sharedFailing) {
          sharedFailing = false;
          LOG.info("Rate limits are counted across replicas again");
        }
        return wait == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(wait));
      } catch (RuntimeException e) {
        if (!sharedFailing) {
          LOG.warn("Rate limits counted across replicas are unavailable ({}); this replica counts on its own meanwhile",
              e.getMessage());
        }
        sharedFailing = true;
        sharedFailedAtNanos = now;
      }
    }
    long wait = bucket.tryAcquire(now);
    return wait == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(wait));
  }

  /** Buckets held now; for tests. */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  /**
   * A token bucket kept as its theoretical arrival time (GCRA), in whole nanoseconds so that
   * waiting exactly the advertised time always succeeds. Starts full.
   */
  public static final class TokenBucket {
    private final long intervalNanos;
    private final long toleranceNanos;
    private long theoreticalArrival;

    public TokenBucket(RateLimit limit, long now) {
      this.intervalNanos = Math.max(1, Math.round(1e9 / limit.requestsPerSecond()));
      this.toleranceNanos = intervalNanos * (limit.burst() - 1L);
      this.theoreticalArrival = now;
    }

    long intervalNanos() {
      return intervalNanos;
    }

    long toleranceNanos() {
      return toleranceNanos;
    }

    public static long refillNanos(RateLimit limit) {
      return (long) Math.ceil(limit.burst() / limit.requestsPerSecond() * 1e9);
    }

    /** Takes one token: 0 when taken, else the nanoseconds until one is there. */
    public synchronized long tryAcquire(long now) {
      long arrival = Math.max(theoreticalArrival, now);
      long ahead = arrival - now;
      if (ahead > toleranceNanos) {
        return ahead - toleranceNanos;
      }
      theoreticalArrival = arrival + intervalNanos;
      return 0;
    }
  }
}
