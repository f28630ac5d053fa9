package dev.mcpgateway.internal.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.internal.connection.BackendCall;
import dev.mcpgateway.internal.connection.BackendUnavailableException;
import dev.mcpgateway.internal.connection.LogLevel;
import dev.mcpgateway.internal.connection.SessionChannel;
import dev.mcpgateway.internal.intercept.InterceptorChain;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.session.LiveSession;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of one call of a stateless client to a session-based backend, across its
 * rounds: the bridge between server-to-client requests and multi-round-trip requests.
 *
 * <p>While the call runs, the backend's {@code elicitation/create}, {@code sampling/createMessage}
 * and {@code roots/list} are collected; when the backend has sent what it sends at once (a burst:
 * nothing more within {@link #BURST_MILLIS}), the client's HTTP request is answered with an
 * {@code input_required} result holding one input request per request still waiting, and the call
 * is parked. The retry names it through its {@code requestState}; its {@code inputResponses}
 * become the answers the backend waits for, and the retry's HTTP request takes the call's next
 * burst or its result. Progress goes on the current request's stream, log messages only when its
 * {@code _meta} asked for a level.
 */
final class BridgeExchange implements BackendCall.Client {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeExchange.class);
  /** How long the gateway waits for a backend's further requests of one burst. */
  static final long BURST_MILLIS = 15;
  /** The server requests that become input requests. */
  static final Set<String> INPUT_METHODS = Set.of("elicitation/create", "sampling/createMessage", "roots/list");

  /** A server request waiting for the client's input. */
  record Waiting(String key, long clientId, String method, JsonNode params) {}

  final String parkedId;
  final String method;
  final String digest;
  final String callerKey;
  final String server;
  final boolean mrtr;
  /** The backend speaks the stateless revision: its answers, input_required among them, pass through. */
  final boolean nativeRelay;
  private final LiveSession session;
  private final ObjectNode capabilities;
  private final JsonNode serverInfo;
  private final JsonNode params;
  private final StatelessEndpoint endpoint;
  // guarded by this
  private Leg leg;
  /** The chain's view of the current leg's request; null when the chain is empty. */
  private InterceptorChain.Call legCall;
  private final Map<String, Waiting> waiting = new LinkedHashMap<>();
  private JsonNode preAnswers;
  private ScheduledFuture<?> flush;
  private int round;
  private boolean ended;
  private boolean released;
  /** The gateway ended the parked call (a refused state, expiry, close): its answer goes to nobody. */
  private boolean cancelled;
  /** The call's answer that came while it waited for its client's retry: the retry gets it. */
  private byte[] held;
  /** The HTTP status of {@link #held} when the gateway made it (else 0: the backend's answer). */
  private int heldStatus;
  private long expiresAtMillis;

  BridgeExchange(StatelessEndpoint endpoint, String parkedId, LiveSession session, ObjectNode capabilities, JsonNode serverInfo,
      String method, JsonNode params, String digest, boolean mrtr, boolean nativeRelay, Leg first, JsonNode preAnswers) {
    this.nativeRelay = nativeRelay;
    this.endpoint = endpoint;
    this.parkedId = parkedId;
    this.session = session;
    this.capabilities = capabilities;
    this.serverInfo = serverInfo;
    this.method = method;
    this.params = params;
    this.digest = digest;
    this.mrtr = mrtr;
    this.callerKey = session.identity().sessionKey();
    this.server = session.server();
    this.leg = first;
    this.preAnswers = preAnswers;
    first.onDisconnect(this::clientGone);
  }

  LiveSession session() {
    return session;
  }

  /** The call in flight; null once it ended. */
  private BackendCall call() {
    return session.inFlight(callIdJson);
  }

  private String callIdJson;

  /** The call started for the first leg, whose request the chain saw as {@code intercepted}. */
  void started(JsonNode id, InterceptorChain.Call intercepted) {
    synchronized (this) {
      this.legCall = intercepted;
    }
    this.callIdJson = Json.idText(id);
  }

  synchronized int round() {
    return round;
  }

  synchronized boolean isParked() {
    return leg == null && !ended;
  }

  synchronized long expiresAtMillis() {
    return expiresAtMillis;
  }

  @Override
  public boolean related(byte[] json) {
    ObjectNode message;
    try {
      message = (ObjectNode) Json.parse(json);
    } catch (IOException | ClassCastException e) {
      return false;
    }
    String m = message.path("method").asText();
    if (message.has("id")) {
      return serverRequest(message, m);
    }
    Leg current;
    synchronized (this) {
      current = leg;
    }
    if ("notifications/cancelled".equals(m)) {
      JsonNode requestId = message.path("params").get("requestId");
      synchronized (this) {
        waiting.values().removeIf(w -> requestId != null && requestId.canConvertToLong() && w.clientId() == requestId.asLong());
      }
      return true;
    }
    if (current == null) {
      return false;
    }
    if ("notifications/progress".equals(m)) {
      if (current.progressToken == null) {
        return false;
      }
      ((ObjectNode) message.get("params")).set("progressToken", current.progressToken);
      return current.notify(Json.bytes(message));
    }
    if ("notifications/message".equals(m)) {
      LogLevel level = LogLevel.of(message.path("params").path("level").asText(null));
      if (current.logLevel == null || (level != null && !level.passes(current.logLevel))) {
        return true; // not asked for: dropped on purpose
      }
      return current.notify(json);
    }
    return current.notify(json);
  }

  private boolean serverRequest(ObjectNode message, String m) {
    JsonNode id = message.get("id");
    if (!mrtr || !INPUT_METHODS.contains(m) || !id.canConvertToLong()) {
      return false; // the router answers the backend with an error
    }
    long clientId = id.asLong();
    SessionChannel.ServerRequest request = session.serverRequest(clientId);
    if (request == null) {
      return false;
    }
    JsonNode backendId = request.backendId();
    JsonNode answer = null;
    synchronized (this) {
      if (ended) {
        return false;
      }
      String key = backendId.isTextual() && !backendId.asText().isEmpty() && !waiting.containsKey(backendId.asText())
          ? backendId.asText() : "input-" + clientId;
      if (preAnswers != null && preAnswers.get(key) != null && preAnswers.get(key).isObject()) {
        answer = preAnswers.get(key);
      } else {
        waiting.put(key, new Waiting(key, clientId, m, message.get("params")));
        if (flush == null && leg != null) {
          flush = endpoint.scheduler().schedule(this::flush, BURST_MILLIS, TimeUnit.MILLISECONDS);
        }
      }
    }
    if (answer != null) {
      answerBackend(clientId, answer);
    }
    return true;
  }

  /** Answers the client's current request with the input requests still waiting, and parks the call. */
  void flush() {
    Leg current;
    byte[] json;
    synchronized (this) {
      flush = null;
      if (ended || leg == null || waiting.isEmpty()) {
        return;
      }
      current = leg;
      leg = null;
      preAnswers = null;
      round++;
      expiresAtMillis = endpoint.stateExpiry();
      ObjectNode response = Json.object();
      response.put("jsonrpc", "2.0");
      response.set("id", current.id);
      ObjectNode result = response.putObject("result");
      result.put("resultType", "input_required");
      ObjectNode requests = result.putObject("inputRequests");
      for (Waiting w : waiting.values()) {
        ObjectNode request = requests.putObject(w.key());
        request.put("method", w.method());
        if (w.params() != null) {
          request.set("params", w.params());
        }
      }
      result.put("requestState", endpoint.seal(this, round, expiresAtMillis));
      if (serverInfo != null && serverInfo.isObject()) {
        result.putObject("_meta").set(StatelessRequest.META_SERVER_INFO, serverInfo);
      }
      // the answer phase sees the input requests as it sees any answer: redaction, audit
      response = endpoint.answerPhase(legCall, response, current.id);
      json = Json.bytes(response);
    }
    endpoint.parked(this);
    current.answer(200, json);
  }

  /**
   * The retry of a parked call: its {@code inputResponses} (checked already: an object of
   * objects, or absent) answer the requests waiting; extra keys are ignored. Returns false when
   * the call is not parked any more (it ended, or another retry took it).
   */
  boolean resume(Leg next, InterceptorChain.Call nextCall, JsonNode responses) {
    Map<Long, JsonNode> answers = new LinkedHashMap<>();
    byte[] answered = null;
    int answeredStatus = 0;
    synchronized (this) {
      if (ended || leg != null) {
        return false;
      }
      if (held != null) {
        // the call finished while it waited: the retry gets its answer, the input is not needed any more
        leg = next;
        legCall = nextCall;
        answered = held;
        answeredStatus = heldStatus;
        held = null;
      }
    }
    if (answered != null) {
      endpoint.unparked(this);
      deliver(answered, answeredStatus);
      return true;
    }
    synchronized (this) {
      if (ended || leg != null) {
        return false;
      }
      if (responses != null) {
        for (Waiting w : Map.copyOf(waiting).values()) {
          JsonNode answer = responses.get(w.key());
          if (answer != null) {
            answers.put(w.clientId(), answer);
            waiting.remove(w.key());
          }
        }
      }
      leg = next;
      legCall = nextCall;
      next.onDisconnect(this::clientGone);
    }
    endpoint.unparked(this);
    answers.forEach(this::answerBackend);
    synchronized (this) {
      if (!waiting.isEmpty() && flush == null) {
        // what the retry left unanswered is asked again at once
        flush = endpoint.scheduler().schedule(this::flush, 0, TimeUnit.MILLISECONDS);
      }
    }
    return true;
  }

  private void answerBackend(long clientId, JsonNode result) {
    SessionChannel.ServerRequest request = session.takeServerRequest(com.fasterxml.jackson.databind.node.LongNode.valueOf(clientId));
    if (request == null) {
      return; // the backend withdrew it, or it ended
    }
    dev.mcpgateway.internal.intercept.Tracer.end(request.span(), dev.mcpgateway.trace.TraceOutcome.success()); // the client's input
    ObjectNode response = Json.object();
    response.put("jsonrpc", "2.0");
    response.set("id", request.backendId());
    response.set("result", result);
    try {
      request.connection().send(response);
    } catch (IOException e) {
      LOG.debug("Could not answer a request of server '{}': {}", server, e.getMessage());
    }
  }

  /** Ends a parked call whose state was refused, or that waited too long: the backend hears {@code notifications/cancelled}. */
  void cancel(String reason) {
    BackendCall call = call();
    boolean discard;
    synchronized (this) {
      if (ended) {
        return;
      }
      cancelled = true;
      discard = held != null;
      held = null;
    }
    if (discard) {
      end();
      release();
    } else if (call != null) {
      call.cancel(reason);
    }
  }

  /** Keeps an answer that came while the call waits for its client's retry; false when the call does not wait. */
  private synchronized boolean hold(byte[] json, int status) {
    if (ended || cancelled || leg != null || round == 0 || held != null) {
      return false;
    }
    held = json;
    heldStatus = status;
    waiting.clear();
    if (flush != null) {
      flush.cancel(false);
      flush = null;
    }
    return true;
  }

  private void clientGone() {
    BackendCall call = call();
    if (call != null) {
      call.cancel("the client closed the request's stream");
    }
  }

  @Override
  public void answer(byte[] json) {
    if (!hold(json, 0)) {
      deliver(json, 0);
    }
  }

  /** Ends the call with {@code json}: the backend's answer (status 0), or the gateway's error with its HTTP status. */
  private void deliver(byte[] json, int status) {
    InterceptorChain.Call call;
    synchronized (this) {
      call = legCall;
    }
    Leg current = end();
    if (current != null && status != 0) {
      ObjectNode error = StatelessResults.parse(json);
      if (error != null) {
        error.set("id", current.id);
        json = Json.bytes(error);
      }
      current.answer(status, json);
    } else if (current != null) {
      ObjectNode message = StatelessResults.parse(json);
      StatelessResults.Answer answer;
      if (message == null) {
        answer = StatelessResults.complete(json, current.id, method, params, serverInfo, null);
      } else {
        message = endpoint.answerPhase(call, message, current.id);
        answer = StatelessResults.complete(message, current.id, method, params, serverInfo,
            nativeRelay ? inner -> endpoint.sealRelayed(this, inner) : null);
      }
      current.answer(answer.status(), answer.json());
    }
    if ("tools/list".equals(method)) {
      try {
        endpoint.listed(this, Json.parse(json).path("result"));
      } catch (IOException e) {
        // not JSON: nothing to learn
      }
    }
    release();
  }

  @Override
  public void unavailable(BackendUnavailableException e, byte[] json) {
    if (hold(json, 0)) {
      return;
    }
    Leg current = end();
    if (current != null) {
      ObjectNode error;
      try {
        error = (ObjectNode) Json.parse(json);
        error.set("id", current.id);
      } catch (IOException | ClassCastException x) {
        error = Json.rpcError(current.id, e.jsonRpcCode(), e.getMessage());
      }
      current.unavailable(e, Json.bytes(error));
    }
    release();
  }

  @Override
  public boolean capabilityMissing(String capability) {
    ObjectNode data = Json.object();
    data.putObject("requiredCapabilities").putObject(capability);
    byte[] error = Json.bytes(errorWithData(null, StatelessRequest.MISSING_CAPABILITY,
        "Missing required client capability: server '" + server + "' needs '" + capability
            + "', which the request did not declare in _meta", data));
    if (!hold(error, 400)) {
      deliver(error, 400);
    }
    return true;
  }

  private Leg end() {
    ScheduledFuture<?> f;
    Leg current;
    synchronized (this) {
      if (ended) {
        return null;
      }
      ended = true;
      current = leg;
      leg = null;
      f = flush;
      flush = null;
      waiting.clear();
    }
    if (f != null) {
      f.cancel(false);
    }
    endpoint.unparked(this);
    return current;
  }

  private void release() {
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
    }
    endpoint.release(session, capabilities);
  }

  static ObjectNode errorWithData(JsonNode id, int code, String message, JsonNode data) {
    ObjectNode error = Json.rpcError(id, code, message);
    ((ObjectNode) error.get("error")).set("data", data);
    return error;
  }
}
