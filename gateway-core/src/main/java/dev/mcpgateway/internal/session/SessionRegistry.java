package dev.mcpgateway.internal.session;

import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.stream.EventStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sessions this node serves, by id, with what it holds for each ({@link LiveSession}); and
 * per caller, how many sessions it holds and whether its key was revoked.
 */
public final class SessionRegistry {
  private final ConcurrentHashMap<String, LiveSession> live = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> sessionsPerKey = new ConcurrentHashMap<>();
  private final AtomicLong revocationEpoch = new AtomicLong();
  /** Session key to the epoch of its latest revocation: one entry per revoked key, an operator's rare act. */
  private final Map<String, Long> revokedAt = new ConcurrentHashMap<>();
  private final EventStore eventStore;
  private final StreamRegistry streams;

  /** What the ids this node gives a session's streams and server requests start from (see {@link #SessionRegistry(EventStore, StreamRegistry, boolean)}). */
  private final long idBase;
  private volatile ClusterRelay relay;

  public SessionRegistry(EventStore eventStore, StreamRegistry streams) {
    this(eventStore, streams, false);
  }

  /**
   * @param clustered whether other replicas serve the same sessions: then the stream and
   *     server-request ids this node gives start at a random node number times 2^32, so that the
   *     ids two replicas give one session never meet (and stay below 2^53, exact in JavaScript)
   */
  public SessionRegistry(EventStore eventStore, StreamRegistry streams, boolean clustered) {
    this.eventStore = eventStore;
    this.streams = streams;
    this.idBase = clustered ? (1L + new java.security.SecureRandom().nextInt((1 << 20) - 1)) << 32 : 0;
  }

  /** This node's number in a cluster (the high bits of the ids it gives); 0 for a gateway on its own. */
  public long node() {
    return idBase >>> 32;
  }

  /** The number of the node that gave stream id {@code streamId} (see {@link #node()}); -1 when it is not such an id. */
  public static long nodeOf(String streamId) {
    try {
      long id = Long.parseLong(streamId);
      return id > 0 ? id >>> 32 : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The relay to the other replicas of a cluster; null for a gateway on its own. */
  public ClusterRelay relay() {
    return relay;
  }

  public void relay(ClusterRelay relay) {
    this.relay = relay;
  }

  /** Starts serving {@code record} for {@code identity} on this node. */
  public LiveSession open(McpSession record, Identity identity) {
    LiveSession session = new LiveSession(record, identity, eventStore, streams, idBase, this);
    if (live.putIfAbsent(record.id(), session) != null) {
      throw new IllegalStateException("a session with this id is live already");
    }
    return session;
  }

  /**
   * Starts serving on this node a session another node opened ({@code record} read from the
   * shared store); when another request attached it first, returns that one. The second value
   * says whether this call attached it.
   */
  public Attached attach(McpSession record, Identity identity) {
    LiveSession fresh = new LiveSession(record, identity, eventStore, streams, idBase, this);
    LiveSession existing = live.putIfAbsent(record.id(), fresh);
    return existing != null ? new Attached(existing, false) : new Attached(fresh, true);
  }

  /** A session {@link #attach} serves, and whether that call attached it. */
  public record Attached(LiveSession session, boolean attached) {}

  /** What this node holds for session {@code id}; null when it serves no such session. */
  public LiveSession get(String id) {
    return live.get(id);
  }

  /** Stops serving session {@code id}; returns what was held, or null. */
  public LiveSession remove(String id) {
    return live.remove(id);
  }

  public Collection<LiveSession> sessions() {
    return List.copyOf(live.values());
  }

  public EventStore eventStore() {
    return eventStore;
  }

  public StreamRegistry streams() {
    return streams;
  }

  /** Counts a new session of {@code sessionKey}; returns how many the key holds now, this one included. */
  public int opened(String sessionKey) {
    int[] held = new int[1];
    sessionsPerKey.compute(sessionKey, (k, count) -> {
      AtomicInteger c = count != null ? count : new AtomicInteger();
      held[0] = c.incrementAndGet();
      return c;
    });
    return held[0];
  }

  /** Counts a session of {@code sessionKey} gone; true when it was the key's last. */
  public boolean closed(String sessionKey) {
    boolean[] last = new boolean[1];
    sessionsPerKey.computeIfPresent(sessionKey, (k, count) -> {
      if (count.decrementAndGet() <= 0) {
        last[0] = true;
        return null;
      }
      return count;
    });
    return last[0];
  }

  /** Revocations so far, gateway-wide; read before authenticating a request. */
  public long revocationEpoch() {
    return revocationEpoch.get();
  }

  /** Records that {@code sessionKey} was revoked, before its sessions are ended. */
  public void revoked(String sessionKey) {
    revokedAt.put(sessionKey, revocationEpoch.incrementAndGet());
  }

  /** Whether {@code sessionKey} was revoked after {@code epoch} (a value of {@link #revocationEpoch()}). */
  public boolean revokedSince(String sessionKey, long epoch) {
    Long at = revokedAt.get(sessionKey);
    return at != null && at > epoch;
  }
}
