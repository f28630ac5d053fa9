package dev.mcpgateway.internal.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.internal.connection.SessionChannel;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the replicas of a cluster tell each other about the sessions they share, over the
 * {@link ClusterBus} (which signs every message with the cluster secret):
 *
 * <ul>
 *   <li>{@code answer}: a client answered a server request on a replica that is not the one waiting
 *       for it; the replica that has it waiting (its ids are unique per replica) passes it to its backend;
 *   <li>{@code notify}: a notification for a session on a replica that holds no {@code GET} stream
 *       of it; a replica that holds one sends it there.
 * </ul>
 *
 * Delivery is at most once, as the bus's: a message no replica can take is dropped.
 */
public final class ClusterRelay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRelay.class);
  static final String TOPIC = "sessions";

  private final ClusterBus bus;
  private final SessionRegistry live;
  private final ClusterBus.Subscription subscription;

  public ClusterRelay(ClusterBus bus, SessionRegistry live) {
    this.bus = bus;
    this.live = live;
    this.subscription = bus.subscribe(TOPIC, this::received);
  }

  /** A client's answer to a server request of {@code sessionId} that no request of this replica waits for. */
  public void answer(String sessionId, ObjectNode message) {
    publish("answer", sessionId, message);
  }

  /** A notification for {@code sessionId}, whose {@code GET} stream is not on this replica; false for anything else. */
  boolean standalone(String sessionId, byte[] json) {
    JsonNode message;
    try {
      message = Json.parse(json);
    } catch (IOException e) {
      return false;
    }
    if (!message.isObject() || message.has("id") || !message.has("method")) {
      return false; // requests stay with the replica that can answer the backend
    }
    publish("notify", sessionId, message);
    return true;
  }

  private void publish(String type, String sessionId, JsonNode message) {
    ObjectNode envelope = Json.object();
    envelope.put("t", type);
    envelope.put("s", sessionId);
    envelope.set("m", message);
    try {
      bus.publish(TOPIC, Json.bytes(envelope));
    } catch (RuntimeException e) {
      LOG.warn("Could not tell the other replicas about session {}: {}", sessionId.length() > 8 ? sessionId.substring(0, 8) + "…" : sessionId,
          e.getMessage());
    }
  }

  private void received(byte[] bytes) {
    JsonNode envelope;
    try {
      envelope = Json.parse(bytes);
    } catch (IOException e) {
      return;
    }
    LiveSession session = live.get(envelope.path("s").asText(""));
    JsonNode message = envelope.get("m");
    if (session == null || session.isClosed() || message == null || !message.isObject()) {
      return; // not a session this replica serves
    }
    switch (envelope.path("t").asText()) {
      case "answer":
        JsonNode id = message.get("id");
        SessionChannel.ServerRequest request = id != null && id.canConvertToLong()
            ? session.takeServerRequest(LongNode.valueOf(id.asLong())) : null;
        if (request != null) {
          ((ObjectNode) message).set("id", request.backendId());
          try {
            request.connection().send((ObjectNode) message);
          } catch (IOException e) {
            LOG.debug("The backend of {} stopped before it could receive an answer relayed from another replica", session);
          }
        }
        break;
      case "notify":
        session.sendStandaloneHere(Json.bytes(message));
        break;
      default:
        break;
    }
  }

  @Override
  public void close() {
    subscription.close();
  }
}
