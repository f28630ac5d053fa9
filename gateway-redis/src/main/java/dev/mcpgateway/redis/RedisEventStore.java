package dev.mcpgateway.redis;

import dev.mcpgateway.stream.EventStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventStore} in Redis Streams, so that a client can resume a stream on any replica.
 *
 * <p>Each stream of a session is a Redis Stream {@code <prefix>events:<session>:stream:<stream>}
 * whose entries hold the sequence number ({@code s}) and the encoded event ({@code d}). Beside it,
 * {@code <prefix>events:<session>:streams} (a sorted set of the session's streams by their last
 * append) and {@code <prefix>events:<session>:bytes} (a hash of the bytes each stream holds) let
 * {@link #removeSession} find every key of a session without scanning. An append is one Lua
 * script: it adds the event, then trims the stream exactly to the newest {@code maxEvents} events,
 * {@code maxBytes} bytes and {@code maxAge} of age (Redis's {@code XADD MAXLEN ~} trims only whole
 * internal nodes and knows neither bytes nor age), drops the session's streams that had no event
 * for {@code maxAge}, and sets every key's TTL to {@code maxAge}. A replay reads only events younger
 * than {@code maxAge}. The limits hold per stream, where the in-memory store's hold per session;
 * a session's idle streams go after {@code maxAge}.
 *
 * <p>Resumability is best effort, as the {@link EventStore} contract allows: when Redis cannot be
 * reached, an append is dropped (and appends are not tried again for one timeout, so a stream is
 * not slowed down by every event), a replay returns nothing, and a WARN says so once per outage.
 * Thread-safe.
 *
 * <pre>{@code
 * EventStore events = RedisEventStore.builder(cluster)
 *     .maxEventsPerStream(1_000).maxBytesPerStream(8 * 1024 * 1024).maxAge(Duration.ofMinutes(5)).build();
 * }</pre>
 */
public final class RedisEventStore implements EventStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisEventStore.class);
  private static final String WHAT = "event store";

  private static final String NOW = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local function num(x) return string.format('%.0f', x) end
      """;

  /**
   * KEYS: streams index, bytes hash, stream. ARGV: stream id, sequence, event, max events, max
   * bytes, max age ms, stream key prefix.
   */
  private static final LuaScript APPEND = new LuaScript(NOW + """
      local maxEvents, maxBytes, maxAge = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
      local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. num(now - maxAge))
      for _, s in ipairs(stale) do
        redis.call('DEL', ARGV[7] .. s)
        redis.call('HDEL', KEYS[2], s)
        redis.call('ZREM', KEYS[1], s)
      end
      if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
      redis.call('XADD', KEYS[3], '*', 's', ARGV[2], 'd', ARGV[3])
      local len = redis.call('XLEN', KEYS[3])
      local bytes = redis.call('HINCRBY', KEYS[2], ARGV[1], #ARGV[3])
      while len > 1 do
        local first = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1]
        local ms = tonumber(string.match(first[1], '^(%d+)'))
        if len <= maxEvents and bytes <= maxBytes and ms >= now - maxAge then break end
        redis.call('XDEL', KEYS[3], first[1])
        len = len - 1
        bytes = bytes - #first[2][4]
      end
      redis.call('HSET', KEYS[2], ARGV[1], bytes)
      redis.call('ZADD', KEYS[1], num(now), ARGV[1])
      for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], maxAge) end
      return len
      """);

  /** KEYS: stream. ARGV: after sequence, max age ms. The events younger than max age after the sequence, oldest first. */
  private static final LuaScript REPLAY = new LuaScript(NOW + """
      local after = tonumber(ARGV[1])
      local entries = redis.call('XRANGE', KEYS[1], num(math.max(0, now - tonumber(ARGV[2]))), '+')
      local events = {}
      for _, e in ipairs(entries) do
        if tonumber(e[2][2]) > after then events[#events + 1] = e[2][4] end
      end
      return events
      """);

  /** KEYS: streams index, bytes hash. ARGV: stream key prefix. Deletes every key of the session. */
  private static final LuaScript REMOVE_SESSION = new LuaScript("""
      local streams = redis.call('ZRANGE', KEYS[1], 0, -1)
      for _, s in ipairs(streams) do redis.call('DEL', ARGV[1] .. s) end
      redis.call('DEL', KEYS[1], KEYS[2])
      return #streams
      """);

  private final RedisConnection redis;
  private final String prefix;
  private final int maxEvents;
  private final long maxBytes;
  private final long maxAgeMillis;
  private volatile long skipAppendsUntilNanos = System.nanoTime();

  private RedisEventStore(Builder b) {
    this.redis = b.cluster.connection();
    this.prefix = b.cluster.prefix() + "events:";
    this.maxEvents = b.maxEvents;
    this.maxBytes = b.maxBytes;
    this.maxAgeMillis = b.maxAge.toMillis();
  }

  /**
   * Starts a builder for a store on {@code cluster}'s Redis: 1,000 events, 8 MiB and 5 minutes per stream.
   *
   * @param cluster the Redis to store on
   * @return a new builder
   */
  public static Builder builder(RedisCluster cluster) {
    return new Builder(Objects.requireNonNull(cluster, "cluster"));
  }

  /** {@inheritDoc} Dropped when larger than the byte limit, or when Redis cannot be reached. */
  @Override
  public void append(String sessionId, String streamId, long sequence, byte[] encodedEvent) {
    Objects.requireNonNull(encodedEvent, "encodedEvent");
    if (encodedEvent.length > maxBytes || System.nanoTime() - skipAppendsUntilNanos < 0) {
      return;
    }
    List<byte[]> keys = List.of(streamsKey(sessionId), bytesKey(sessionId), streamKey(sessionId, streamId));
    List<byte[]> args = List.of(bytes(streamId), bytes(Long.toString(sequence)), encodedEvent, bytes(Integer.toString(maxEvents)),
        bytes(Long.toString(maxBytes)), bytes(Long.toString(maxAgeMillis)), bytes(streamKeyPrefix(sessionId)));
    try {
      redis.call(WHAT, r -> APPEND.run(r, keys, args));
    } catch (RedisUnavailableException e) {
      skipAppendsUntilNanos = System.nanoTime() + redis.timeout().toNanos();
      LOG.debug("Event not recorded for resumption: {}", e.getMessage());
    }
  }

  /** {@inheritDoc} Empty when Redis cannot be reached. */
  @Override
  public List<byte[]> replay(String sessionId, String streamId, long afterSequence) {
    try {
      Object reply = redis.call(WHAT, r -> REPLAY.run(r, List.of(streamKey(sessionId, streamId)),
          List.of(bytes(Long.toString(afterSequence)), bytes(Long.toString(maxAgeMillis)))));
      List<byte[]> events = new ArrayList<>();
      for (Object event : (List<?>) reply) {
        events.add((byte[]) event);
      }
      return events;
    } catch (RedisUnavailableException e) {
      LOG.warn("Cannot replay a stream: {}", e.getMessage());
      return List.of();
    }
  }

  /** {@inheritDoc} When Redis cannot be reached, the keys go by their TTL instead. */
  @Override
  public void removeSession(String sessionId) {
    try {
      redis.call(WHAT, r -> REMOVE_SESSION.run(r, List.of(streamsKey(sessionId), bytesKey(sessionId)),
          List.of(bytes(streamKeyPrefix(sessionId)))));
    } catch (RedisUnavailableException e) {
      LOG.debug("A session's events stay until their TTL: {}", e.getMessage());
    }
  }

  private byte[] streamsKey(String sessionId) {
    return bytes(prefix + sessionId + ":streams");
  }

  private byte[] bytesKey(String sessionId) {
    return bytes(prefix + sessionId + ":bytes");
  }

  private String streamKeyPrefix(String sessionId) {
    return prefix + sessionId + ":stream:";
  }

  private byte[] streamKey(String sessionId, String streamId) {
    return bytes(streamKeyPrefix(sessionId) + streamId);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Builds a {@link RedisEventStore}. */
  public static final class Builder {
    private final RedisCluster cluster;
    private int maxEvents = 1_000;
    private long maxBytes = 8L * 1024 * 1024;
    private Duration maxAge = Duration.ofMinutes(5);

    private Builder(RedisCluster cluster) {
      this.cluster = cluster;
    }

    /**
     * Events kept per stream, newest win.
     *
     * @param maxEvents at least 1
     * @return this builder
     */
    public Builder maxEventsPerStream(int maxEvents) {
      if (maxEvents < 1) {
        throw new IllegalArgumentException("maxEventsPerStream must be at least 1: " + maxEvents);
      }
      this.maxEvents = maxEvents;
      return this;
    }

    /**
     * Bytes kept per stream, newest win; a larger event is not kept at all.
     *
     * @param maxBytes at least 1
     * @return this builder
     */
    public Builder maxBytesPerStream(long maxBytes) {
      if (maxBytes < 1) {
        throw new IllegalArgumentException("maxBytesPerStream must be at least 1: " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * Events older than this are forgotten, and a session's keys expire this long after its last event; at least 1 second.
     *
     * @param maxAge the age
     * @return this builder
     */
    public Builder maxAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("maxAge must be at least 1 second: " + maxAge);
      }
      this.maxAge = maxAge;
      return this;
    }

    /**
     * Builds the store; it uses the cluster's connections and holds nothing of its own to close.
     *
     * @return a new store
     */
    public RedisEventStore build() {
      cluster.connection(); // fails fast on a closed cluster
      return new RedisEventStore(this);
    }
  }
}
