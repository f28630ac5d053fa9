package dev.mcpgateway.redis;

import dev.mcpgateway.session.McpSession;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Redis side of {@link RedisSessionStore}: the key layout and one Lua script per step, each
 * atomic on the index (a sorted set of session id by deadline, in milliseconds), one record (the
 * session's JSON), and the caller's sessions: a hash of session id to caller digest, and per caller
 * a sorted set of its session ids by the same deadlines, which counts a caller's live sessions
 * without reading records. Records go in and out as JSON bytes; what they mean is the store's
 * business.
 *
 * <p>{@code ARGV[1]} of every script is the store's time in milliseconds, or empty for Redis's own
 * clock ({@code TIME}), which every replica then shares. A session is live while its deadline is
 * later than now; a record outlives its deadline by a grace period (its key's TTL) so that a sweep
 * can still read what it reports as expired. Thread-safe.
 */
final class SessionRecords {
  private static final String WHAT = "session store";
  private static final int BATCH = 100;

  /** What {@link #remove} took out: the record, and whether it had passed its deadline. */
  record Removed(byte[] json, boolean expired) {}

  /** What one {@link #sweep} took out: how many index entries, and the records still there. */
  record Swept(int taken, List<byte[]> records) {}

  private static final String PRELUDE = """
      local function now()
        if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
        local t = redis.call('TIME')
        return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      local function num(x) return string.format('%.0f', x) end
      """;

  /**
   * KEYS: index, record, callers, the caller's sessions. ARGV: now, id, idle ms, TTL ms, maximum,
   * JSON, caller digest, maximum per caller. 1 added, 0 full, -1 the id exists, -2 the caller holds
   * its maximum.
   */
  private static final LuaScript ADD = new LuaScript(PRELUDE + """
      local t = now()
      if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('ZSCORE', KEYS[1], ARGV[2]) then return -1 end
      if redis.call('ZCOUNT', KEYS[1], '(' .. num(t), '+inf') >= tonumber(ARGV[5]) then return 0 end
      redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', num(t))
      if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[8]) then return -2 end
      local deadline = num(t + tonumber(ARGV[3]))
      redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[4])
      redis.call('ZADD', KEYS[1], deadline, ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      redis.call('HSET', KEYS[3], ARGV[2], ARGV[7])
      redis.call('PEXPIRE', KEYS[3], ARGV[4])
      redis.call('ZADD', KEYS[4], deadline, ARGV[2])
      redis.call('PEXPIRE', KEYS[4], ARGV[4])
      return 1
      """);

  /**
   * KEYS: index, record, callers. ARGV: now, id, idle ms, TTL ms, caller key prefix. The JSON of a
   * live session, its deadline (also in its caller's sessions) and TTLs pushed back; else nil.
   */
  private static final LuaScript GET = new LuaScript(PRELUDE + """
      local t = now()
      local deadline = redis.call('ZSCORE', KEYS[1], ARGV[2])
      if not deadline or tonumber(deadline) <= t then return false end
      local json = redis.call('GET', KEYS[2])
      if not json then
        redis.call('ZREM', KEYS[1], ARGV[2])
        return false
      end
      local pushed = num(t + tonumber(ARGV[3]))
      redis.call('ZADD', KEYS[1], 'XX', pushed, ARGV[2])
      redis.call('PEXPIRE', KEYS[2], ARGV[4])
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      local caller = redis.call('HGET', KEYS[3], ARGV[2])
      if caller then
        redis.call('PEXPIRE', KEYS[3], ARGV[4])
        redis.call('ZADD', ARGV[5] .. caller, pushed, ARGV[2])
        redis.call('PEXPIRE', ARGV[5] .. caller, ARGV[4])
      end
      return json
      """);

  /**
   * KEYS: index, record, callers, the caller's sessions. ARGV: now, id, idle ms, TTL ms, JSON.
   * 1 replaced (and touched), 0 not live.
   */
  private static final LuaScript UPDATE = new LuaScript(PRELUDE + """
      local t = now()
      local deadline = redis.call('ZSCORE', KEYS[1], ARGV[2])
      if not deadline or tonumber(deadline) <= t or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
      local pushed = num(t + tonumber(ARGV[3]))
      redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[4])
      redis.call('ZADD', KEYS[1], 'XX', pushed, ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then
        redis.call('PEXPIRE', KEYS[3], ARGV[4])
        redis.call('ZADD', KEYS[4], pushed, ARGV[2])
        redis.call('PEXPIRE', KEYS[4], ARGV[4])
      end
      return 1
      """);

  /**
   * KEYS: index, record, callers. ARGV: now, id, caller key prefix. Deletes the session's keys and
   * entries; {JSON, 'removed' or 'expired'} when this call took a session out of the index, else
   * nil: of concurrent removals exactly one hears it.
   */
  private static final LuaScript REMOVE = new LuaScript(PRELUDE + """
      local t = now()
      local deadline = redis.call('ZSCORE', KEYS[1], ARGV[2])
      local json = redis.call('GET', KEYS[2])
      redis.call('DEL', KEYS[2])
      local caller = redis.call('HGET', KEYS[3], ARGV[2])
      if caller then
        redis.call('HDEL', KEYS[3], ARGV[2])
        redis.call('ZREM', ARGV[3] .. caller, ARGV[2])
      end
      if not deadline then return false end
      redis.call('ZREM', KEYS[1], ARGV[2])
      if not json then return false end
      if tonumber(deadline) <= t then return {json, 'expired'} end
      return {json, 'removed'}
      """);

  /**
   * KEYS: index, callers. ARGV: now, record key prefix, limit, caller key prefix. Takes up to
   * {@code limit} sessions past their deadline out of the index and deletes their records and
   * caller entries: {number taken, {JSON...}}. Each expired session is taken by exactly one sweep,
   * on whichever replica runs first.
   */
  private static final LuaScript SWEEP = new LuaScript(PRELUDE + """
      local t = now()
      local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', num(t), 'LIMIT', 0, tonumber(ARGV[3]))
      local gone = {}
      for _, id in ipairs(ids) do
        local key = ARGV[2] .. id
        local json = redis.call('GET', key)
        redis.call('DEL', key)
        redis.call('ZREM', KEYS[1], id)
        local caller = redis.call('HGET', KEYS[2], id)
        if caller then
          redis.call('HDEL', KEYS[2], id)
          redis.call('ZREM', ARGV[4] .. caller, id)
        end
        if json then gone[#gone + 1] = json end
      end
      return {#ids, gone}
      """);

  /** KEYS: index. ARGV: now. The ids of the live sessions. */
  private static final LuaScript LIVE_IDS = new LuaScript(PRELUDE + """
      return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. num(now()), '+inf')
      """);

  /** KEYS: index. ARGV: now. How many sessions are live. */
  private static final LuaScript LIVE_COUNT = new LuaScript(PRELUDE + """
      return redis.call('ZCOUNT', KEYS[1], '(' .. num(now()), '+inf')
      """);

  private final RedisConnection redis;
  private final byte[] indexKey;
  private final byte[] callersKey;
  private final String recordPrefix;
  private final String callerPrefix;
  private final String idleMillis;
  private final String ttlMillis;
  private final LongSupplier ticker;

  /**
   * @param ticker nanoseconds (as {@link System#nanoTime()}) for the deadlines, or null for Redis's clock
   */
  SessionRecords(RedisConnection redis, String prefix, long idleMillis, long ttlMillis, LongSupplier ticker) {
    this.redis = redis;
    this.indexKey = bytes(prefix + "sessions");
    this.callersKey = bytes(prefix + "callers");
    this.recordPrefix = prefix + "session:";
    this.callerPrefix = prefix + "caller:";
    this.idleMillis = Long.toString(idleMillis);
    this.ttlMillis = Long.toString(ttlMillis);
    this.ticker = ticker;
  }

  /**
   * 1 added, 0 the maximum of live sessions is reached, -1 the id exists, -2 the session's caller
   * holds {@code maximumPerCaller} live sessions.
   */
  long add(McpSession session, int maximumSessions, int maximumPerCaller) {
    List<byte[]> keys = List.of(indexKey, bytes(recordPrefix + session.id()), callersKey,
        bytes(callerPrefix + session.callerDigest()));
    return (Long) redis.call(WHAT, r -> ADD.run(r, keys, args(now(), session.id(), idleMillis, ttlMillis,
        Integer.toString(maximumSessions), session.toJson(), session.callerDigest(), Integer.toString(maximumPerCaller))));
  }

  /** The record of a live session, its deadline pushed back; null when it is not live. */
  byte[] get(String sessionId) {
    return (byte[]) redis.call(WHAT, r -> GET.run(r, keys(sessionId), args(now(), sessionId, idleMillis, ttlMillis, callerPrefix)));
  }

  /** Replaces the record of a live session and pushes its deadline back; false when it is not live. */
  boolean update(McpSession session) {
    List<byte[]> keys = List.of(indexKey, bytes(recordPrefix + session.id()), callersKey,
        bytes(callerPrefix + session.callerDigest()));
    return (Long) redis.call(WHAT, r -> UPDATE.run(r, keys,
        args(now(), session.id(), idleMillis, ttlMillis, session.toJson()))) == 1;
  }

  /** Deletes a session; what this call took out of the index, or null when another call did or it was never there. */
  Removed remove(String sessionId) {
    Object reply = redis.call(WHAT, r -> REMOVE.run(r, keys(sessionId), args(now(), sessionId, callerPrefix)));
    if (reply instanceof List<?> removed) {
      return new Removed((byte[]) removed.get(0), "expired".equals(new String((byte[]) removed.get(1), StandardCharsets.UTF_8)));
    }
    return null;
  }

  /** Takes up to a batch of sessions past their deadline out; call again while a whole batch was taken. */
  Swept sweep() {
    List<?> reply = (List<?>) redis.call(WHAT, r -> SWEEP.run(r, List.of(indexKey, callersKey),
        args(now(), recordPrefix, Integer.toString(BATCH), callerPrefix)));
    List<byte[]> records = new ArrayList<>();
    for (Object json : (List<?>) reply.get(1)) {
      records.add((byte[]) json);
    }
    return new Swept((int) (long) (Long) reply.get(0), records);
  }

  /** Whether a sweep that took {@code swept} may have left more behind. */
  static boolean more(Swept swept) {
    return swept.taken() >= BATCH;
  }

  /** The records of the live sessions, read in batches: not one atomic snapshot. */
  List<byte[]> live() {
    @SuppressWarnings("unchecked")
    List<byte[]> ids = (List<byte[]>) redis.call(WHAT, r -> LIVE_IDS.run(r, List.of(indexKey), args(now())));
    List<byte[]> records = new ArrayList<>(ids.size());
    for (int from = 0; from < ids.size(); from += BATCH) {
      byte[][] recordKeys = ids.subList(from, Math.min(ids.size(), from + BATCH)).stream()
          .map(id -> bytes(recordPrefix + new String(id, StandardCharsets.UTF_8))).toArray(byte[][]::new);
      for (byte[] json : redis.call(WHAT, r -> r.mget(recordKeys))) {
        if (json != null) {
          records.add(json);
        }
      }
    }
    return records;
  }

  /** How many sessions are live. */
  long liveCount() {
    return (Long) redis.call(WHAT, r -> LIVE_COUNT.run(r, List.of(indexKey), args(now())));
  }

  private String now() {
    return ticker == null ? "" : Long.toString(TimeUnit.NANOSECONDS.toMillis(ticker.getAsLong()));
  }

  private List<byte[]> keys(String sessionId) {
    return List.of(indexKey, bytes(recordPrefix + sessionId), callersKey);
  }

  private static List<byte[]> args(String... values) {
    List<byte[]> args = new ArrayList<>(values.length);
    for (String value : values) {
      args.add(bytes(value));
    }
    return args;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
