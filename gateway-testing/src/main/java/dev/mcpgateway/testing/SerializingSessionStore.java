package dev.mcpgateway.testing;

import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A {@link SessionStore} that passes every session through its JSON form, as a store outside
 * the JVM (Redis, a database) would: a gateway that runs on it proves that a session is data and
 * that no live object hides in one.
 *
 * <p>What {@link #add} and {@link #update} receive is written with {@link McpSession#toJson()},
 * and the delegate is given the record read back from that text, never the caller's instance.
 * Every {@link #get}, {@link #sessions()} and removal notice hands out a fresh
 * {@link McpSession#fromJson(String)} copy of what the delegate holds. So the gateway never gets
 * back an instance it made, two look-ups never return the same instance, and a value that does
 * not survive JSON (a number type, say) shows up as an unequal record. Expiry, the cap and the
 * removal causes are the delegate's.
 *
 * <p>Thread-safe when the delegate is. Owns the delegate: {@link #close()} closes it.
 *
 * <pre>{@code
 * SessionStore store = SerializingSessionStore.wrap(SessionStore.caffeine(Duration.ofMinutes(30), 1_000));
 * McpGateway gateway = McpGateway.builder(config).sessionStore(store).build();
 * }</pre>
 */
public final class SerializingSessionStore implements SessionStore {
  private final SessionStore delegate;

  private SerializingSessionStore(SessionStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * A store that keeps its sessions in {@code delegate}, as records read back from their JSON.
   *
   * @param delegate the store that holds the records; closed with this one
   * @return the wrapping store
   */
  public static SerializingSessionStore wrap(SessionStore delegate) {
    return new SerializingSessionStore(delegate);
  }

  /** A session as read back from its JSON text: equal when nothing was lost, never the same instance. */
  private static McpSession throughJson(McpSession session) {
    return McpSession.fromJson(session.toJson());
  }

  @Override
  public void onRemoval(RemovalListener listener) {
    Objects.requireNonNull(listener, "listener");
    delegate.onRemoval((session, cause) -> listener.removed(throughJson(session), cause));
  }

  @Override
  public boolean add(McpSession session) {
    return delegate.add(throughJson(session));
  }

  @Override
  public AddResult add(McpSession session, int maxPerCaller) {
    return delegate.add(throughJson(session), maxPerCaller);
  }

  @Override
  public Optional<McpSession> get(String sessionId) {
    return delegate.get(sessionId).map(SerializingSessionStore::throughJson);
  }

  @Override
  public boolean update(McpSession session) {
    return delegate.update(throughJson(session));
  }

  @Override
  public void remove(String sessionId) {
    delegate.remove(sessionId);
  }

  @Override
  public Collection<McpSession> sessions() {
    return delegate.sessions().stream().map(SerializingSessionStore::throughJson).toList();
  }

  @Override
  public int size() {
    return delegate.size();
  }

  @Override
  public void cleanUp() {
    delegate.cleanUp();
  }

  /** Closes the delegate. */
  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "SerializingSessionStore{" + delegate + "}";
  }

  /**
   * Wraps a store in a {@link SerializingSessionStore}: a function a test can name by class
   * (it has a public no-argument constructor) to make every gateway it builds keep its sessions
   * as JSON.
   */
  public static final class Wrapper implements UnaryOperator<SessionStore> {
    /** Creates the function; it holds nothing. */
    public Wrapper() {}

    /** {@code store} wrapped; the result owns it. */
    @Override
    public SessionStore apply(SessionStore store) {
      return wrap(store);
    }
  }
}
