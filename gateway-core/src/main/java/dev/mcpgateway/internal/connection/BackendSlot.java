package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.config.ServerConfig;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One backend instance of a caller for a server: holds the current {@link BackendConnection}
 * and replaces it when it died. Which sessions it serves, and so where a server request it sends
 * goes, is its {@link Sharing}; {@link CallerBackends} decides which session holds it.
 */
public final class BackendSlot {
  /** Background retries of an unreachable remote: 1 s, doubling, at most this far apart. */
  private static final long RETRY_FIRST_MILLIS = 1000;
  private static final long RETRY_MAX_MILLIS = 30_000;

  /** How an instance is shared, which decides where its server requests go ({@link Attribution}). */
  public enum Sharing {
    /** Held by one session at a time, while that session has calls in flight: its server requests go to the holder. */
    LEASED,
    /** Shared by sessions that declared no capability for server requests: its server requests are refused. */
    NO_SERVER_REQUESTS,
    /** Shared by all the sessions it serves: a server request goes to a session only when no other has calls in flight. */
    SINGLE
  }

  private final String owner;
  private final ServerConfig server;
  private final GatewayRuntime runtime;
  private final Sharing sharing;
  private final CapabilityKey key;
  private final Set<SessionChannel> sessions;
  private final String ownerName;
  private final ObjectNode initializeParams;
  /** The session holding a {@link Sharing#LEASED} instance; null while it is free. */
  private volatile SessionChannel holder;
  /** Since when a leased instance is free, in {@link GatewayRuntime#nanoTime()}. */
  private volatile long freeSinceNanos;
  private BackendConnection current;
  private boolean closed;
  private int retries;
  private ScheduledFuture<?> retry;
  private boolean crashed;
  private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  private final BackendSettings settings;

  /**
   * @param sessions the sessions this instance may serve, a live view kept by its {@link CallerBackends}
   * @param settings what those sessions asked of the backends that serve them, kept by its {@link CallerBackends}
   * @param initializeParams what every (re)start of the backend is initialized with; not changed afterwards
   */
  public BackendSlot(String owner, String ownerName, ServerConfig server, GatewayRuntime runtime, Sharing sharing,
      CapabilityKey key, Set<SessionChannel> sessions, BackendSettings settings, ObjectNode initializeParams) {
    this.owner = owner;
    this.ownerName = ownerName;
    this.server = server;
    this.runtime = runtime;
    this.sharing = sharing;
    this.key = key;
    this.sessions = sessions;
    this.initializeParams = initializeParams;
    this.freeSinceNanos = runtime.nanoTime();
    this.settings = settings;
  }

  /** The session key (or session id, for per-session servers) whose backend this is. */
  public String owner() {
    return owner;
  }

  public ServerConfig server() {
    return server;
  }

  /** The sessions this instance may serve (for a leased instance: every session of its key, whichever holds it). */
  public List<SessionChannel> liveSessions() {
    return List.copyOf(sessions);
  }

  /** How this instance is shared. */
  public Sharing sharing() {
    return sharing;
  }

  /** The capabilities it was initialized with, as a pool key. */
  public CapabilityKey key() {
    return key;
  }

  /** The session holding this leased instance now; null while it is free, and always for shared instances. */
  public SessionChannel holder() {
    return holder;
  }

  /** Set by {@link CallerBackends} under its lock. */
  void holder(SessionChannel session) {
    this.holder = session;
    if (session == null) {
      freeSinceNanos = runtime.nanoTime();
    }
  }

  /** Since when this leased instance is free, in {@link GatewayRuntime#nanoTime()}. */
  long freeSinceNanos() {
    return freeSinceNanos;
  }

  /** The log levels and resource subscriptions of the sessions this instance serves (shared by the instances of its key). */
  public BackendSettings settings() {
    return settings;
  }

  /**
   * The usable connection, started when there is none (first use, or the last one died);
   * null once the instance is closed. Every (re)start is initialized with the same params.
   */
  public synchronized BackendConnection connection() {
    if (closed) {
      return null;
    }
    if (current == null || !current.isUsable()) {
      if (current != null && current.wasStarted()) {
        crashed = true; // replacing a backend that died before its end was reported
      }
      current = new BackendConnection(this, runtime);
      current.start(initializeParams.deepCopy());
      settings.connectionStarted(current);
    }
    return current;
  }

