package dev.mcpgateway.redis;

import dev.mcpgateway.cluster.SharedRateLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Rate limits the replicas count together in Redis: one key per bucket,
 * {@code <prefix>rate:<caller digest>[:<server>]}, holding its theoretical arrival time (GCRA) in
 * microseconds of Redis's clock, with a TTL of the time until the bucket is full again. One Lua
 * script takes a token atomically. Failures reach the gateway as {@link RedisUnavailableException},
 * and it counts on its own buckets meanwhile.
 */
public final class RedisRateLimits implements SharedRateLimits {
  private static final String WHAT = "rate limits";
  private static final LuaScript TAKE = new LuaScript("""
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local interval = tonumber(ARGV[1])
      local tolerance = tonumber(ARGV[2])
      local tat = tonumber(redis.call('GET', KEYS[1]) or now)
      if tat < now then tat = now end
      local ahead = tat - now
      if ahead > tolerance then return ahead - tolerance end
      local nextArrival = tat + interval
      redis.call('SET', KEYS[1], string.format('%.0f', nextArrival), 'PX', math.ceil((nextArrival - now) / 1000) + 1)
      return 0
      """);

  private final RedisConnection redis;
  private final String prefix;

  RedisRateLimits(RedisCluster cluster) {
    this.redis = Objects.requireNonNull(cluster, "cluster").connection();
    this.prefix = cluster.prefix();
  }

  @Override
  public long tryAcquire(String key, long intervalNanos, long toleranceNanos) {
    long intervalMicros = Math.max(1, (intervalNanos + 999) / 1000);
    long toleranceMicros = toleranceNanos / 1000;
    Object reply = redis.call(WHAT, r -> TAKE.run(r, List.of((prefix + key).getBytes(StandardCharsets.UTF_8)),
        List.of(Long.toString(intervalMicros).getBytes(StandardCharsets.US_ASCII),
            Long.toString(toleranceMicros).getBytes(StandardCharsets.US_ASCII))));
    long waitMicros = reply instanceof Long ? (Long) reply : 0;
    return waitMicros <= 0 ? 0 : waitMicros * 1000;
  }
}
