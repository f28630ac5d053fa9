package dev.mcpgateway.session;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * Keeps the live MCP sessions, expires idle ones and tells the gateway when a session goes.
 *
 * <p>Sessions are data ({@link McpSession}): a store may keep them anywhere and return equal
 * copies rather than the instances it was given. The gateway registers its listener once with
 * {@link #onRemoval(RemovalListener)} before any other call; from then on every session that
 * leaves the store, for whatever reason, reaches that listener exactly once, so that the
 * gateway can close what it holds for the session. Implementations are thread-safe;
 * {@link #get(String)} is on every request's path and should answer quickly.
 *
 * <p>A session whose client holds a stream open or waits for a long call sends no request for
 * a while, yet is not idle: the gateway looks such a session up with {@link #get(String)} at
 * least once a minute (every quarter of {@code sessionTimeout} when that is shorter), and once
 * more when its work ends. A store that counts {@code get} as activity, as it must, therefore
 * expires a session only its idle timeout after the session's last request or work.
 *
 * <pre>{@code
 * SessionStore store = SessionStore.caffeine(Duration.ofHours(8), 10_000);
 * }</pre>
 */
public interface SessionStore extends AutoCloseable {

  /**
   * Registers the gateway's removal listener; called once, before anything else.
   *
   * @param listener told of every session that leaves the store
   */
  void onRemoval(RemovalListener listener);

  /**
   * Adds a new session.
   *
   * @param session the session to add
   * @return {@code false} when the store is full; the session was not added
   */
  boolean add(McpSession session);

  /**
   * Adds a new session unless the store is full or the session's caller
   * ({@link McpSession#callerDigest()}) holds {@code maxPerCaller} live sessions in it already.
   * The gateway calls this one, with {@code gateway.maxSessionsPerCaller} ({@link Integer#MAX_VALUE}
   * when a caller may take every session), after counting the sessions the caller holds on this
   * node itself.
   *
   * <p>The default ignores {@code maxPerCaller} and calls {@link #add(McpSession)}: a store of one
   * node leaves the per-caller count to the gateway. A store that several replicas share overrides
   * it to count the caller's sessions of every replica, atomically with the add.
   *
   * @param session the session to add
   * @param maxPerCaller the most live sessions one caller may hold in the store
   * @return whether the session was added, or why not; nothing was added unless {@link AddResult#ADDED}
   */
  default AddResult add(McpSession session, int maxPerCaller) {
    return add(session) ? AddResult.ADDED : AddResult.FULL;
  }

  /**
   * Looks a session up and counts the look-up as activity; empty when unknown or expired.
   *
   * @param sessionId the session's id
   * @return the session; empty when unknown or expired
   */
  Optional<McpSession> get(String sessionId);

  /**
   * Replaces the record of a session that is in the store (same id), for example once its
   * protocol version is negotiated; counts as activity.
   *
   * @param session the new record of the session
   * @return {@code false} when no session with this id is in the store; nothing was added
   */
  boolean update(McpSession session);

  /**
   * Removes a session (the listener hears {@link RemovalCause#EXPLICIT}); no-op when unknown.
   *
   * @param sessionId the session's id
   */
  void remove(String sessionId);

  /** {@return a snapshot of the live sessions} */
  Collection<McpSession> sessions();

  /** {@return how many sessions are live} */
  int size();

  /** Performs pending expiry now. */
  void cleanUp();

  /** Removes every session (the listener hears {@link RemovalCause#CLOSED}) and stops expiry; idempotent. */
  @Override
  void close();

  /**
   * The default store, backed by Caffeine: sessions idle longer than {@code idleTimeout} expire.
   *
   * @param idleTimeout how long a session may stay idle
   * @param maximumSessions the most live sessions; new ones are refused beyond it
   * @return the store
   */
  static SessionStore caffeine(Duration idleTimeout, int maximumSessions) {
    return CaffeineSessionStore.builder().idleTimeout(idleTimeout).maximumSessions(maximumSessions).build();
  }

  /** What {@link #add(McpSession, int)} did. */
  enum AddResult {
    /** The session is in the store. */
    ADDED,
    /** Not added: the store holds its maximum of sessions. */
    FULL,
    /** Not added: the session's caller holds its maximum of sessions. */
    CALLER_FULL
  }

  /** Why a session left the store. */
  enum RemovalCause {
    /** Ended by the client ({@code DELETE}) or the gateway. */
    EXPLICIT,
    /** Idle longer than the timeout. */
    EXPIRED,
    /** The store closed. */
    CLOSED
  }

  /** Told when a session leaves the store. */
  @FunctionalInterface
  interface RemovalListener {
    /**
     * {@code session} is gone; must not throw and should not block for long.
     *
     * @param session the session that left the store
     * @param cause why it left
     */
    void removed(McpSession session, RemovalCause cause);
  }
}
