package dev.mcpgateway.redis;

import dev.mcpgateway.cluster.SharedFailureCounts;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Failures the replicas count together in Redis, such as those of the API-key throttle: one hash
 * per key, {@code <prefix>failures:<digest>}, with the count of the current window ({@code n})
 * and, once locked out, the end of the lock-out ({@code until}, milliseconds of Redis's clock).
 * The key's TTL ends its window: set at the first failure, and to one window again by the failure
 * that locks it out, so the count starts again after the lock-out. One Lua script checks and
 * counts atomically.
 *
 * <p>The key names a digest, never the key as given (a remote address): HMAC-SHA256 under a key
 * derived from the cluster secret when the cluster has one, so that nobody who reads Redis can
 * tell the addresses back by trying them all; else SHA-256. Failures reach the caller as
 * {@link RedisUnavailableException}. Thread-safe.
 */
public final class RedisFailureCounts implements SharedFailureCounts {
  private static final String WHAT = "failure counts";
  private static final byte[] CHECK = bytes("check");
  private static final byte[] FAIL = bytes("fail");

  /**
   * KEYS: the key. ARGV: 'check' or 'fail', the maximum, the window in ms. {count, lock-out ms
   * left}: {0, ms} when locked out (nothing counted), {0, 0} for a check of a key not locked out.
   */
  private static final LuaScript COUNT = new LuaScript("""
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
      if lockedUntil > now then return {0, lockedUntil - now} end
      if lockedUntil > 0 then redis.call('DEL', KEYS[1]) end
      if ARGV[1] ~= 'fail' then return {0, 0} end
      local window = tonumber(ARGV[3])
      local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
      if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], window) end
      if n >= tonumber(ARGV[2]) then
        redis.call('HSET', KEYS[1], 'until', string.format('%.0f', now + window))
        redis.call('PEXPIRE', KEYS[1], window)
        return {n, window}
      end
      return {n, 0}
      """);

  private final RedisConnection redis;
  private final String prefix;
  private final SecretKeySpec digestKey;

  RedisFailureCounts(RedisCluster cluster, byte[] clusterSecret) {
    this.redis = Objects.requireNonNull(cluster, "cluster").connection();
    this.prefix = cluster.prefix() + "failures:";
    this.digestKey = clusterSecret == null ? null
        : new SecretKeySpec(hmac(new SecretKeySpec(clusterSecret, "HmacSHA256"), "mcp-gateway failure counts"), "HmacSHA256");
  }

  @Override
  public Duration lockedFor(String key) {
    return Duration.ofMillis(run(key, CHECK, 1, Duration.ofMillis(1)).get(1));
  }

  @Override
  public Failures recordFailure(String key, int maxFailures, Duration window) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures must be at least 1: " + maxFailures);
    }
    if (window.toMillis() < 1) {
      throw new IllegalArgumentException("window must be at least 1 ms: " + window);
    }
    List<Long> reply = run(key, FAIL, maxFailures, window);
    return new Failures((int) Math.min(Integer.MAX_VALUE, reply.get(0)), Duration.ofMillis(reply.get(1)));
  }

  @SuppressWarnings("unchecked")
  private List<Long> run(String key, byte[] mode, int maxFailures, Duration window) {
    byte[] redisKey = bytes(prefix + digest(Objects.requireNonNull(key, "key")));
    return (List<Long>) redis.call(WHAT, r -> COUNT.run(r, List.of(redisKey),
        List.of(mode, bytes(Integer.toString(maxFailures)), bytes(Long.toString(window.toMillis())))));
  }

  /** The digest that names {@code key} in Redis: 32 hex digits. */
  String digest(String key) {
    byte[] hash;
    if (digestKey != null) {
      hash = hmac(digestKey, key);
    } else {
      try {
        hash = MessageDigest.getInstance("SHA-256").digest(bytes("mcp-gateway failure counts:" + key));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }
    return HexFormat.of().formatHex(hash, 0, 16);
  }

  private static byte[] hmac(SecretKeySpec key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(bytes(text));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
