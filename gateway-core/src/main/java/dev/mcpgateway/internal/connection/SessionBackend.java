package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.config.ServerConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One session's use of its server's backends, from {@link BackendPool#join} until
 * {@link BackendPool#leave}: the shared instance, or, for a session that can receive server
 * requests, a lease on an instance of its capabilities for each call ({@link #lease()}).
 *
 * <p>Thread-safe: the state below is guarded by the {@link CallerBackends} it belongs to.
 */
public final class SessionBackend {
  private final CallerBackends group;
  private final SessionChannel session;
  private final CapabilityKey key;
  private final boolean leases;
  /** The version the session's backends are initialized at: the session's when it joined. */
  private final String protocolVersion;
  // guarded by group
  BackendSlot held;
  int calls;
  BackendSlot lastUsed;
  boolean left;

  SessionBackend(CallerBackends group, SessionChannel session, CapabilityKey key, boolean leases, String protocolVersion) {
    this.group = group;
    this.session = session;
    this.key = key;
    this.leases = leases;
    this.protocolVersion = protocolVersion;
  }

  CallerBackends group() {
    return group;
  }

  /** The session. */
  public SessionChannel session() {
    return session;
  }

  /** The pool this session's instances come from: its declared capabilities, or {@link CapabilityKey#NONE} when it shares one instance. */
  CapabilityKey key() {
    return key;
  }

  /**
   * What a backend started for this session is initialized with, a new tree: the session's params,
   * with exactly its key's capabilities when its instances are shared by key. Built on each (rare)
   * start instead of kept: an idle session holds no copy of its params.
   */
  ObjectNode initializeParams() {
    ObjectNode params = session.initializeParams(protocolVersion);
    return group.exact() ? key.initializeParams(params) : params; // with exact sharing, the key is what the session declared
  }

  /** Whether the session holds an instance exclusively while its calls run (it can receive server requests). */
  public boolean leases() {
    return leases;
  }

  public ServerConfig server() {
    return group.server();
  }

  /** The most instances of its server the session's caller runs for sessions that lease them. */
  public int bound() {
    return group.bound();
  }

  /** Whether the session left the pool (it ended). */
  public boolean hasEnded() {
    return group.hasEnded(this);
  }

  /** The log levels and subscriptions of the sessions this session's instances serve, this session's among them. */
  public BackendSettings settings() {
    return group.settings(this);
  }

  /** Asks for an instance for one call; the call releases the lease it gets when it ends. */
  public LeaseRequest lease() {
    return group.request(this);
  }

  /**
   * The backend's {@code initialize} result for this session's own {@code initialize}: from an
   * instance of its pool, started when there is none (waiting at most the server's start-up
   * timeout when the caller's other sessions hold every instance it may run); null when the
   * pool is closing.
   */
  public CompletableFuture<JsonNode> initialized() {
    CompletableFuture<JsonNode> ready = group.readyInstance(this);
    if (ready != null || hasEnded()) {
      return ready;
    }
    LeaseRequest request = lease();
    Duration wait = server().startupTimeout().orElse(group.runtime().config().startupTimeout());
    ScheduledFuture<?> timer = null;
    if (!request.granted().isDone()) {
      try {
        timer = group.runtime().scheduler().schedule(() -> {
          if (request.withdraw()) {
            request.granted().completeExceptionally(new GatewayException(503, GatewayException.TIMEOUT, waitedTooLong(wait)));
          }
        }, wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        request.withdraw();
        return null;
      }
    }
    ScheduledFuture<?> t = timer;
    return request.granted().thenCompose(lease -> {
      if (t != null) {
        t.cancel(false);
      }
      BackendConnection connection = lease.connection();
      if (connection == null) {
        lease.release();
        return CompletableFuture.failedFuture(new GatewayException(503, GatewayException.BACKEND_ERROR,
            "server '" + server().name() + "' is closing; try again"));
      }
      return connection.ready().whenComplete((result, failure) -> lease.release());
    });
  }

  /** Why a session's call or start got no instance within {@code wait}. */
  public String waitedTooLong(Duration wait) {
    return "server '" + server().name() + "': no backend instance became free for this session within " + wait.toSeconds()
        + " s; the caller's other sessions that can receive server requests (" + key + ") hold all " + bound()
        + " it may run (maxBackendsPerCaller); retry when their calls end, or raise the bound";
  }

  /**
   * Where a notification of the client goes: the instance the session holds, else the one it last
   * held while no other session holds it, else (for shared instances) the shared one; null when
   * no instance has served this session and none is free to tell.
   */
  public BackendSlot notificationTarget() {
    return group.notificationTarget(this);
  }

  @Override
  public String toString() {
    return session + " on " + group;
  }
}