  /** The running (or starting) connection, without starting one; null when there is none that is usable. */
  public synchronized BackendConnection usableConnection() {
    return current != null && current.isUsable() ? current : null;
  }

  /** The backend's {@code initialize} result, when one is ready. */
  public synchronized JsonNode initializeResult() {
    if (current != null && current.ready().isDone() && !current.ready().isCompletedExceptionally()) {
      return current.ready().join();
    }
    return null;
  }

  public void started(String backend) {
    boolean restart;
    synchronized (this) {
      retries = 0;
      restart = crashed;
      crashed = false;
    }
    runtime.health(server.name()).started(restart);
    runtime.serverLog(server.name()).info("{} backend for '{}': {}", restart ? "Restarted" : "Started", ownerName(), backend);
    runtime.listeners().serverStarted(server.name(), ownerName(), backend);
  }

  public void startFailed(String message) {
    runtime.health(server.name()).startFailed(message);
    runtime.serverLog(server.name()).error("Backend for '{}' failed to start: {}", ownerName(), message);
    runtime.listeners().error(server.name(), message);
  }

  /** When the running backend started, in {@link GatewayRuntime#nanoTime()}; meaningful only while {@link #isRunning()}. */
  public synchronized long startedNanos() {
    return current == null ? runtime.nanoTime() : current.readyNanos();
  }

  /** Whose backend this is, for logs and audit: the name of the identity whose session created the slot. */
  public String ownerName() {
    return ownerName;
  }

  public synchronized void connectionEnded(BackendConnection connection, String unexpectedReason) {
    if (current == connection) {
      current = null;
    }
    if (unexpectedReason != null && !closed && connection.wasStarted()) {
      if (current == null) {
        crashed = true; // else its replacement is already starting and counted the crash
      }
      runtime.health(server.name()).exitedUnexpectedly(unexpectedReason);
    }
    if (connection.wasStarted()) {
      String reason = unexpectedReason == null ? "stopped by the gateway" : unexpectedReason;
      if (unexpectedReason == null) {
        runtime.serverLog(server.name()).info("Backend for '{}' stopped: {}", ownerName(), reason);
      } else {
        runtime.serverLog(server.name()).warn("Backend for '{}' stopped unexpectedly: {}", ownerName(), reason);
      }
      runtime.listeners().serverStopped(server.name(), ownerName(), reason);
    }
    for (SessionChannel session : sessions) {
      session.forgetServerRequests(connection);
    }
    String unavailable = connection.unavailableMessage();
    if (unavailable != null && !closed) {
      scheduleRetry();
    }
  }

  /**
   * Tries the unreachable remote again later, so that the next request finds it running once
   * it is back; backs off up to {@value #RETRY_MAX_MILLIS} ms and stops when the slot closes
   * (its last session ended).
   */
  private void scheduleRetry() {
    if (closed || sessions.isEmpty() || (retry != null && !retry.isDone())) {
      return;
    }
    long delay = Math.min(RETRY_MAX_MILLIS, RETRY_FIRST_MILLIS << Math.min(retries, 10));
    retries++;
    try {
      retry = runtime.scheduler().schedule(this::retryNow, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // the gateway is closing
    }
  }

  private void retryNow() {
    synchronized (this) {
      retry = null;
      if (closed || sessions.isEmpty() || (current != null && current.isUsable())) {
        return;
      }
    }
    connection();
  }

  public synchronized boolean isRunning() {
    return current != null && current.isRunning();
  }

  /** A hint naming the image, for start-up errors of container servers. */
  public String imageHint() {
    return server.container().map(image -> " (image " + image + ")").orElse("");
  }

  /** Stops the backend; idempotent; the future completes when it is gone. */
  public CompletableFuture<Void> close() {
    BackendConnection connection;
    synchronized (this) {
      if (closed) {
        return closedFuture;
      }
      closed = true;
      connection = current;
      current = null;
      if (retry != null) {
        retry.cancel(false);
      }
    }
    try {
      if (connection != null) {
        connection.close();
      }
    } finally {
      closedFuture.complete(null);
    }
    return closedFuture;
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "backend of '" + server.name() + "' for " + owner + (sharing == Sharing.LEASED ? " (" + key + ")" : "");
  }
}
