package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the sessions of one backend ask of it that the backend holds once for all of them: a log
 * level ({@code logging/setLevel}) and resource subscriptions ({@code resources/subscribe}).
 * The sessions are those one set of backend instances serves (a caller's sessions of one
 * capability key, see {@link CallerBackends}); every instance of the set is set alike, since any
 * of them may serve any of the sessions: the first instance answers the client, the others follow.
 *
 * <p>Each session's own level and subscriptions are kept here, and the backend is set to what
 * their union needs: the most verbose level any session asked for, and a subscription to every uri
 * that at least one session subscribed to. The backend hears {@code logging/setLevel} only when
 * that level changes, {@code resources/subscribe} when the first session subscribes to a uri, and
 * {@code resources/unsubscribe} when the last one unsubscribes or ends. The {@link MessageRouter}
 * then passes a log message to a session only at or above the session's level, and
 * {@code notifications/resources/updated} only to the uri's subscribers. A session that never set
 * a level gets every log message the backend sends. When no session has a level any more, the
 * backend keeps the last one it was given: MCP has no way to return a server to its default.
 *
 * <p>Thread safety: changes run one at a time, in the order they were asked, each once the backend
 * answered the one before, on the launch threads; the router reads without a lock. A backend that
 * was replaced (it crashed or hung), or an instance that starts later, is set from the sessions'
 * settings when it starts.
 */
public final class BackendSettings {
  private static final Logger LOG = LoggerFactory.getLogger(BackendSettings.class);
  private static final String SET_LEVEL = "logging/setLevel";
  private static final String SUBSCRIBE = "resources/subscribe";
  private static final String UNSUBSCRIBE = "resources/unsubscribe";

  private final ServerConfig server;
  private final GatewayRuntime runtime;
  /** The sessions these settings are for: a live set. */
  private final Set<SessionChannel> sessions;
  /** The instances that serve them, oldest first. */
  private final Supplier<List<BackendSlot>> instances;
  /** The level of each session that set one. */
  private final ConcurrentHashMap<SessionChannel, LogLevel> levels = new ConcurrentHashMap<>();
  /** The sessions subscribed to each uri; a uri nobody is subscribed to has no entry. */
  private final ConcurrentHashMap<String, Set<SessionChannel>> subscribers = new ConcurrentHashMap<>();
  /** What each running backend was set to: read and written only by the change that runs (the chain of changes orders them). */
  private final Map<BackendConnection, Applied> applied = new HashMap<>();
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  /** What one backend was set to. */
  private static final class Applied {
    LogLevel level;
    final Set<String> uris = new HashSet<>();
  }

  BackendSettings(ServerConfig server, GatewayRuntime runtime, Set<SessionChannel> sessions, Supplier<List<BackendSlot>> instances) {
    this.server = server;
    this.runtime = runtime;
    this.sessions = sessions;
    this.instances = instances;
  }

  /** Whether the gateway answers {@code method} here instead of passing it to the backend as it is. */
  public static boolean handles(String method) {
    return SET_LEVEL.equals(method) || SUBSCRIBE.equals(method) || UNSUBSCRIBE.equals(method);
  }

  /**
   * A session's {@code logging/setLevel}, {@code resources/subscribe} or {@code resources/unsubscribe}
   * (see {@link #handles}): recorded for the session, and the backend set to the union when that
   * changes. Completes with the answer for the client, its id still to be set: an empty result, or
   * an error (the backend's, when it refused; then nothing changed). Completes exceptionally with
   * {@link BackendUnavailableException} when the backend's remote cannot be reached.
   */
  public CompletableFuture<ObjectNode> request(SessionChannel session, String method, JsonNode params) {
    if (SET_LEVEL.equals(method)) {
      LogLevel level = LogLevel.of(params == null ? null : params.path("level").asText(null));
      if (level == null) {
        return CompletableFuture.completedFuture(error(GatewayException.INVALID_PARAMS,
            "logging/setLevel needs params.level, one of debug, info, notice, warning, error, critical, alert, emergency"));
      }
      return enqueue(() -> setLevel(session, level));
    }
    JsonNode uri = params == null ? null : params.get("uri");
    if (uri == null || !uri.isTextual() || uri.asText().isEmpty()) {
      return CompletableFuture.completedFuture(error(GatewayException.INVALID_PARAMS, method + " needs params.uri, a non-empty string"));
    }
    return enqueue(() -> SUBSCRIBE.equals(method) ? subscribe(session, uri.asText()) : unsubscribe(session, uri.asText()));
  }

  /**
   * Whether a {@code notifications/message} with {@code params} is for {@code session}: its level
   * is at or above the session's. A session that set no level gets every message, and every
   * session gets a message whose level is not one of MCP's.
   */
  public boolean wantsLog(SessionChannel session, JsonNode params) {
    LogLevel threshold = levels.get(session);
    LogLevel level = LogLevel.of(params == null ? null : params.path("level").asText(null));
    return threshold == null || level == null || level.passes(threshold);
  }

