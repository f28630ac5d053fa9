package dev.mcpgateway.testing;

import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One session store shared by several gateways in one JVM, as replicas share a store such as
 * Redis: each gateway gets a {@link #view()}, every view sees every record, and every view's
 * listener hears every removal (a store that tells all nodes when a session ends). Closing a view
 * detaches its gateway and removes nothing: the other replicas keep serving the sessions.
 *
 * <pre>{@code
 * SharedSessionStore shared = new SharedSessionStore(SessionStore.caffeine(Duration.ofMinutes(30), 10_000));
 * McpGateway a = McpGateway.builder(config).sessionStore(shared.view()).build();
 * McpGateway b = McpGateway.builder(config).sessionStore(shared.view()).build();
 * }</pre>
 */
public final class SharedSessionStore implements AutoCloseable {
  private final SessionStore backing;
  private final List<SessionStore.RemovalListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * Shares {@code backing}, which this object then owns: {@link #close()} closes it.
   *
   * @param backing the store that holds the records
   */
  public SharedSessionStore(SessionStore backing) {
    this.backing = backing;
    backing.onRemoval((session, cause) -> {
      for (SessionStore.RemovalListener listener : listeners) {
        listener.removed(session, cause);
      }
    });
  }

  /**
   * A store for one gateway.
   *
   * @return a new view; closing it detaches only this view
   */
  public SessionStore view() {
    return new View();
  }

  /** Closes the shared store: every view's gateway hears every session removed ({@code CLOSED}). */
  @Override
  public void close() {
    backing.close();
  }

  private final class View implements SessionStore {
    private volatile RemovalListener listener;

    @Override
    public void onRemoval(RemovalListener listener) {
      this.listener = listener;
      listeners.add(listener);
    }

    @Override
    public boolean add(McpSession session) {
      return backing.add(session);
    }

    @Override
    public AddResult add(McpSession session, int maxPerCaller) {
      return backing.add(session, maxPerCaller);
    }

    @Override
    public Optional<McpSession> get(String sessionId) {
      return backing.get(sessionId);
    }

    @Override
    public boolean update(McpSession session) {
      return backing.update(session);
    }

    @Override
    public void remove(String sessionId) {
      backing.remove(sessionId);
    }

    @Override
    public Collection<McpSession> sessions() {
      return backing.sessions();
    }

    @Override
    public int size() {
      return backing.size();
    }

    @Override
    public void cleanUp() {
      backing.cleanUp();
    }

    @Override
    public void close() {
      RemovalListener own = listener;
      if (own != null) {
        listeners.remove(own);
      }
    }
  }
}
