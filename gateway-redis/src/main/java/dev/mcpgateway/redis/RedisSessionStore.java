package dev.mcpgateway.redis;

import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SessionStore} in Redis, shared by every replica that uses the same Redis and prefix.
 *
 * <p>Each session is a string key {@code <prefix>session:<id>} holding {@link McpSession#toJson()}
 * (the caller's digest, never a credential), and a member of the sorted set
 * {@code <prefix>sessions}, scored by its deadline: the time of its last activity plus the idle
 * timeout. Its caller's digest is also in the hash {@code <prefix>callers} (session id to digest),
 * and the session in its caller's sorted set {@code <prefix>caller:<digest>}, by the same deadline.
 * {@link #add}, {@link #get}, {@link #update} and {@link #remove} are each one Lua
 * script, so they are atomic across replicas: the maximum and the maximum per caller
 * ({@link #add(McpSession, int)}) count the live sessions of all replicas, {@code get} and
 * {@code update} push the deadline back as activity, and of concurrent removals exactly one hears
 * the session. Every key has a TTL: a record's is its idle timeout plus a grace period, renewed on
 * activity; the sorted sets' and the hash's are renewed by every write to them, so nothing
 * outlives the sessions.
 *
 * <p>Expiry is detected by sweeping the deadlines, not by keyspace notifications (which Redis
 * sends only when {@code notify-keyspace-events} is set, which managed Redis often forbids, and
 * sends without the expired value): every {@code expiryCheckInterval} a sweep takes the sessions
 * past their deadline out and tells the listener {@link RemovalCause#EXPIRED}. Each expired session
 * is taken by exactly one replica's sweep; the grace period is how long a record waits for one. A
 * session whose deadline has passed is gone for {@link #get} at once, swept or not.
 *
 * <p>The listener hears what this store instance does or sees: its own removals
 * ({@link RemovalCause#EXPLICIT}) and the expiries its sweep takes; with
 * {@link Builder#removalNotices(ClusterBus)} also, by a notice on the bus, those of the other
 * replicas, so that each replica releases what it holds for a session wherever it ended.
 * {@link #close()} tells the listener {@link RemovalCause#CLOSED} for every
 * live session, so the node releases what it holds, but leaves the records in Redis for the other
 * replicas; they expire by their TTL if nobody uses them.
 *
 * <p>Every call is one round trip to Redis, bounded by the cluster's timeout; when Redis does not
 * answer, calls throw {@link RedisUnavailableException} (503) and work again once it does.
 * Thread-safe.
 *
 * <pre>{@code
 * SessionStore sessions = RedisSessionStore.builder(cluster)
 *     .idleTimeout(Duration.ofMinutes(30)).maximumSessions(10_000).build();
 * }</pre>
 */
public final class RedisSessionStore implements SessionStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSessionStore.class);
  private static final Duration MINIMUM_GRACE = Duration.ofMinutes(1);

  private final SessionRecords records;
  private final Runnable onClose;
  private final int maximumSessions;
  private final ScheduledExecutorService sweeper;
  private final RemovalNotices notices;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RemovalListener listener = (session, cause) -> {};

  private RedisSessionStore(Builder b) {
    Duration grace = b.expiryCheckInterval.multipliedBy(2);
    long idleMillis = b.idleTimeout.toMillis();
    long ttlMillis = idleMillis + Math.max(MINIMUM_GRACE.toMillis(), grace.toMillis());
    this.records = new SessionRecords(b.cluster.connection(), b.cluster.prefix(), idleMillis, ttlMillis, b.ticker);
    this.onClose = () -> b.cluster.forget(this);
    this.maximumSessions = b.maximumSessions;
    this.notices = b.notices == null ? null : new RemovalNotices(b.notices, (session, cause) -> {
      if (!closed.get()) {
        notifyRemoved(session, cause);
      }
    });
    if (b.ticker == null) {
      this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "mcp-gateway-redis-session-expiry");
        thread.setDaemon(true);
        return thread;
      });
      long every = b.expiryCheckInterval.toMillis();
      sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
    } else {
      this.sweeper = null;
    }
  }

  /**
   * Starts a builder for a store on {@code cluster}'s Redis: 30 minutes idle timeout, at most
   * 10,000 sessions, expiry checked every 5 seconds, Redis's clock.
   *
   * @param cluster the Redis to store on
   * @return a new builder
   */
  public static Builder builder(RedisCluster cluster) {
    return new Builder(Objects.requireNonNull(cluster, "cluster"));
  }

  @Override
  public void onRemoval(RemovalListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when a session with this id exists already
   * @throws RedisUnavailableException when Redis cannot be reached in time; nothing was added
   */
  @Override
  public boolean add(McpSession session) {
    return add(session, Integer.MAX_VALUE) == AddResult.ADDED;
  }

  /**
   * {@inheritDoc} Counts the live sessions of the caller on every replica, in the same script
   * that adds.
   *
   * @throws IllegalArgumentException when a session with this id exists already
   * @throws RedisUnavailableException when Redis cannot be reached in time; nothing was added
   */
  @Override
  public AddResult add(McpSession session, int maxPerCaller) {
    Objects.requireNonNull(session, "session");
    if (maxPerCaller < 1) {
      throw new IllegalArgumentException("maxPerCaller must be at least 1: " + maxPerCaller);
    }
    if (closed.get()) {
      return AddResult.FULL;
    }
    long result = records.add(session, maximumSessions, maxPerCaller);
    if (result == -1) {
      throw new IllegalArgumentException("a session with this id exists already");
    }
    return result == 1 ? AddResult.ADDED : result == -2 ? AddResult.CALLER_FULL : AddResult.FULL;
  }

  /**
   * {@inheritDoc}
   *
   * @throws RedisUnavailableException when Redis cannot be reached in time
   */
  @Override
  public Optional<McpSession> get(String sessionId) {
    Objects.requireNonNull(sessionId, "sessionId");
    if (closed.get()) {
      return Optional.empty();
    }
    byte[] json = records.get(sessionId);
    return json == null ? Optional.empty() : Optional.ofNullable(read(json));
  }

  /**
   * {@inheritDoc}
   *
   * @throws RedisUnavailableException when Redis cannot be reached in time; nothing was changed
   */
  @Override
  public boolean update(McpSession session) {
    Objects.requireNonNull(session, "session");
    if (closed.get()) {
      return false;
    }
    return records.update(session);
  }

  /**
   * {@inheritDoc} A session that had passed its deadline but was not swept yet is heard as
   * {@link RemovalCause#EXPIRED}.
   *
   * @throws RedisUnavailableException when Redis cannot be reached in time; the session may stay
   */
  @Override
  public void remove(String sessionId) {
    Objects.requireNonNull(sessionId, "sessionId");
    if (closed.get()) {
      return;
    }
    SessionRecords.Removed removed = records.remove(sessionId);
    McpSession session = removed == null ? null : read(removed.json());
    if (session != null) {
      removed(session, removed.expired() ? RemovalCause.EXPIRED : RemovalCause.EXPLICIT);
    }
  }

  /**
   * {@inheritDoc} The live sessions of every replica, read in batches: not one atomic snapshot.
   *
   * @throws RedisUnavailableException when Redis cannot be reached in time
   */
  @Override
  public Collection<McpSession> sessions() {
    if (closed.get()) {
      return List.of();
    }
    return liveSessions();
  }

  private List<McpSession> liveSessions() {
    List<McpSession> sessions = new ArrayList<>();
    for (byte[] json : records.live()) {
      McpSession session = read(json);
      if (session != null) {
        sessions.add(session);
      }
    }
    return List.copyOf(sessions);
  }

  /**
   * {@inheritDoc} Of every replica.
   *
   * @throws RedisUnavailableException when Redis cannot be reached in time
   */
  @Override
  public int size() {
    if (closed.get()) {
      return 0;
    }
    return (int) Math.min(Integer.MAX_VALUE, records.liveCount());
  }

  /**
   * Takes the sessions past their deadline out of Redis now, telling the listener
   * {@link RemovalCause#EXPIRED} for each.
   *
   * @throws RedisUnavailableException when Redis cannot be reached in time
   */
  @Override
  public void cleanUp() {
    if (!closed.get()) {
      sweep();
    }
  }

  private void sweep() {
    if (notices != null) {
      notices.ensureSubscribed();
    }
    SessionRecords.Swept swept;
    do {
      swept = records.sweep();
      for (byte[] json : swept.records()) {
        McpSession session = read(json);
        if (session != null) {
          removed(session, RemovalCause.EXPIRED);
        }
      }
    } while (SessionRecords.more(swept) && !closed.get());
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RedisUnavailableException e) {
      LOG.debug("Session expiry check skipped: {}", e.getMessage()); // the connection logged the outage
    } catch (RuntimeException e) {
      LOG.warn("Session expiry check failed", e);
    }
  }

  /**
   * Stops the expiry checks and tells the listener {@link RemovalCause#CLOSED} for every live
   * session, leaving the records in Redis for the other replicas; idempotent. When Redis cannot be
   * reached, nobody is told and a WARN says so.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    if (notices != null) {
      notices.close();
    }
    try {
      for (McpSession session : liveSessions()) {
        notifyRemoved(session, RemovalCause.CLOSED);
      }
    } catch (RedisUnavailableException | IllegalStateException e) {
      LOG.warn("Closing the Redis session store: could not list the live sessions to release them ({})", e.getMessage());
    } finally {
      onClose.run();
    }
  }

  /** A session left through this store: its listener hears it, and the other replicas' stores by a notice. */
  private void removed(McpSession session, RemovalCause cause) {
    notifyRemoved(session, cause);
    if (notices != null) {
      notices.announce(session, cause);
    }
  }

  private void notifyRemoved(McpSession session, RemovalCause cause) {
    try {
      listener.removed(session, cause);
    } catch (RuntimeException e) {
      LOG.error("Session removal listener failed for a session on server '{}'", session.server(), e);
    }
  }

  private McpSession read(byte[] json) {
    try {
      return McpSession.fromJson(new String(json, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      LOG.warn("Ignoring a session record in Redis that is not a session ({} bytes)", json.length);
      return null;
    }
  }

  /** Builds a {@link RedisSessionStore}. */
  public static final class Builder {
    private final RedisCluster cluster;
    private Duration idleTimeout = Duration.ofMinutes(30);
    private int maximumSessions = 10_000;
    private Duration expiryCheckInterval = Duration.ofSeconds(5);
    private LongSupplier ticker;
    private ClusterBus notices;

    private Builder(RedisCluster cluster) {
      this.cluster = cluster;
    }

    /**
     * Sessions idle longer than this expire; at least one second.
     *
     * @param idleTimeout the timeout
     * @return this builder
     */
    public Builder idleTimeout(Duration idleTimeout) {
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("idleTimeout must be at least 1 second: " + idleTimeout);
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * At most this many live sessions across all replicas; new ones are refused beyond it.
     *
     * @param maximumSessions at least 1
     * @return this builder
     */
    public Builder maximumSessions(int maximumSessions) {
      if (maximumSessions < 1) {
        throw new IllegalArgumentException("maximumSessions must be at least 1: " + maximumSessions);
      }
      this.maximumSessions = maximumSessions;
      return this;
    }

    /**
     * How often this store sweeps for expired sessions; at least 100 ms. Records stay in Redis
     * twice this (at least a minute) past their idle timeout, for a sweep to report them.
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder expiryCheckInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("expiryCheckInterval must be at least 100 ms: " + interval);
      }
      this.expiryCheckInterval = interval;
      return this;
    }

    /**
     * Reads time from {@code nanoTicker} (as {@link System#nanoTime()}) instead of Redis's clock,
     * and sweeps only on {@link #cleanUp()}; for tests. Every store on the same keys must use the
     * same ticker.
     *
     * @param nanoTicker the ticker, in nanoseconds
     * @return this builder
     */
    public Builder ticker(LongSupplier nanoTicker) {
      this.ticker = Objects.requireNonNull(nanoTicker, "nanoTicker");
      return this;
    }

    /**
     * Shares removals with the other replicas over {@code bus} (such as {@link RedisCluster#bus()}):
     * this store announces the sessions it removes or finds expired, and its listener also hears,
     * with their cause, those that the other replicas' stores announce. So each replica's listener
     * hears every session leave once, as long as the bus delivers (at most once: a replica
     * disconnected at that moment misses the notice). Not set: the listener hears only what this
     * store removes or finds expired. The caller keeps ownership of the bus.
     *
     * @param bus the bus, such as the cluster's
     * @return this builder
     */
    public Builder removalNotices(ClusterBus bus) {
      this.notices = Objects.requireNonNull(bus, "bus");
      return this;
    }

    /**
     * Builds the store; it is closed with its cluster if not before.
     *
     * @return a new store
     */
    public RedisSessionStore build() {
      return cluster.register(new RedisSessionStore(this));
    }
  }
}