  /** Whether {@code session} is subscribed to {@code uri}. */
  public boolean isSubscribed(SessionChannel session, String uri) {
    Set<SessionChannel> sessions = uri == null ? null : subscribers.get(uri);
    return sessions != null && sessions.contains(session);
  }

  /**
   * {@code session} left the backend (it ended): its level and subscriptions are forgotten, and
   * the backend is set to what the remaining sessions need (a less verbose level, the uris only it
   * was subscribed to unsubscribed). A backend that is not running is left alone.
   */
  public void left(SessionChannel session) {
    enqueue(() -> {
      boolean had = levels.remove(session) != null;
      for (String uri : new ArrayList<>(subscribers.keySet())) {
        had |= removeSubscriber(uri, session);
      }
      if (!had) {
        return CompletableFuture.completedFuture(null);
      }
      return reconcileAll(null);
    });
  }

  /** A new backend started for these sessions: it is set to what they asked of the others. */
  void connectionStarted(BackendConnection connection) {
    if (levels.isEmpty() && subscribers.isEmpty()) {
      return; // the first start, or nobody asked for anything
    }
    enqueue(() -> sync(connection));
  }

  private CompletableFuture<ObjectNode> setLevel(SessionChannel session, LogLevel level) {
    BackendConnection connection = first();
    if (connection == null) {
      return CompletableFuture.completedFuture(ended());
    }
    return sync(connection).thenCompose(ignored -> {
      if (!sessions.contains(session)) {
        return CompletableFuture.completedFuture(ended());
      }
      LogLevel previous = levels.put(session, level);
      LogLevel wanted = wantedLevel();
      if (wanted == applied(connection).level) {
        return CompletableFuture.completedFuture(ok());
      }
      return ask(connection, SET_LEVEL, "level", wanted.wireName()).whenComplete((answer, failure) -> {
        if (failure == null && !answer.has("error")) {
          applied(connection).level = wanted;
        } else if (previous == null) {
          levels.remove(session); // refused: the session's level is what it was
        } else {
          levels.put(session, previous);
        }
      }).thenCompose(answer -> reconcileAll(connection).thenApply(others -> okUnlessError(answer)));
    });
  }

  private CompletableFuture<ObjectNode> subscribe(SessionChannel session, String uri) {
    BackendConnection connection = first();
    if (connection == null) {
      return CompletableFuture.completedFuture(ended());
    }
    return sync(connection).thenCompose(ignored -> {
      if (!sessions.contains(session)) {
        return CompletableFuture.completedFuture(ended());
      }
      if (isSubscribed(session, uri) || applied(connection).uris.contains(uri)) {
        subscribers.computeIfAbsent(uri, u -> ConcurrentHashMap.newKeySet()).add(session);
        return CompletableFuture.completedFuture(ok());
      }
      return ask(connection, SUBSCRIBE, "uri", uri).thenCompose(answer -> {
        if (answer.has("error")) {
          return CompletableFuture.completedFuture(answer);
        }
        applied(connection).uris.add(uri);
        subscribers.computeIfAbsent(uri, u -> ConcurrentHashMap.newKeySet()).add(session);
        return reconcileAll(connection).thenApply(others -> ok());
      });
    });
  }

  private CompletableFuture<ObjectNode> unsubscribe(SessionChannel session, String uri) {
    if (!isSubscribed(session, uri)) {
      // Never subscribed (or no more): nothing to undo, and nobody else's updates end.
      return CompletableFuture.completedFuture(ok());
    }
    Set<SessionChannel> subscribed = subscribers.get(uri);
    BackendConnection connection = firstRunning();
    Applied set = connection == null ? null : applied.get(connection);
    if (subscribed.size() > 1 || set == null || !set.uris.contains(uri)) {
      // Others still want it, or the backend that was subscribed is gone: only the session's part ends.
      removeSubscriber(uri, session);
      return reconcileAll(null).thenApply(others -> ok());
    }
    return ask(connection, UNSUBSCRIBE, "uri", uri).thenCompose(answer -> {
      if (answer.has("error")) {
        return CompletableFuture.completedFuture(answer);
      }
      set.uris.remove(uri);
      removeSubscriber(uri, session);
      return reconcileAll(connection).thenApply(others -> ok());
    });
  }

  /** The first instance's connection, started when it is not running; null when no instance serves these sessions. */
  private BackendConnection first() {
    List<BackendSlot> slots = instances.get();
    return slots.isEmpty() ? null : slots.get(0).connection();
  }

  /** The first instance's connection when it is running (or starting), without starting one. */
  private BackendConnection firstRunning() {
    List<BackendSlot> slots = instances.get();
    return slots.isEmpty() ? null : slots.get(0).usableConnection();
  }

  private Applied applied(BackendConnection connection) {
    return applied.computeIfAbsent(connection, c -> new Applied());
  }

  /** Sets every running instance but {@code done} (null: all) to what the sessions need; failures are logged. */
  private CompletableFuture<Void> reconcileAll(BackendConnection done) {
    CompletableFuture<Void> steps = CompletableFuture.completedFuture(null);
    for (BackendSlot slot : instances.get()) {
      BackendConnection connection = slot.usableConnection();
      if (connection != null && connection != done) {
        steps = steps.thenCompose(ignored -> sync(connection)).thenCompose(ignored -> reconcile(connection));
      }
    }
    return steps;
  }

