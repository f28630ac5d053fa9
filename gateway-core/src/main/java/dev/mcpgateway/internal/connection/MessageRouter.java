package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes what a backend sends on its own (requests and notifications) to the client it
 * concerns.
 *
 * <p>A progress notification names its request through the progress token, which the gateway
 * rewrote to the backend-side request id, so it reaches exactly that request's client. A server
 * request, and a log message, go to the session {@link Attribution} names from the instance's
 * sharing: on the stream of that session's latest call in flight there, else on its {@code GET}
 * stream. A server request no session can be named for is answered with an error at once and
 * reaches no client. A log message no session can be named for, and other notifications, go to
 * every session of the instance. Log messages reach only sessions whose level they pass, and
 * {@code resources/updated} only the sessions subscribed to the resource ({@link BackendSettings}).
 */
public final class MessageRouter {
  private static final Logger LOG = LoggerFactory.getLogger(MessageRouter.class);

  public void serverRequest(BackendConnection connection, BackendSlot slot, ObjectNode message) {
    JsonNode backendId = message.get("id");
    // the method name is the backend's text too: it reaches the log and the backend's error only redacted
    String method = connection.redacted(message.path("method").asText());
    Attribution.Target target = Attribution.request(slot, connection, method);
    if (target.session() == null) {
      LOG.warn("Server '{}' sent {} that no session can take: {}", slot.server().name(), method, target.refusal());
      answerError(connection, backendId, target.code(), target.refusal());
      return;
    }
    SessionChannel session = target.session();
    BackendCall related = latestCall(connection, session);
    long clientId = session.registerServerRequest(connection, backendId);
    message.set("id", LongNode.valueOf(clientId));
    byte[] json = Json.bytes(message);
    if (related != null) {
      related.related(json);
    } else if (!session.sendStandalone(json)) {
      session.takeServerRequest(LongNode.valueOf(clientId));
      answerError(connection, backendId, Attribution.UNATTRIBUTED, "the client's stream closed before it could receive the request");
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

  /**
   * A log message goes to the session the instance serves now ({@link Attribution}), else to every
   * session of the instance; each only at or above the level that session set.
   */
  private static void logMessage(BackendConnection connection, BackendSlot slot, ObjectNode message) {
    JsonNode params = message.get("params");
    SessionChannel attributed = Attribution.notification(slot, connection);
    if (attributed != null) {
      if (slot.settings().wantsLog(attributed, params)) {
        BackendCall related = latestCall(connection, attributed);
        if (related != null) {
          related.related(message, false);
        } else {
          attributed.sendStandalone(Json.bytes(message));
        }
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

  /** The latest call of {@code session} still in flight on {@code connection}; null when it has none there. */
  private static BackendCall latestCall(BackendConnection connection, SessionChannel session) {
    BackendCall latest = null;
    for (BackendCall call : connection.callsInFlight()) {
      if (!call.isDone() && call.session() == session && (latest == null || call.startedNanos() > latest.startedNanos())) {
        latest = call;
      }
    }
    return latest;
  }

  private static void answerError(BackendConnection connection, JsonNode backendId, int code, String message) {
    try {
      connection.send(Json.rpcError(backendId, code, message));
    } catch (IOException e) {
      LOG.debug("Could not answer a server request: {}", e.getMessage());
    }
  }
}
