package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the sessions of one backend ask of it that the backend holds once for all of them: a log
 * level ({@code logging/setLevel}) and resource subscriptions ({@code resources/subscribe}).
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
 * was replaced (it crashed or hung) is set again from the sessions' settings when its successor
 * starts.
 */
public final class BackendSettings {
  private static final Logger LOG = LoggerFactory.getLogger(BackendSettings.class);
  private static final String SET_LEVEL = "logging/setLevel";
  private static final String SUBSCRIBE = "resources/subscribe";
  private static final String UNSUBSCRIBE = "resources/unsubscribe";

  private final BackendSlot slot;
  private final GatewayRuntime runtime;
  /** The level of each session that set one. */
  private final ConcurrentHashMap<SessionChannel, LogLevel> levels = new ConcurrentHashMap<>();
  /** The sessions subscribed to each uri; a uri nobody is subscribed to has no entry. */
  private final ConcurrentHashMap<String, Set<SessionChannel>> subscribers = new ConcurrentHashMap<>();
  // What the backend was set to, and which backend: read and written only by the change that runs
  // (the chain of changes orders them).
  private BackendConnection appliedTo;
  private LogLevel appliedLevel;
  private final Set<String> appliedUris = new HashSet<>();
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  BackendSettings(BackendSlot slot, GatewayRuntime runtime) {
    this.slot = slot;
    this.runtime = runtime;
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
      BackendConnection connection = slot.usableConnection();
      if (!had || connection == null) {
        return CompletableFuture.completedFuture(null);
      }
      return sync(connection).thenCompose(ignored -> reconcile(connection));
    });
  }

  /** A new backend started in the slot: it is set to what the sessions asked of its predecessor. */
  void connectionStarted(BackendConnection connection) {
    if (levels.isEmpty() && subscribers.isEmpty()) {
      return; // the first start, or nobody asked for anything
    }
    enqueue(() -> sync(connection));
  }

  private CompletableFuture<ObjectNode> setLevel(SessionChannel session, LogLevel level) {
    BackendConnection connection = slot.connection(null);
    if (connection == null) {
      return CompletableFuture.completedFuture(ended());
    }
    return sync(connection).thenCompose(ignored -> {
      if (!slot.sessions().contains(session)) {
        return CompletableFuture.completedFuture(ended());
      }
      LogLevel previous = levels.put(session, level);
      LogLevel wanted = wantedLevel();
      if (wanted == appliedLevel) {
        return CompletableFuture.completedFuture(ok());
      }
      return ask(connection, SET_LEVEL, "level", wanted.wireName()).whenComplete((answer, failure) -> {
        if (failure == null && !answer.has("error")) {
          appliedLevel = wanted;
        } else if (previous == null) {
          levels.remove(session); // refused: the session's level is what it was
        } else {
          levels.put(session, previous);
        }
      }).thenApply(BackendSettings::okUnlessError);
    });
  }

  private CompletableFuture<ObjectNode> subscribe(SessionChannel session, String uri) {
    BackendConnection connection = slot.connection(null);
    if (connection == null) {
      return CompletableFuture.completedFuture(ended());
    }
    return sync(connection).thenCompose(ignored -> {
      if (!slot.sessions().contains(session)) {
        return CompletableFuture.completedFuture(ended());
      }
      if (isSubscribed(session, uri) || appliedUris.contains(uri)) {
        subscribers.computeIfAbsent(uri, u -> ConcurrentHashMap.newKeySet()).add(session);
        return CompletableFuture.completedFuture(ok());
      }
      return ask(connection, SUBSCRIBE, "uri", uri).thenApply(answer -> {
        if (!answer.has("error")) {
          appliedUris.add(uri);
          subscribers.computeIfAbsent(uri, u -> ConcurrentHashMap.newKeySet()).add(session);
        }
        return okUnlessError(answer);
      });
    });
  }

  private CompletableFuture<ObjectNode> unsubscribe(SessionChannel session, String uri) {
    if (!isSubscribed(session, uri)) {
      // Never subscribed (or no more): nothing to undo, and nobody else's updates end.
      return CompletableFuture.completedFuture(ok());
    }
    Set<SessionChannel> sessions = subscribers.get(uri);
    BackendConnection connection = slot.usableConnection();
    if (sessions.size() > 1 || !appliedUris.contains(uri) || connection == null || connection != appliedTo) {
      // Others still want it, or the backend that was subscribed is gone: only the session's part ends.
      removeSubscriber(uri, session);
      return CompletableFuture.completedFuture(ok());
    }
    return ask(connection, UNSUBSCRIBE, "uri", uri).thenApply(answer -> {
      if (!answer.has("error")) {
        appliedUris.remove(uri);
        removeSubscriber(uri, session);
      }
      return okUnlessError(answer);
    });
  }

  /**
   * Makes {@code connection} the backend that is set: when it is not the one set before (the
   * first use, or a successor after a crash), it starts from nothing and gets every setting the
   * sessions hold.
   */
  private CompletableFuture<Void> sync(BackendConnection connection) {
    if (connection == appliedTo) {
      return CompletableFuture.completedFuture(null);
    }
    appliedTo = connection;
    appliedLevel = null;
    appliedUris.clear();
    return reconcile(connection);
  }

  /** Tells the backend what differs between what it was set to and what the sessions need; failures are logged. */
  private CompletableFuture<Void> reconcile(BackendConnection connection) {
    CompletableFuture<Void> steps = CompletableFuture.completedFuture(null);
    LogLevel wanted = wantedLevel();
    if (wanted != null && wanted != appliedLevel) {
      steps = then(steps, connection, SET_LEVEL, "level", wanted.wireName(), () -> appliedLevel = wanted);
    }
    for (String uri : new ArrayList<>(subscribers.keySet())) {
      if (!appliedUris.contains(uri)) {
        steps = then(steps, connection, SUBSCRIBE, "uri", uri, () -> appliedUris.add(uri));
      }
    }
    for (String uri : new ArrayList<>(appliedUris)) {
      if (!subscribers.containsKey(uri)) {
        appliedUris.remove(uri); // whatever the backend answers, no session wants its updates
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
        String why = failure != null ? Failures.of(failure, slot.server().name()).getMessage()
            : connection.redacted(answer.path("error").path("message").asText("no message"));
        LOG.warn("Server '{}' was not set as its sessions need: {} {} failed: {}", slot.server().name(), method, value, why);
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
    return BackendCall.ask(connection, request, slot.server(), runtime);
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