  /**
   * Makes sure {@code connection} is set: when it was never set before (its first use, a successor
   * after a crash, another instance), it starts from nothing and gets every setting the sessions
   * hold. Backends that ended are forgotten.
   */
  private CompletableFuture<Void> sync(BackendConnection connection) {
    applied.keySet().removeIf(c -> c != connection && !c.isUsable());
    if (applied.containsKey(connection)) {
      return CompletableFuture.completedFuture(null);
    }
    applied.put(connection, new Applied());
    return reconcile(connection);
  }

  /** Tells the backend what differs between what it was set to and what the sessions need; failures are logged. */
  private CompletableFuture<Void> reconcile(BackendConnection connection) {
    Applied set = applied(connection);
    CompletableFuture<Void> steps = CompletableFuture.completedFuture(null);
    LogLevel wanted = wantedLevel();
    if (wanted != null && wanted != set.level) {
      steps = then(steps, connection, SET_LEVEL, "level", wanted.wireName(), () -> set.level = wanted);
    }
    for (String uri : new ArrayList<>(subscribers.keySet())) {
      if (!set.uris.contains(uri)) {
        steps = then(steps, connection, SUBSCRIBE, "uri", uri, () -> set.uris.add(uri));
      }
    }
    for (String uri : new ArrayList<>(set.uris)) {
      if (!subscribers.containsKey(uri)) {
        set.uris.remove(uri); // whatever the backend answers, no session wants its updates
        steps = then(steps, connection, UNSUBSCRIBE, "uri", uri, () -> {});
      }
    }
    return steps;
  }

  /** One more request to the backend after {@code steps}; {@code done} runs when the backend accepted it. */
  private CompletableFuture<Void> then(CompletableFuture<Void> steps, BackendConnection connection, String method, String field,
      String value, Runnable done) {
    return steps.thenCompose(ignored -> ask(connection, method, field, value)).handle((answer, failure) -> {
      if (failure == null && !answer.has("error")) {
        done.run();
      } else {
        String why = failure != null ? Failures.of(failure, server.name()).getMessage()
            : connection.redacted(answer.path("error").path("message").asText("no message"));
        LOG.warn("Server '{}' was not set as its sessions need: {} {} failed: {}", server.name(), method, value, why);
      }
      return null;
    });
  }

  private LogLevel wantedLevel() {
    LogLevel wanted = null;
    for (LogLevel level : levels.values()) {
      wanted = level.moreVerbose(wanted);
    }
    return wanted;
  }

  private boolean removeSubscriber(String uri, SessionChannel session) {
    boolean[] removed = new boolean[1];
    subscribers.computeIfPresent(uri, (u, sessions) -> {
      removed[0] = sessions.remove(session);
      return sessions.isEmpty() ? null : sessions;
    });
    return removed[0];
  }

  /**
   * A request of the gateway's own to the backend, once it is ready; completes with its answer (an
   * error answer, a timeout or a failure as a JSON-RPC error), exceptionally only when the
   * backend's remote cannot be reached.
   */
  private CompletableFuture<ObjectNode> ask(BackendConnection connection, String method, String field, String value) {
    ObjectNode request = Json.object();
    request.put("jsonrpc", "2.0");
    request.put("method", method);
    request.putObject("params").put(field, value);
    return BackendCall.ask(connection, request, server, runtime);
  }

  /**
   * Runs {@code change} once every change asked before it has finished, on a launch thread; the
   * result is the change's.
   */
  private <T> CompletableFuture<T> enqueue(Supplier<CompletableFuture<T>> change) {
    CompletableFuture<T> result = new CompletableFuture<>();
    synchronized (this) {
      CompletableFuture<Void> ran = tail.thenComposeAsync(ignored -> {
        CompletableFuture<T> step;
        try {
          step = change.get();
        } catch (RuntimeException e) {
          step = CompletableFuture.failedFuture(e);
        }
        step.whenComplete((value, failure) -> {
          if (failure != null) {
            result.completeExceptionally(failure);
          } else {
            result.complete(value);
          }
        });
        return step.<Void>handle((value, failure) -> null);
      }, runtime.launchExecutor());
      ran.whenComplete((ignored, failure) -> {
        if (failure != null) {
          result.completeExceptionally(failure); // the change never ran: the gateway is closing
        }
      });
      tail = ran.exceptionally(failure -> null);
    }
    return result;
  }

  private static ObjectNode okUnlessError(ObjectNode answer) {
    return answer.has("error") ? answer : ok();
  }

  private static ObjectNode ok() {
    ObjectNode ok = Json.object();
    ok.put("jsonrpc", "2.0");
    ok.putObject("result");
    return ok;
  }

  private static ObjectNode error(int code, String message) {
    return Json.rpcError(null, code, message);
  }

  private static ObjectNode ended() {
    return error(GatewayException.INVALID_REQUEST, "session has ended; send initialize again");
  }
}
