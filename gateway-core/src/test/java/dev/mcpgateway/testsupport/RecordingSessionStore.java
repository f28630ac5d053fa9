package dev.mcpgateway.testsupport;

import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A session store that passes everything to another one and records, per session, how often
 * and when (by a ticker) it was looked up: what counts as activity, so that a test can wait for
 * the gateway's touch of a session before it moves time on.
 */
public final class RecordingSessionStore implements SessionStore {
  /** The look-ups of one session: how many, and the ticker's time at the latest. */
  public record Lookups(long count, long lastAt) {}

  private final SessionStore delegate;
  private final LongSupplier ticker;
  private final Map<String, Lookups> lookups = new ConcurrentHashMap<>();

  public RecordingSessionStore(SessionStore delegate, LongSupplier ticker) {
    this.delegate = delegate;
    this.ticker = ticker;
  }

  /** The look-ups of session {@code id} so far; zero when none. */
  public Lookups lookups(String id) {
    return lookups.getOrDefault(id, new Lookups(0, Long.MIN_VALUE));
  }

  /** Whether session {@code id} is in the store, without counting as activity. */
  public boolean holds(String id) {
    return delegate.sessions().stream().anyMatch(session -> session.id().equals(id));
  }

  @Override
  public void onRemoval(RemovalListener listener) {
    delegate.onRemoval(listener);
  }

  @Override
  public boolean add(McpSession session) {
    return delegate.add(session);
  }

  @Override
  public Optional<McpSession> get(String sessionId) {
    long now = ticker.getAsLong();
    lookups.merge(sessionId, new Lookups(1, now), (old, one) -> new Lookups(old.count() + 1, now));
    return delegate.get(sessionId);
  }

  @Override
  public boolean update(McpSession session) {
    return delegate.update(session);
  }

  @Override
  public void remove(String sessionId) {
    delegate.remove(sessionId);
  }

  @Override
  public Collection<McpSession> sessions() {
    return delegate.sessions();
  }

  @Override
  public int size() {
    return delegate.size();
  }

  @Override
  public void cleanUp() {
    delegate.cleanUp();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
