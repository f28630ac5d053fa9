package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The place of one backend in the pool: one per (owner, server), shared by the owner's MCP
 * sessions. Holds the current {@link BackendConnection} and replaces it when it died.
 */
public final class BackendSlot {
  /** Background retries of an unreachable remote: 1 s, doubling, at most this far apart. */
  private static final long RETRY_FIRST_MILLIS = 1000;
  private static final long RETRY_MAX_MILLIS = 30_000;

  private final String owner;
  private final ServerConfig server;
  private final GatewayRuntime runtime;
  private final Set<SessionChannel> sessions = ConcurrentHashMap.newKeySet();
  private final String ownerName;
  private BackendConnection current;
  private ObjectNode initializeParams;
  private boolean closed;
  private int retries;
  private ScheduledFuture<?> retry;
  private boolean crashed;
  private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  private final BackendSettings settings;

  public BackendSlot(String owner, String ownerName, ServerConfig server, GatewayRuntime runtime) {
    this.owner = owner;
    this.ownerName = ownerName;
    this.server = server;
    this.runtime = runtime;
    this.settings = new BackendSettings(this, runtime);
  }

  /** The session key (or session id, for per-session servers) whose backend this is. */
  public String owner() {
    return owner;
  }

  public ServerConfig server() {
    return server;
  }

  public Set<SessionChannel> sessions() {
    return sessions;
  }

  public List<SessionChannel> liveSessions() {
    return List.copyOf(sessions);
  }

  /** The log levels and resource subscriptions of this backend's sessions, and what the backend is set to. */
  public BackendSettings settings() {
    return settings;
  }

  /**
   * The usable connection, started when there is none (first use, or the last one died).
   * The first caller's {@code initialize} params are used for every (re)start.
   */
  public synchronized BackendConnection connection(ObjectNode params) {
    if (closed) {
      return null;
    }
    if (initializeParams == null && params != null) {
      initializeParams = params;
    }
    if (current == null || !current.isUsable()) {
      if (current != null && current.wasStarted()) {
        crashed = true; // replacing a backend that died before its end was reported
      }
      current = new BackendConnection(this, runtime);
      current.start(initializeParams == null ? Json.object() : initializeParams.deepCopy());
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
    connection(null);
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
    return "backend of '" + server.name() + "' for " + owner;
  }
}
