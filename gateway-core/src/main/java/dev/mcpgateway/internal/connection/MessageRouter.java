package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes what a backend sends on its own (requests and notifications) to the client it
 * concerns.
 *
 * <p>A progress notification names its request through the progress token, which the gateway
 * rewrote to the backend-side request id, so it reaches exactly that request's client. Other
 * messages sent while requests are in flight belong to the latest of them (stdio carries no
 * relation, and servers send them while handling a request); otherwise notifications go to
 * every session's {@code GET} stream and requests to one session that has such a stream open.
 * Log messages reach only sessions whose level they pass, and {@code resources/updated} only the
 * sessions subscribed to the resource ({@link BackendSettings}).
 */
public final class MessageRouter {
  private static final Logger LOG = LoggerFactory.getLogger(MessageRouter.class);

  public void serverRequest(BackendConnection connection, BackendSlot slot, ObjectNode message) {
    JsonNode backendId = message.get("id");
    BackendCall related = latestCall(connection);
    SessionChannel target = related != null ? related.session() : sessionWithStream(slot);
    if (target == null) {
      // the method name is the backend's text too: it reaches the log and the backend's error only redacted
      String method = connection.redacted(message.path("method").asText());
      LOG.warn("Server '{}' sent {} but no client has a stream open to receive it", slot.server().name(), method);
      answerError(connection, backendId, "no client is connected to answer " + method);
      return;
    }
    long clientId = target.registerServerRequest(connection, backendId);
    message.set("id", LongNode.valueOf(clientId));
    byte[] json = Json.bytes(message);
    if (related != null) {
      related.related(json);
    } else if (!target.sendStandalone(json)) {
      target.takeServerRequest(LongNode.valueOf(clientId));
      answerError(connection, backendId, "the client's stream closed before it could receive the request");
    }
  }

  public void serverNotification(BackendConnection connection, BackendSlot slot, ObjectNode message, String method) {
    if ("notifications/progress".equals(method)) {
      JsonNode params = message.get("params");
      JsonNode token = params == null ? null : params.get("progressToken");
      BackendCall call = token != null && token.canConvertToLong() ? connection.clientCall(token.longValue()) : null;
      if (call != null) {
        call.related(message, true);
        return;
      }
      LOG.debug("Dropped a progress notification of server '{}' for a request that is no longer in flight", slot.server().name());
      return;
    }
    if ("notifications/message".equals(method)) {
      logMessage(connection, slot, message);
      return;
    }
    if ("notifications/resources/updated".equals(method)) {
      resourceUpdated(slot, message);
      return;
    }
    byte[] json = Json.bytes(message);
    for (SessionChannel session : slot.liveSessions()) {
      session.sendStandalone(json);
    }
  }

  /** A log message reaches a session only at or above the level that session set. */
  private static void logMessage(BackendConnection connection, BackendSlot slot, ObjectNode message) {
    JsonNode params = message.get("params");
    BackendCall related = latestCall(connection);
    if (related != null) {
      if (slot.settings().wantsLog(related.session(), params)) {
        related.related(message, false);
      }
      return;
    }
    byte[] json = null;
    for (SessionChannel session : slot.liveSessions()) {
      if (slot.settings().wantsLog(session, params)) {
        json = json == null ? Json.bytes(message) : json;
        session.sendStandalone(json);
      }
    }
  }

  /** An update of a resource reaches the sessions subscribed to it, on their {@code GET} streams. */
  private static void resourceUpdated(BackendSlot slot, ObjectNode message) {
    String uri = message.path("params").path("uri").asText(null);
    byte[] json = null;
    for (SessionChannel session : slot.liveSessions()) {
      if (slot.settings().isSubscribed(session, uri)) {
        json = json == null ? Json.bytes(message) : json;
        session.sendStandalone(json);
      }
    }
  }

  private static BackendCall latestCall(BackendConnection connection) {
    List<BackendCall> inFlight = connection.callsInFlight();
    BackendCall latest = null;
    for (BackendCall exchange : inFlight) {
      if (!exchange.isDone() && exchange.session() != null && (latest == null || exchange.startedNanos() > latest.startedNanos())) {
        latest = exchange;
      }
    }
    return latest;
  }

  private static SessionChannel sessionWithStream(BackendSlot slot) {
    SessionChannel chosen = null;
    for (SessionChannel session : slot.liveSessions()) {
      if (session.hasStandaloneStream() && (chosen == null || session.createdAt().isAfter(chosen.createdAt()))) {
        chosen = session;
      }
    }
    return chosen;
  }

  private static void answerError(BackendConnection connection, JsonNode backendId, String message) {
    try {
      connection.send(Json.rpcError(backendId, -32603, message));
    } catch (IOException e) {
      LOG.debug("Could not answer a server request: {}", e.getMessage());
    }
  }
}
