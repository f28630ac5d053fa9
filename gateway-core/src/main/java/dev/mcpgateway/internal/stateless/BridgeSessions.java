package dev.mcpgateway.internal.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.connection.BackendPool;
import dev.mcpgateway.internal.connection.BackendUnavailableException;
import dev.mcpgateway.internal.connection.Failures;
import dev.mcpgateway.internal.connection.SessionBackend;
import dev.mcpgateway.internal.http.ClientSessions;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.session.McpSession;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The sessions through which stateless requests reach session-based backends: per caller,
 * server and declared client capabilities, a set of gateway-side sessions, each running one
 * request at a time (so that a backend's server request belongs to exactly one request), kept
 * between requests so that the backends they joined stay initialized. A session is a session
 * like any other: it counts toward the caller's share, expires when idle, ends with a revoked
 * key; its id never leaves the gateway.
 */
final class BridgeSessions {
  /** The revision the gateway speaks to backends for stateless clients. */
  static final String BACKEND_VERSION = ClientSessions.LATEST;

  private final ClientSessions sessions;
  private final BackendPool pool;
  private final ConcurrentHashMap<String, ConcurrentLinkedDeque<LiveSession>> idle = new ConcurrentHashMap<>();

  BridgeSessions(ClientSessions sessions, BackendPool pool) {
    this.sessions = sessions;
    this.pool = pool;
  }

  /** A session ready for one request, with its backend's {@code initialize} result; or the refusal. */
  record Acquired(LiveSession session, JsonNode initialized, GatewayResponse refusal) {}

  /**
   * A free session of {@code identity} on {@code server} for {@code capabilities}, or a new one
   * whose backend is initialized with exactly those capabilities.
   */
  CompletableFuture<Acquired> acquire(Identity identity, ServerConfig server, ObjectNode capabilities, JsonNode clientInfo,
      JsonNode id, long epoch) {
    String key = identity.sessionKey() + '\n' + server.name() + '\n' + canonical(capabilities);
    ConcurrentLinkedDeque<LiveSession> free = idle.get(key);
    if (free != null) {
      LiveSession session;
      while ((session = free.pollFirst()) != null) {
        SessionBackend backend = session.backend();
        // the store's look-up keeps an idle session alive; one it dropped ended with it
        if (!session.isClosed() && backend != null && !backend.hasEnded() && stillStored(session)) {
          CompletableFuture<JsonNode> ready = backend.initialized();
          if (ready != null && ready.isDone() && !ready.isCompletedExceptionally()) {
            return CompletableFuture.completedFuture(new Acquired(session, ready.join(), null));
          }
        }
      }
    }
    ObjectNode params = Json.object();
    params.put("protocolVersion", BACKEND_VERSION);
    params.set("capabilities", capabilities);
    params.set("clientInfo", clientInfo != null && clientInfo.isObject() ? clientInfo
        : Json.object().put("name", "stateless-client").put("version", "0"));
    McpSession record = ClientSessions.newRecord(server.name(), identity, BACKEND_VERSION, params, server.isolation());
    ClientSessions.Opened opened = sessions.open(record, identity, epoch);
    if (opened.refusal() != null) {
      return CompletableFuture.completedFuture(new Acquired(null, null, withId(opened.refusal(), id)));
    }
    LiveSession session = opened.session();
    String owner = server.isolation() == ServerConfig.Isolation.SESSION ? "session-" + Identity.digest(session.id())
        : identity.sessionKey();
    SessionBackend backend = pool.join(owner, identity.name(), server, session, record.clientCapabilities(), session.protocolVersion());
    session.backend(backend);
    CompletableFuture<JsonNode> ready = session.isClosed() ? null : backend.initialized();
    if (ready == null) {
      sessions.store().remove(session.id());
      return CompletableFuture.completedFuture(new Acquired(null, null, StatelessRequest.error(503, id,
          GatewayException.INTERNAL_ERROR, "server '" + server.name() + "' is closing; try again", null)));
    }
    return ready.handle((result, failure) -> {
      if (failure != null) {
        sessions.store().remove(session.id());
        GatewayException e = Failures.of(failure, server.name());
        if (e instanceof BackendUnavailableException) {
          return new Acquired(null, null, StatelessRequest.error(503, id, e.jsonRpcCode(), e.getMessage(), null)
              .withHeader("Retry-After", "1"));
        }
        return new Acquired(null, null, StatelessRequest.error(e.httpStatus(), id, e.jsonRpcCode(), e.getMessage(), null));
      }
      idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
      return new Acquired(session, result, null);
    });
  }

  /** Whether the store still has the session (the look-up keeps it alive); a store that fails leaves it to this node. */
  private boolean stillStored(LiveSession session) {
    try {
      return sessions.store().get(session.id()).isPresent();
    } catch (RuntimeException e) {
      return true;
    }
  }

  /** Gives a session back after its request: the next request of its kind takes it. */
  void release(LiveSession session, ObjectNode capabilities) {
    if (session.isClosed()) {
      return;
    }
    String key = session.identity().sessionKey() + '\n' + session.server() + '\n' + canonical(capabilities);
    idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).offerFirst(session);
    // sessions that ended while idle are dropped as they are met
    Iterator<LiveSession> it = idle.get(key).descendingIterator();
    while (it.hasNext()) {
      LiveSession s = it.next();
      if (s.isClosed()) {
        it.remove();
      }
    }
  }

  /** The error answers of session admission, as JSON-RPC errors with the request's id. */
  private static GatewayResponse withId(GatewayResponse refusal, JsonNode id) {
    String message;
    try {
      message = Json.parse(refusal.body()).path("error").asText("refused");
    } catch (java.io.IOException e) {
      message = "refused";
    }
    return StatelessRequest.error(refusal.status(), id, refusal.status() == 429 ? GatewayException.QUOTA_EXCEEDED
        : GatewayException.INTERNAL_ERROR, message, null);
  }

  /** JSON with the members of every object in name order: equal capabilities, equal text. */
  static String canonical(JsonNode node) {
    StringBuilder out = new StringBuilder();
    canonical(node, out);
    return out.toString();
  }

  private static void canonical(JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      Map<String, JsonNode> sorted = new TreeMap<>();
      node.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        out.append(Json.mapper().getNodeFactory().textNode(e.getKey()).toString()).append(':');
        canonical(e.getValue(), out);
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        canonical(node.get(i), out);
      }
      out.append(']');
    } else {
      out.append(node.toString());
    }
  }
}
