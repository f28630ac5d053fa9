package dev.mcpgateway.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link SessionStore}: a Caffeine cache with idle expiry and a hard cap.
 *
 * <p>When the cap is reached, {@link #add(McpSession)} refuses new sessions instead of evicting
 * live ones. Time comes from an injectable nanosecond ticker, so tests move time instead of
 * sleeping; with the system ticker a scheduler thread expires sessions promptly. Thread-safe.
 */
public final class CaffeineSessionStore implements SessionStore {
  private static final Logger LOG = LoggerFactory.getLogger(CaffeineSessionStore.class);

  private final Cache<String, McpSession> cache;
  private final int maximumSessions;
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RemovalListener listener = (session, cause) -> {};

  private CaffeineSessionStore(Builder b) {
    this.maximumSessions = b.maximumSessions;
    Caffeine<Object, Object> caffeine = Caffeine.newBuilder().executor(Runnable::run);
    if (b.idleTimeout != null) {
      caffeine.expireAfterAccess(b.idleTimeout);
    }
    if (b.ticker != null) {
      caffeine.ticker(b.ticker::getAsLong);
    } else if (b.idleTimeout != null) {
      caffeine.scheduler(Scheduler.systemScheduler());
    }
    this.cache = caffeine.<String, McpSession>removalListener((id, session, cause) -> {
      if (cause == com.github.benmanes.caffeine.cache.RemovalCause.REPLACED) {
        return; // update(): the session stays
      }
      size.decrementAndGet();
      if (session != null) {
        notifyRemoved(session, cause);
      }
    }).build();
  }

  /**
   * Starts a builder: 30 minutes idle timeout, at most 10,000 sessions, system time.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private void notifyRemoved(McpSession session, com.github.benmanes.caffeine.cache.RemovalCause cause) {
    SessionStore.RemovalCause ours;
    if (closed.get()) {
      ours = SessionStore.RemovalCause.CLOSED;
    } else if (cause == com.github.benmanes.caffeine.cache.RemovalCause.EXPIRED) {
      ours = SessionStore.RemovalCause.EXPIRED;
    } else {
      ours = SessionStore.RemovalCause.EXPLICIT;
    }
    try {
      listener.removed(session, ours);
    } catch (RuntimeException e) {
      LOG.error("Session removal listener failed for a session on server '{}'", session.server(), e);
    }
  }

  @Override
  public void onRemoval(RemovalListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public boolean add(McpSession session) {
    if (closed.get()) {
      return false;
    }
    // Reserve a place first so that concurrent adds never exceed the cap.
    if (size.incrementAndGet() > maximumSessions) {
      size.decrementAndGet();
      cache.cleanUp();
      if (size.incrementAndGet() > maximumSessions) {
        size.decrementAndGet();
        return false;
      }
    }
    if (cache.asMap().putIfAbsent(session.id(), session) != null) {
      size.decrementAndGet();
      throw new IllegalArgumentException("a session with this id exists already");
    }
    return true;
  }

  @Override
  public Optional<McpSession> get(String sessionId) {
    return Optional.ofNullable(cache.getIfPresent(sessionId));
  }

  @Override
  public boolean update(McpSession session) {
    return cache.asMap().computeIfPresent(session.id(), (id, old) -> session) != null;
  }

  @Override
  public void remove(String sessionId) {
    cache.invalidate(sessionId);
  }

  @Override
  public Collection<McpSession> sessions() {
    return List.copyOf(new ArrayList<>(cache.asMap().values()));
  }

  @Override
  public int size() {
    return (int) cache.estimatedSize();
  }

  @Override
  public void cleanUp() {
    cache.cleanUp();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      cache.invalidateAll();
      cache.cleanUp();
    }
  }

  /** Builds a {@link CaffeineSessionStore}. */
  public static final class Builder {
    private Duration idleTimeout = Duration.ofMinutes(30);
    private int maximumSessions = 10_000;
    private LongSupplier ticker;

    private Builder() {}

    /**
     * Sessions idle longer than this expire.
     *
     * @param idleTimeout a positive duration
     * @return this builder
     */
    public Builder idleTimeout(Duration idleTimeout) {
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout + "; use neverExpire() for no timeout");
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * Sessions never expire; they end by {@code DELETE} or when the gateway closes.
     *
     * @return this builder
     */
    public Builder neverExpire() {
      this.idleTimeout = null;
      return this;
    }

    /**
     * At most this many live sessions; new ones are refused beyond it.
     *
     * @param maximumSessions the limit, at least 1
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
     * Reads time from {@code nanoTicker} (as {@link System#nanoTime()}); for tests.
     *
     * @param nanoTicker returns the current time in nanoseconds
     * @return this builder
     */
    public Builder ticker(LongSupplier nanoTicker) {
      this.ticker = Objects.requireNonNull(nanoTicker, "nanoTicker");
      return this;
    }

    /**
     * Builds the store.
     *
     * @return the store
     */
    public CaffeineSessionStore build() {
      return new CaffeineSessionStore(this);
    }
  }
}
