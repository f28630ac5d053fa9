package dev.mcpgateway.redis;

/**
 * The Lua scripts of {@link RedisSessionStore}, each one atomic step on the index (a sorted set
 * of session id by deadline, in milliseconds) and one record (the session's JSON).
 *
 * <p>{@code ARGV[1]} is always the store's time in milliseconds, or empty for Redis's own clock
 * ({@code TIME}), which every replica then shares. A session is live while its deadline is later
 * than now; a record outlives its deadline by a grace period (its key's TTL) so that a sweep can
 * still read what it reports as expired.
 */
final class SessionScripts {
  private SessionScripts() {}

  private static final String PRELUDE = """
      local function now()
        if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
        local t = redis.call('TIME')
        return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      local function num(x) return string.format('%.0f', x) end
      """;

  /** KEYS: index, record. ARGV: now, id, idle ms, TTL ms, maximum, JSON. 1 added, 0 full, -1 the id exists. */
  static final LuaScript ADD = new LuaScript(PRELUDE + """
      local t = now()
      if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('ZSCORE', KEYS[1], ARGV[2]) then return -1 end
      if redis.call('ZCOUNT', KEYS[1], '(' .. num(t), '+inf') >= tonumber(ARGV[5]) then return 0 end
      redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[4])
      redis.call('ZADD', KEYS[1], num(t + tonumber(ARGV[3])), ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      return 1
      """);

  /** KEYS: index, record. ARGV: now, id, idle ms, TTL ms. The JSON of a live session, its deadline and TTLs pushed back; else nil. */
  static final LuaScript GET = new LuaScript(PRELUDE + """
      local t = now()
      local deadline = redis.call('ZSCORE', KEYS[1], ARGV[2])
      if not deadline or tonumber(deadline) <= t then return false end
      local json = redis.call('GET', KEYS[2])
      if not json then
        redis.call('ZREM', KEYS[1], ARGV[2])
        return false
      end
      redis.call('ZADD', KEYS[1], 'XX', num(t + tonumber(ARGV[3])), ARGV[2])
      redis.call('PEXPIRE', KEYS[2], ARGV[4])
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      return json
      """);

  /** KEYS: index, record. ARGV: now, id, idle ms, TTL ms, JSON. 1 replaced (and touched), 0 not live. */
  static final LuaScript UPDATE = new LuaScript(PRELUDE + """
      local t = now()
      local deadline = redis.call('ZSCORE', KEYS[1], ARGV[2])
      if not deadline or tonumber(deadline) <= t or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
      redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[4])
      redis.call('ZADD', KEYS[1], 'XX', num(t + tonumber(ARGV[3])), ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      return 1
      """);

  /**
   * KEYS: index, record. ARGV: now, id. Deletes both; {JSON, 'removed' or 'expired'} when this
   * call took a session out of the index, else nil: of concurrent removals exactly one hears it.
   */
  static final LuaScript REMOVE = new LuaScript(PRELUDE + """
      local t = now()
      local deadline = redis.call('ZSCORE', KEYS[1], ARGV[2])
      local json = redis.call('GET', KEYS[2])
      redis.call('DEL', KEYS[2])
      if not deadline then return false end
      redis.call('ZREM', KEYS[1], ARGV[2])
      if not json then return false end
      if tonumber(deadline) <= t then return {json, 'expired'} end
      return {json, 'removed'}
      """);

  /**
   * KEYS: index. ARGV: now, record key prefix, limit. Takes up to {@code limit} sessions past
   * their deadline out of the index and deletes their records: {number taken, {JSON...}}. Each
   * expired session is taken by exactly one sweep, on whichever replica runs first.
   */
  static final LuaScript SWEEP = new LuaScript(PRELUDE + """
      local t = now()
      local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', num(t), 'LIMIT', 0, tonumber(ARGV[3]))
      local gone = {}
      for _, id in ipairs(ids) do
        local key = ARGV[2] .. id
        local json = redis.call('GET', key)
        redis.call('DEL', key)
        redis.call('ZREM', KEYS[1], id)
        if json then gone[#gone + 1] = json end
      end
      return {#ids, gone}
      """);

  /** KEYS: index. ARGV: now. The ids of the live sessions. */
  static final LuaScript LIVE_IDS = new LuaScript(PRELUDE + """
      return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. num(now()), '+inf')
      """);

  /** KEYS: index. ARGV: now. How many sessions are live. */
  static final LuaScript LIVE_COUNT = new LuaScript(PRELUDE + """
      return redis.call('ZCOUNT', KEYS[1], '(' .. num(now()), '+inf')
      """);
}
