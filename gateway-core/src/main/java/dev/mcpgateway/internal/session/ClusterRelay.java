package dev.mcpgateway.internal.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.internal.connection.SessionChannel;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.EventStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>And on the topic of each replica, {@code sessions.<node>}, for a stream that one replica
 * holds live and a client resumed on another ({@link FollowedStream}):
 *
 * <ul>
 *   <li>{@code follow}, to the holder (the node in the stream's id): forward the stream's events
 *       after a sequence number to the follower's topic; it answers {@code alive} at once, then
 *       sends the stored events after that number and the live ones as a connection of the
 *       stream (which ends the client connection the holder had, as a local resumption would);
 *       {@code ended} when it does not hold the stream live;
 *   <li>{@code event} (the encoded event after the header line), {@code alive} (a keep-alive of
 *       the holder's connection) and {@code ended}, to the follower;
 *   <li>{@code unfollow}, to the holder: the follower's client went away (sent again for each
 *       event or keep-alive that still comes for it).
 * </ul>
 *
 * Delivery is at most once, as the bus's: a message no replica can take is dropped. A follower
 * fills a lost event from the event store and ends a stream whose holder stays silent.
 */
public final class ClusterRelay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRelay.class);
  static final String TOPIC = "sessions";
  /** How long a follower waits at most for the holder's first answer (at most one keep-alive interval). */
  static final Duration REPLY_WAIT = Duration.ofSeconds(5);
  /** How many keep-alive intervals a followed holder may stay silent before the follower ends the stream. */
  static final int SILENT_INTERVALS = 3;

  private final ClusterBus bus;
  private final SessionRegistry live;
  private final ClusterBus.Subscription subscription;
  private final ClusterBus.Subscription nodeSubscription;
  /** Streams of other replicas shown here, by follow id. */
  private final ConcurrentHashMap<String, FollowedStream> followers = new ConcurrentHashMap<>();
  /** Connections of this replica's streams that forward to a follower, by follow id. */
  private final ConcurrentHashMap<String, EventStream> forwards = new ConcurrentHashMap<>();
  private final AtomicLong follows = new AtomicLong();

  public ClusterRelay(ClusterBus bus, SessionRegistry live) {
    this.bus = bus;
    this.live = live;
    this.subscription = bus.subscribe(TOPIC, this::received);
    this.nodeSubscription = bus.subscribe(topicOf(live.node()), this::receivedHere);
  }

  private static String topicOf(long node) {
    return TOPIC + "." + node;
  }

  /** Whether {@code streamId} was given by another replica, which holds the stream while it is live. */
  public boolean heldElsewhere(String streamId) {
    long node = SessionRegistry.nodeOf(streamId);
    return node > 0 && node != live.node();
  }

  /**
   * Resumes here a stream of session {@code sessionId} that another replica holds (see
   * {@link #heldElsewhere}), after sequence number {@code after}: the stored events, then the
   * live ones as the holder forwards them, until it ends.
   */
  public EventStream follow(String sessionId, String streamId, long after) {
    StreamRegistry streams = live.streams();
    long interval = streams.interval().toNanos();
    return new FollowedStream(this, live.node() + "-" + follows.incrementAndGet(), sessionId, streamId,
        SessionRegistry.nodeOf(streamId), after, live.eventStore(), streams,
        Math.min(interval, REPLY_WAIT.toNanos()), SILENT_INTERVALS * interval);
  }

  void register(FollowedStream stream) {
    followers.put(stream.followId(), stream);
  }

  void unregister(FollowedStream stream) {
    followers.remove(stream.followId(), stream);
  }

  /** Asks the holder to forward {@code stream} after {@code after}; false when the bus refused. */
  boolean askToFollow(FollowedStream stream, long after) {
    ObjectNode header = header("follow", stream.followId());
    header.put("s", stream.sessionId());
    header.put("st", stream.streamId());
    header.put("a", after);
    header.put("r", live.node());
    return sendTo(stream.holder(), header, null);
  }

  void stopFollowing(FollowedStream stream) {
    sendTo(stream.holder(), header("unfollow", stream.followId()), null);
  }

  /** Ends the streams of session {@code sessionId} followed here: the session ended. */
  void sessionEnded(String sessionId) {
    for (FollowedStream stream : followers.values()) {
      if (stream.sessionId().equals(sessionId)) {
        stream.stop();
      }
    }
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

  private static ObjectNode header(String type, String followId) {
    ObjectNode header = Json.object();
    header.put("t", type);
    header.put("f", followId);
    return header;
  }

  /** Publishes a header line, and {@code body} after it, on the topic of {@code node}; false when the bus refused. */
  private boolean sendTo(long node, ObjectNode header, byte[] body) {
    byte[] head = Json.bytes(header); // one line: JSON text has no raw newline
    byte[] message = head;
    if (body != null) {
      message = Arrays.copyOf(head, head.length + 1 + body.length);
      message[head.length] = '\n';
      System.arraycopy(body, 0, message, head.length + 1, body.length);
    }
    try {
      bus.publish(topicOf(node), message);
      return true;
    } catch (RuntimeException e) {
      LOG.warn("Could not reach replica {} about a resumed stream: {}", node, e.getMessage());
      return false;
    }
  }

  private void receivedHere(byte[] bytes) {
    int newline = 0;
    while (newline < bytes.length && bytes[newline] != '\n') {
      newline++;
    }
    JsonNode header;
    try {
      header = Json.parse(Arrays.copyOf(bytes, newline));
    } catch (IOException e) {
      return;
    }
    String followId = header.path("f").asText("");
    FollowedStream follower;
    switch (header.path("t").asText()) {
      case "follow":
        forward(header, followId);
        break;
      case "unfollow":
        EventStream connection = forwards.remove(followId);
        if (connection != null) {
          connection.cancel();
        }
        break;
      case "event":
        follower = followers.get(followId);
        if (follower == null) {
          stale(header, followId);
        } else if (newline < bytes.length) {
          follower.deliver(Arrays.copyOfRange(bytes, newline + 1, bytes.length));
        }
        break;
      case "alive":
        follower = followers.get(followId);
        if (follower == null) {
          stale(header, followId);
        } else {
          follower.alive();
        }
        break;
      case "ended":
        follower = followers.get(followId);
        if (follower != null) {
          follower.ended();
        }
        break;
      default:
        break;
    }
  }

  /**
   * A holder forwards a stream nobody here follows any more (its {@code unfollow} was lost, or
   * this replica restarted): it is told again, so that it stops and lets the session go idle.
   */
  private void stale(JsonNode header, String followId) {
    long holder = header.path("h").asLong(-1);
    if (holder > 0) {
      sendTo(holder, header("unfollow", followId), null);
    }
  }

  /** A follower asks for a stream of this replica: forward it if it is live here, else say it ended. */
  private void forward(JsonNode request, String followId) {
    long to = request.path("r").asLong(-1);
    if (to <= 0 || followId.isEmpty()) {
      return;
    }
    LiveSession session = live.get(request.path("s").asText(""));
    SseStream stream = session == null || session.isClosed() ? null : session.stream(request.path("st").asText(""));
    if (stream == null || stream.isClosed()) {
      sendTo(to, header("ended", followId), null);
      return;
    }
    EventStream connection = stream.connect(Math.max(0, request.path("a").asLong(0)));
    forwards.put(followId, connection);
    ObjectNode ack = header("alive", followId);
    ack.put("h", live.node());
    sendTo(to, ack, null); // at once: the follower knows the stream is live here
    connection.open(new Forward(followId, to));
  }

  /** Where a connection of a stream of this replica writes: to the replica of the client that resumed it. */
  private final class Forward implements EventStream.EventSink {
    private final String followId;
    private final long to;

    Forward(String followId, long to) {
      this.followId = followId;
      this.to = to;
    }

    @Override
    public void write(byte[] sseBytes) {
      boolean comment = sseBytes.length > 0 && sseBytes[0] == ':';
      ObjectNode header = header(comment ? "alive" : "event", followId);
      header.put("h", live.node()); // where a follower that is gone says so
      boolean sent = sendTo(to, header, comment ? null : sseBytes);
      if (!sent) {
        forwards.remove(followId);
        throw new IllegalStateException("the bus refused an event for a replica that follows the stream");
      }
    }

    @Override
    public void close() {
      forwards.remove(followId);
      sendTo(to, header("ended", followId), null);
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
    nodeSubscription.close();
    for (FollowedStream stream : followers.values()) {
      stream.stop();
    }
    forwards.clear();
  }
}
