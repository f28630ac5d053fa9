package dev.mcpgateway.internal.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.EventStream;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.http.Http;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retries of stateless clients whose parked call another replica holds, over the
 * {@link ClusterBus}: each replica listens on {@code stateless.<its id>} for what is sent to it,
 * and on {@value #TOPIC} for what every replica hears. The replica that receives such a retry checks its
 * state as for a call of its own, then sends the client's request to the holder named in the
 * state; the holder continues the call exactly as if the retry had come to it (the chain's
 * phases run there) and sends back the HTTP answer: a JSON body, or the events of the request's
 * stream as they come (progress, log messages, the next {@code input_required} or the result).
 * The receiving replica writes them to its client.
 *
 * <p>Nothing waits forever: the holder acknowledges at once and says it is alive every
 * {@value #ALIVE_MILLIS} ms while the call runs; without an acknowledgment within
 * {@value #ACK_MILLIS} ms, or without a word for {@value #SILENCE_MILLIS} ms, the receiving
 * replica answers the client that the call's replica cannot be reached and forgets the call. A
 * client that closes the request's stream on the receiving replica cancels the call on the
 * holder. A state that fails its check on the receiving replica cancels the call it names on its
 * holder, as it does on a single gateway.
 *
 * <p>Messages are a compact JSON header (its type {@code t}, the replicas {@code from} and
 * {@code to}, the forwarded request's id {@code x}), a newline, then the payload bytes. An answer
 * or an event travels as one message: a result too large for the bus does not arrive, and the
 * client gets the error of a silent holder.
 */
final class StatelessRelay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatelessRelay.class);
  static final String TOPIC = "stateless";
  /** How long the receiving replica waits for the holder's acknowledgment. */
  static final long ACK_MILLIS = 3_000;
  /** How often the holder says that a forwarded request still runs. */
  static final long ALIVE_MILLIS = 1_000;
  /** How long the receiving replica waits for a word of the holder once it acknowledged. */
  static final long SILENCE_MILLIS = 5_000;
  /**
   * How far a retry's sending time may be from the holder's clock, and how long the holder
   * remembers the retries it took: a retry replayed on the bus is dropped.
   */
  static final long REPLAY_MILLIS = 60_000;
  /** Headers of the holder's answer that the receiving replica sets itself. */
  private static final Set<String> OWN_HEADERS = Set.of("content-type", "cache-control");

  private final ClusterBus bus;
  private final StatelessEndpoint endpoint;
  private final ScheduledExecutorService scheduler;
  private final Executor workers;
  /** Real time: these are waits for another process, never a test's ticker. */
  private final LongSupplier nanoTime = System::nanoTime;
  private final SecureRandom random = new SecureRandom();
  /** This replica's name in the states it seals and on the bus: random, new at every start. */
  final String node;
  private final ClusterBus.Subscription subscription;
  private final ClusterBus.Subscription own;
  /** Retries this replica received and sent on, by their id. */
  private final Map<String, Forward> forwards = new ConcurrentHashMap<>();
  /** Retries other replicas sent here, by sender and id. */
  private final Map<String, Tunnel> tunnels = new ConcurrentHashMap<>();
  /** The retries taken here lately, by sender and id, with when they may be forgotten (nanoTime). */
  private final Map<String, Long> taken = new ConcurrentHashMap<>();
  private volatile boolean closed;

  StatelessRelay(ClusterBus bus, StatelessEndpoint endpoint, ScheduledExecutorService scheduler, Executor workers) {
    this.bus = bus;
    this.endpoint = endpoint;
    this.scheduler = scheduler;
    this.workers = workers;
    this.node = newId(9);
    this.subscription = bus.subscribe(TOPIC, this::received);
    this.own = bus.subscribe(TOPIC + "." + node, this::received);
  }

  private String newId(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  // --- the replica that received the retry ---

  /**
   * Sends a checked retry to {@code holder}, which holds the parked call its state names; the
   * answer is the holder's, or the error that the holder cannot be reached.
   */
  CompletionStage<GatewayResponse> forward(StatelessRequest r, Http.Accept accept, ServerConfig server, Identity identity,
      RequestStates.State state) {
    Forward forward = new Forward(newId(12), state.holder(), r.id());
    ObjectNode header = header("retry", state.holder(), forward.id);
    header.put("at", System.currentTimeMillis());
    header.put("server", server.name());
    header.put("json", accept.json());
    header.put("sse", accept.sse());
    ObjectNode who = header.putObject("identity");
    who.put("name", identity.name());
    who.put("key", identity.sessionKey());
    who.put("admin", identity.admin());
    identity.allowedServers().ifPresent(servers -> {
      ArrayNode list = who.putArray("servers");
      servers.forEach(list::add);
    });
    forwards.put(forward.id, forward);
    forward.watchdog = scheduler.scheduleAtFixedRate(forward::check, ALIVE_MILLIS / 2, ALIVE_MILLIS / 2, TimeUnit.MILLISECONDS);
    if (closed || !publish(header, Json.bytes(r.message()))) {
      forward.fail("the cluster bus did not take the request");
    }
    return forward.response;
  }

  /** Tells the holder of {@code parked} (every replica when {@code holder} is null) to cancel it: its state was refused here. */
  void cancel(String holder, String parked, String caller, String reason) {
    ObjectNode header = header("cancel", holder, "-");
    header.put("parked", parked);
    if (caller != null) {
      header.put("caller", caller);
    }
    header.put("reason", reason);
    publish(header, new byte[0]);
  }

  /** A retry sent on, until the holder's answer ends or the holder is given up. */
  private final class Forward {
    final String id;
    final String holder;
    final JsonNode requestId;
    final CompletableFuture<GatewayResponse> response = new CompletableFuture<>();
    final RelayedStream stream = new RelayedStream(this::clientGone);
    final long sentNanos = nanoTime.getAsLong();
    volatile long heardNanos;
    volatile boolean acknowledged;
    volatile ScheduledFuture<?> watchdog;

    Forward(String id, String holder, JsonNode requestId) {
      this.id = id;
      this.holder = holder;
      this.requestId = requestId;
    }

    void heard() {
      heardNanos = nanoTime.getAsLong();
      acknowledged = true;
    }

    void check() {
      long now = nanoTime.getAsLong();
      if (!acknowledged && now - sentNanos > TimeUnit.MILLISECONDS.toNanos(ACK_MILLIS)) {
        fail("that replica did not answer within " + ACK_MILLIS + " ms");
      } else if (acknowledged && now - heardNanos > TimeUnit.MILLISECONDS.toNanos(SILENCE_MILLIS)) {
        fail("that replica fell silent for " + SILENCE_MILLIS + " ms");
      }
    }

    /** Ends this forward; false when it had ended already. */
    boolean finish() {
      if (!forwards.remove(id, this)) {
        return false;
      }
      ScheduledFuture<?> w = watchdog;
      if (w != null) {
        w.cancel(false);
      }
      return true;
    }

    /** The holder cannot be reached: the client gets an error with its request's id; the holder, if it lives, lets go. */
    void fail(String why) {
      if (!finish()) {
        return;
      }
      LOG.warn("A stateless client's retry was sent to the replica of the gateway that holds its call, but {}; the client is told"
          + " to send its request again", why);
      byte[] error = Json.bytes(Json.rpcError(requestId, GatewayException.INTERNAL_ERROR, "the call this requestState continues"
          + " was held by another replica of the gateway, which cannot be reached (" + why + "); send the request again,"
          + " without requestState and inputResponses"));
      if (!response.complete(GatewayResponse.json(502, error))) {
        stream.write(event(error));
        stream.close();
      }
      off(() -> send("gone", holder, id, new byte[0])); // this may run on the timer thread

    }

    void clientGone() {
      if (finish()) {
        send("gone", holder, id, new byte[0]);
      }
    }
  }

  /** The client's side of a stream that the holder writes: its events as the holder sent them, in order. */
  private static final class RelayedStream implements EventStream {
    private final Runnable onCancel;
    private EventSink sink;
    private List<byte[]> pending = new ArrayList<>();
    private boolean closed;
    private boolean cancelled;

    RelayedStream(Runnable onCancel) {
      this.onCancel = onCancel;
    }

    @Override
    public void open(EventSink sink) {
      boolean end;
      synchronized (this) {
        if (this.sink != null) {
          throw new IllegalStateException("stream opened twice");
        }
        this.sink = sink;
        for (byte[] event : pending) {
          writeTo(event);
        }
        pending = null;
        end = closed;
      }
      if (end) {
        sink.close();
      }
    }

    synchronized void write(byte[] sse) {
      if (closed || cancelled) {
        return;
      }
      if (sink == null) {
        pending.add(sse);
      } else {
        writeTo(sse);
      }
    }

    private void writeTo(byte[] sse) {
      try {
        sink.write(sse);
      } catch (RuntimeException e) {
        LOG.debug("The client's stream failed; it is dropped", e);
        cancelled = true;
      }
    }

    void close() {
      EventSink s;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        s = sink;
      }
      if (s != null) {
        s.close();
      }
    }

    @Override
    public void cancel() {
      synchronized (this) {
        if (closed || cancelled) {
          return;
        }
        cancelled = true;
      }
      onCancel.run();
    }
  }

  // --- the replica that holds the call ---

  /** A retry that another replica sent here, until its answer is sent or its client goes. */
  private final class Tunnel {
    final String key;
    final String to;
    final String id;
    volatile JsonNode requestId;
    volatile ScheduledFuture<?> alive;
    volatile EventStream stream;
    volatile boolean gone;

    Tunnel(String to, String id) {
      this.key = to + '\n' + id;
      this.to = to;
      this.id = id;
    }

    void finish() {
      tunnels.remove(key, this);
      ScheduledFuture<?> a = alive;
      if (a != null) {
        a.cancel(false);
      }
    }
  }

  /** Whether a retry is new: sent lately and not taken yet. Messages are signed, but whoever reads the bus can replay one. */
  private boolean fresh(JsonNode header, String key) {
    long now = nanoTime.getAsLong();
    taken.values().removeIf(forgetAt -> forgetAt - now < 0);
    if (Math.abs(System.currentTimeMillis() - header.path("at").asLong()) > REPLAY_MILLIS) {
      LOG.warn("A retry sent on by another replica was dropped: it was sent more than {} s ago (or the replicas' clocks differ that much)",
          REPLAY_MILLIS / 1000);
      return false;
    }
    return taken.putIfAbsent(key, now + TimeUnit.MILLISECONDS.toNanos(2 * REPLAY_MILLIS)) == null;
  }

  private void retried(JsonNode header, byte[] payload) {
    String from = header.path("from").asText("");
    Tunnel tunnel = new Tunnel(from, header.path("x").asText(""));
    if (!fresh(header, tunnel.key)) {
      return;
    }
    tunnels.put(tunnel.key, tunnel);
    send("ack", from, tunnel.id, new byte[0]);
    // the timer thread only hands over: a publish may wait for the bus
    tunnel.alive = scheduler.scheduleAtFixedRate(() -> off(() -> send("alive", from, tunnel.id, new byte[0])),
        ALIVE_MILLIS, ALIVE_MILLIS, TimeUnit.MILLISECONDS);
    off(() -> {
      CompletionStage<GatewayResponse> answer;
      try {
        StatelessRequest r = StatelessRequest.checked((ObjectNode) Json.parse(payload));
        tunnel.requestId = r.id();
        JsonNode who = header.path("identity");
        Optional<Set<String>> servers = Optional.empty();
        if (who.path("servers").isArray()) {
          Set<String> names = new HashSet<>();
          who.path("servers").forEach(name -> names.add(name.asText()));
          servers = Optional.of(names);
        }
        Identity identity = new Identity(who.path("name").asText(), who.path("key").asText(), servers, who.path("admin").asBoolean());
        answer = endpoint.resumeForwarded(r, new Http.Accept(header.path("json").asBoolean(), header.path("sse").asBoolean()),
            header.path("server").asText(), identity);
      } catch (IOException | RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete((response, failure) -> answered(tunnel, response, failure));
    });
  }

  private void answered(Tunnel tunnel, GatewayResponse response, Throwable failure) {
    if (failure != null || response == null) {
      LOG.error("Continuing a call for a retry that another replica received failed", failure);
      response = GatewayResponse.json(500, Json.bytes(Json.rpcError(tunnel.requestId, GatewayException.INTERNAL_ERROR,
          "the gateway failed to continue the call")));
    }
    ObjectNode header = header(response.stream().isPresent() ? "stream" : "response", tunnel.to, tunnel.id);
    header.put("status", response.status());
    ObjectNode headers = header.putObject("headers");
    response.headers().forEach(headers::put);
    if (response.stream().isEmpty()) {
      tunnel.finish();
      publish(header, response.body());
      return;
    }
    EventStream stream = response.stream().get();
    tunnel.stream = stream;
    if (tunnel.gone) {
      stream.cancel();
      return;
    }
    publish(header, new byte[0]);
    stream.open(new EventStream.EventSink() {
      @Override
      public void write(byte[] sse) {
        send("events", tunnel.to, tunnel.id, sse);
      }

      @Override
      public void close() {
        tunnel.finish();
        send("end", tunnel.to, tunnel.id, new byte[0]);
      }
    });
    if (tunnel.gone) {
      stream.cancel(); // the client went while the stream opened
    }
  }

  private void gone(String from, String id) {
    Tunnel tunnel = tunnels.get(from + '\n' + id);
    if (tunnel == null) {
      return;
    }
    tunnel.gone = true;
    tunnel.finish();
    EventStream stream = tunnel.stream;
    if (stream != null) {
      stream.cancel(); // as when the client closes the request's stream here
    }
  }

  // --- the bus ---

  /** Runs {@code task} on a worker (here when the workers stopped): off the timer and the bus's threads. */
  private void off(Runnable task) {
    try {
      workers.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      task.run();
    }
  }

  private ObjectNode header(String type, String to, String id) {
    ObjectNode header = Json.object();
    header.put("t", type);
    header.put("from", node);
    if (to != null) {
      header.put("to", to);
    }
    header.put("x", id);
    return header;
  }

  private void send(String type, String to, String id, byte[] payload) {
    publish(header(type, to, id), payload);
  }

  private boolean publish(ObjectNode header, byte[] payload) {
    byte[] head = Json.bytes(header);
    byte[] message = new byte[head.length + 1 + payload.length];
    System.arraycopy(head, 0, message, 0, head.length);
    message[head.length] = '\n';
    System.arraycopy(payload, 0, message, head.length + 1, payload.length);
    String to = header.path("to").asText(null);
    try {
      bus.publish(to == null ? TOPIC : TOPIC + "." + to, message);
      return true;
    } catch (RuntimeException e) {
      LOG.warn("Could not tell another replica about a stateless client's call ({}): {}", header.path("t").asText(), e.getMessage());
      return false;
    }
  }

  private void received(byte[] message) {
    int newline = 0;
    while (newline < message.length && message[newline] != '\n') {
      newline++;
    }
    JsonNode header;
    try {
      header = Json.parse(java.util.Arrays.copyOf(message, newline));
    } catch (IOException e) {
      return;
    }
    String to = header.path("to").asText(null);
    if (closed || (to != null && !to.equals(node)) || node.equals(header.path("from").asText())) {
      return; // another replica's, or this one's own
    }
    byte[] payload = newline < message.length ? java.util.Arrays.copyOfRange(message, newline + 1, message.length) : new byte[0];
    String id = header.path("x").asText("");
    switch (header.path("t").asText()) {
      case "retry":
        retried(header, payload);
        return;
      case "gone":
        gone(header.path("from").asText(""), id);
        return;
      case "cancel":
        endpoint.cancelParked(header.path("parked").asText(""), header.path("caller").asText(null), header.path("reason").asText(""));
        return;
      default:
        break;
    }
    Forward forward = forwards.get(id);
    if (forward == null || !forward.holder.equals(header.path("from").asText())) {
      return;
    }
    forward.heard();
    switch (header.path("t").asText()) {
      case "response":
        if (forward.finish()) {
          GatewayResponse response = GatewayResponse.json(header.path("status").asInt(200), payload);
          forward.response.complete(withHeaders(response, header.path("headers")));
        }
        break;
      case "stream":
        forward.response.complete(withHeaders(GatewayResponse.stream(header.path("status").asInt(200), forward.stream),
            header.path("headers")));
        break;
      case "events":
        forward.stream.write(payload);
        break;
      case "end":
        if (forward.finish()) {
          forward.stream.close();
        }
        break;
      default:
        break; // ack, alive
    }
  }

  private static GatewayResponse withHeaders(GatewayResponse response, JsonNode headers) {
    for (Map.Entry<String, JsonNode> header : headers.properties()) {
      if (!OWN_HEADERS.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
        response = response.withHeader(header.getKey(), header.getValue().asText());
      }
    }
    return response;
  }

  /** Stops listening; retries sent on get the error of a holder that cannot be reached, retries taken here end their relay. */
  @Override
  public void close() {
    closed = true;
    subscription.close();
    own.close();
    for (Forward forward : List.copyOf(forwards.values())) {
      forward.fail("the replica the client reached is closing");
    }
    for (Tunnel tunnel : List.copyOf(tunnels.values())) {
      tunnel.finish();
      EventStream stream = tunnel.stream;
      if (stream != null) {
        stream.cancel();
      }
    }
  }

  /** For logs. */
  @Override
  public String toString() {
    return "StatelessRelay[" + node + ", " + forwards.size() + " forwarded, " + tunnels.size() + " held]";
  }

  /** One SSE event without an id. */
  private static byte[] event(byte[] json) {
    byte[] data = "data: ".getBytes(StandardCharsets.US_ASCII);
    byte[] event = new byte[data.length + json.length + 2];
    System.arraycopy(data, 0, event, 0, data.length);
    System.arraycopy(json, 0, event, data.length, json.length);
    event[event.length - 2] = '\n';
    event[event.length - 1] = '\n';
    return event;
  }
}
