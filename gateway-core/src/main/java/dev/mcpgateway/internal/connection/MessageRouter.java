package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.internal.intercept.Tracer;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.trace.TraceOutcome;
import dev.mcpgateway.trace.TraceSpan;
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
 * stream. A log message no session can be named for, and other notifications, go to every
 * session of the instance. Log messages reach only sessions whose level they pass, and
 * {@code resources/updated} only the sessions subscribed to the resource ({@link BackendSettings}).
 *
 * <p>Every request to a client gets an answer: a request no session can be named for, or that no
 * stream of its session can carry, is answered with an error at once. A backend's
 * {@code notifications/cancelled} names one of its own requests to a client and goes to the one
 * session that has it waiting.
 */
public final class MessageRouter {
  private static final Logger LOG = LoggerFactory.getLogger(MessageRouter.class);
  /** The JSON-RPC code of a request that was cancelled. */
  private static final int CANCELLED = -32800;

  private final Tracer tracer;

  /** @param tracer traces the backends' requests to clients */
  public MessageRouter(Tracer tracer) {
    this.tracer = tracer;
  }

  public void serverRequest(BackendConnection connection, BackendSlot slot, ObjectNode message) {
    JsonNode backendId = message.get("id");
    // the method name is the backend's text too: it reaches the log and the backend's error only redacted
    String method = connection.redacted(message.path("method").asText());
    Attribution.Target target = Attribution.request(slot, connection, method);
    if (target.session() == null) {
      LOG.warn("Server '{}' sent {} that no session can take: {}", slot.server().name(), method, target.refusal());
      connection.refuse(backendId, target.code(), target.refusal());
      String capability = target.code() == Attribution.NOT_DECLARED ? CapabilityKey.neededBy(method) : null;
      BackendCall asking = capability == null ? null : Attribution.soleCall(slot, connection);
      if (asking != null) {
        asking.capabilityMissing(capability);
      }
      return;
    }
    SessionChannel session = target.session();
    BackendCall related = latestCall(connection, session);
    // traced under the call it came during: the client sees the request's own span as its parent
    long clientId = session.registerServerRequest(connection, backendId, related, id -> related == null ? TraceSpan.NONE
        : tracer.serverRequest(related.span(), slot.server().name(), message, method, id));
    message.set("id", LongNode.valueOf(clientId));
    byte[] json = Json.bytes(message);
    boolean delivered = related != null ? related.related(json) : session.sendStandalone(json);
    SessionChannel.ServerRequest undelivered = delivered ? null : session.takeServerRequest(LongNode.valueOf(clientId));
    if (undelivered != null) {
      Tracer.end(undelivered.span(), TraceOutcome.error(dev.mcpgateway.GatewayException.INTERNAL_ERROR));
      // Answered at once: else the backend, and the tool call waiting on it, would wait for nobody.
      LOG.debug("Server '{}' sent {} that no stream of its client can carry; it gets an error", slot.server().name(), method);
      connection.refuse(backendId, related != null
          ? "the client cannot receive " + method + ": the request that caused it cannot be answered as a stream"
              + " (it is part of a batch, or its client accepts only JSON) and the session has no GET stream open"
          : "the client's stream closed before it could receive " + method);
    }
  }

  /**
   * The backend cancelled a request it sent to a client: the session that has it waiting hears
   * {@code notifications/cancelled} under the id its client saw, on the stream the request went
   * to (else its {@code GET} stream), and a late answer finds nothing waiting. No other session
   * hears of it; a cancellation that names no waiting request is dropped.
   */
  private static void serverCancelled(BackendConnection connection, BackendSlot slot, ObjectNode message) {
    JsonNode params = message.get("params");
    JsonNode requestId = params == null ? null : params.get("requestId");
    for (SessionChannel session : slot.liveSessions()) {
      SessionChannel.ServerRequest request = session.withdrawServerRequest(connection, requestId);
      if (request == null) {
        continue;
      }
      Tracer.end(request.span(), TraceOutcome.error(CANCELLED));
      ((ObjectNode) params).put("requestId", request.clientId());
      byte[] json = Json.bytes(message);
      boolean delivered = request.call() != null ? request.call().related(json) : session.sendStandalone(json);
      if (!delivered) {
        LOG.debug("Dropped a cancellation of server '{}': no stream of its client is open", slot.server().name());
      }
      return;
    }
    LOG.debug("Dropped a cancellation of server '{}' for a request no session has waiting", slot.server().name());
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
    if ("notifications/cancelled".equals(method)) {
      serverCancelled(connection, slot, message);
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
}
