package dev.mcpgateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request of the gateway to a {@link StatelessHttpBackend}, across its rounds.
 *
 * <p>Translated (a session-based client's request): sent with the revision's {@code _meta}; an
 * {@code input_required} result becomes one server-to-client request per input request, with
 * the input's key as id, and once the gateway answered them all the request is sent again (a new
 * id) with the {@code inputResponses} and the server's {@code requestState}, until the server
 * completes it; the answer goes to the listener under the gateway's id. Native (the request
 * carries its own {@code _meta} protocol version): sent and answered as it is.
 *
 * <p>Only the first round is sent under the gateway's id, so only its answer may pass a large
 * message through the listener's sink unchanged; a later round's answer is gathered (up to the
 * message limit) to have the gateway's id set.
 */
final class RoundTripExchange {
  private static final Logger LOG = LoggerFactory.getLogger(RoundTripExchange.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The most rounds one request may take before the gateway gives up on a server that keeps asking. */
  static final int MAX_ROUNDS = 16;

  final JsonNode gatewayId;
  /** The gateway's id as JSON text: what {@code notifications/cancelled} names it by. */
  final String key;
  private final StatelessHttpBackend backend;
  private final String server;
  private final String method;
  private final ObjectNode message;
  private final boolean translated;
  // guarded by this
  private int round;
  private String requestState;
  private ObjectNode inputResponses;
  /** The server requests of the current round still unanswered: id to (key, method). */
  private final Map<String, String[]> asked = new LinkedHashMap<>();
  private volatile boolean cancelled;
  private volatile Post current;

  RoundTripExchange(StatelessHttpBackend backend, ObjectNode message, boolean translated) {
    this.backend = backend;
    this.server = backend.server();
    this.message = message;
    this.gatewayId = message.get("id");
    this.key = gatewayId.toString();
    this.method = message.get("method").asText();
    this.translated = translated;
  }

  /** One round's POST and what came of it; what arrives for a POST that is no longer current is dropped. */
  private final class Post {
    final JsonNode id;
    volatile boolean answered;
    volatile boolean headersReceived;
    volatile SseEventSubscriber stream;
    volatile CompletableFuture<?> http;

    Post(JsonNode id) {
      this.id = id;
    }

    boolean live() {
      return current == this && !cancelled && backend.isAlive();
    }

    /** Whether a peeked response answers this POST. */
    boolean answeredBy(JsonRpcPeek peek) {
      String expected = id.isNumber() ? "n:" + id.asText() : id.isTextual() ? "s:" + id.asText() : null;
      return peek.response() && expected != null && expected.equals(peek.id());
    }
  }

  /** Sends the next round's POST: the first, or a retry with what the gateway answered. */
  void post() {
    Post post;
    ObjectNode body;
    JsonNode params;
    String version;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      round++;
      if (!translated) {
        post = new Post(gatewayId);
        body = message;
        params = message.get("params");
        version = params.path("_meta").path(StatelessHttpBackend.META_VERSION).asText(StatelessHttpBackend.VERSION);
      } else {
        post = new Post(round == 1 ? gatewayId : TextNode.valueOf(key + "#" + round));
        body = roundMessage(post.id);
        params = body.get("params");
        version = StatelessHttpBackend.VERSION;
      }
      current = post;
    }
    CompletableFuture<?> http = backend.track(backend.client().sendAsync(backend.post(body, method, params, version), info -> {
      post.headersReceived = true;
      return onHeaders(post, info);
    }));
    post.http = http;
    http.whenComplete((r, failure) -> {
      if (failure != null && !post.headersReceived && post.live()) {
        failed(failure);
      }
    });
  }

  /** The message of a round: the gateway's, with the revision's {@code _meta} and what earlier rounds brought. */
  private ObjectNode roundMessage(JsonNode id) {
    ObjectNode body = message.deepCopy();
    body.set("id", id);
    JsonNode given = body.get("params");
    ObjectNode params = given != null && given.isObject() ? (ObjectNode) given : body.putObject("params");
    JsonNode givenMeta = params.get("_meta");
    backend.addRequestMeta(givenMeta != null && givenMeta.isObject() ? (ObjectNode) givenMeta : params.putObject("_meta"));
    if (inputResponses != null) {
      params.set("inputResponses", inputResponses);
    }
    if (requestState != null) {
      params.put("requestState", requestState);
    }
    return body;
  }

  private BodySubscriber<Void> onHeaders(Post post, HttpResponse.ResponseInfo info) {
    int status = info.statusCode();
    int maxBytes = backend.maxMessageBytes();
    if (!post.live()) {
      return BodySubscribers.replacing(null);
    }
    if (status / 100 != 2) {
      return new JsonBodySubscriber(Long.MAX_VALUE, maxBytes, () -> null, body -> refused(post, status, body),
          () -> refused(post, status, new byte[0]));
    }
    // Past the streaming size an answer passes to the listener as it is: only one under the gateway's own id can.
    long over = post.id.equals(gatewayId) ? backend.streamOver() : Long.MAX_VALUE;
    String type = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
    if (type.startsWith("text/event-stream")) {
      SseEventSubscriber events = new SseEventSubscriber("server '" + server + "'", maxBytes, new SseEventSubscriber.Handler() {
        @Override
        public void onEvent(SseEventSubscriber.Event event) {
          onStreamMessage(post, event.data().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void onEnd(Throwable failure) {
          backend.closed(post.stream);
          if (post.answered || !post.live()) {
            return;
          }
          if (failure != null && HttpBackend.isConnectFailure(failure)) {
            backend.end(backend.unreachable(failure), true);
            return;
          }
          fail("server '" + server + "' ended its stream before answering" + (failure == null ? "" : ": "
              + HttpBackend.describe(failure)));
        }

        @Override
        public void onStreamedEvent() {
          complete(post); // a message too large to gather on the stream of this POST: its answer, under the gateway's id
        }
      });
      post.stream = events;
      backend.opened(events);
      if (!post.live()) {
        events.cancel();
      }
      return new SseBodySubscriber(events, over, maxBytes, backend::openSink);
    }
    if (status == 202 || status == 204 || info.headers().firstValueAsLong("content-length").orElse(-1) == 0) {
      fail("server '" + server + "' answered " + method + " without a result (HTTP " + status + ")");
      return BodySubscribers.replacing(null);
    }
    return new JsonBodySubscriber(over, maxBytes, () -> {
      complete(post);
      return backend.openSink();
    }, body -> onAnswer(post, body), () -> {
      LOG.warn("Discarded a response from server '{}': over the limit of {} bytes", server, maxBytes);
      fail("server '" + server + "' answered with more than " + maxBytes + " bytes");
    });
  }

  /** An event on the answer's stream: its answer, or a notification about the request (progress, log). */
  private void onStreamMessage(Post post, byte[] bytes) {
    if (!post.live()) {
      return;
    }
    JsonRpcPeek peek = JsonRpcPeek.of(bytes);
    if (post.answeredBy(peek)) {
      onAnswer(post, bytes);
    } else if (peek.method() != null && peek.id() == null) {
      backend.deliver(bytes);
    } else {
      LOG.debug("Server '{}': dropped a message on the stream of {} that is neither its answer nor a notification", server, method);
    }
  }

  /** The server's answer to a POST, gathered. */
  private void onAnswer(Post post, byte[] bytes) {
    if (!post.live()) {
      return;
    }
    post.answered = true;
    if ("tools/list".equals(method)) {
      backend.learnTools(bytes);
    }
    if (!translated || (post.id.equals(gatewayId) && !contains(bytes, "input_required"))) {
      complete(post);
      backend.deliver(bytes);
      return;
    }
    JsonNode node = StatelessHttpBackend.readTree(bytes);
    if (node == null || !node.isObject()) {
      fail("server '" + server + "' answered with something that is not JSON");
      return;
    }
    ObjectNode answer = (ObjectNode) node;
    JsonNode result = answer.get("result");
    if (result != null && "input_required".equals(result.path("resultType").asText())) {
      inputRequired((ObjectNode) result);
      return;
    }
    answer.set("id", gatewayId);
    complete(post);
    backend.deliver(StatelessHttpBackend.bytes(answer));
  }

  /** An HTTP error status: the JSON-RPC error in its body when there is one for this POST, else one that names the status. */
  private void refused(Post post, int status, byte[] body) {
    if (!post.live()) {
      return;
    }
    JsonRpcPeek peek = body.length == 0 ? JsonRpcPeek.NOT_JSON_RPC : JsonRpcPeek.of(body);
    if (post.answeredBy(peek)) {
      onAnswer(post, body);
      return;
    }
    fail("server '" + server + "' answered HTTP " + status);
  }

  /** The server needs input: one server-to-client request per input request; the retry once all are answered. */
  private void inputRequired(ObjectNode result) {
    List<ObjectNode> requests = new ArrayList<>();
    String refusal = null;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      JsonNode state = result.get("requestState");
      requestState = state != null && state.isTextual() ? state.asText() : null;
      inputResponses = NODES.objectNode();
      for (Map.Entry<String, JsonNode> entry : result.path("inputRequests").properties()) {
        JsonNode request = entry.getValue();
        if (!request.path("method").isTextual()) {
          refusal = "server '" + server + "' asked for input '" + entry.getKey() + "' without a method";
          break;
        }
        ObjectNode serverRequest = NODES.objectNode();
        serverRequest.put("jsonrpc", "2.0");
        serverRequest.put("id", entry.getKey()); // the id is made unique below, once the request is known to be whole
        serverRequest.set("method", request.get("method"));
        if (request.has("params")) {
          serverRequest.set("params", request.get("params"));
        }
        requests.add(serverRequest);
      }
      if (refusal == null && round >= MAX_ROUNDS) {
        refusal = "server '" + server + "' still asked for input after " + MAX_ROUNDS + " rounds of " + method;
      }
      if (refusal == null && requests.isEmpty() && requestState == null) {
        refusal = "server '" + server + "' asked for input without saying for what (no inputRequests, no requestState)";
      }
      for (int i = 0; refusal == null && i < requests.size(); i++) {
        ObjectNode request = requests.get(i);
        String inputKey = request.get("id").asText();
        String id = backend.inputId(inputKey, this);
        asked.put(id, new String[] {inputKey, request.get("method").asText()});
        request.put("id", id);
      }
    }
    if (refusal != null) {
      fail(refusal);
    } else if (requests.isEmpty()) {
      post(); // only a requestState: the retry may go at once
    } else {
      for (ObjectNode request : requests) {
        backend.deliver(StatelessHttpBackend.bytes(request)); // never under this lock: the answer may come back on this thread
      }
    }
  }

  /** The gateway's answer to server request {@code id}: a result is the input response, an error declines. */
  void inputAnswered(String id, ObjectNode response) {
    boolean retry;
    synchronized (this) {
      String[] input = asked.remove(id);
      if (input == null || cancelled) {
        return;
      }
      JsonNode result = response.get("result");
      if (result != null) {
        inputResponses.set(input[0], result);
      } else if ("elicitation/create".equals(input[1])) {
        inputResponses.set(input[0], NODES.objectNode().put("action", "decline"));
      }
      // a refused sampling or roots request is left out: the server asks again or does without
      retry = asked.isEmpty();
    }
    if (retry) {
      post();
    }
  }

  /** The request is answered (or its answer is on its way to the listener). */
  private void complete(Post post) {
    post.answered = true;
    backend.finished(this);
  }

  private void fail(String text) {
    Post post = current;
    if (post != null) {
      post.answered = true;
    }
    backend.finished(this);
    withdrawInputs("the request failed");
    backend.deliverError(gatewayId, text);
  }

  private void failed(Throwable failure) {
    if (HttpBackend.isConnectFailure(failure)) {
      backend.end(backend.unreachable(failure), true);
      return;
    }
    fail("server '" + server + "' could not be asked: " + HttpBackend.describe(failure));
  }

  /** The gateway cancelled the request: its exchange closes (the revision's cancellation), its inputs are withdrawn. */
  void cancel() {
    cancelled = true;
    abort();
    withdrawInputs("the request was cancelled");
  }

  /** Closes the current POST's exchange and stream, without a word to the listener (the backend is ending). */
  void abort() {
    cancelled = true;
    Post post = current;
    if (post == null) {
      return;
    }
    SseEventSubscriber events = post.stream;
    if (events != null) {
      events.cancel();
      backend.closed(events);
    }
    CompletableFuture<?> http = post.http;
    if (http != null) {
      http.cancel(true);
    }
  }

  /** Tells the gateway that the server requests still waiting for this request are void. */
  private void withdrawInputs(String reason) {
    List<String> ids;
    synchronized (this) {
      ids = new ArrayList<>(asked.keySet());
      asked.clear();
    }
    for (String id : ids) {
      backend.forgetInput(id, this);
      ObjectNode cancelled = NODES.objectNode();
      cancelled.put("jsonrpc", "2.0");
      cancelled.put("method", "notifications/cancelled");
      cancelled.putObject("params").put("requestId", id).put("reason", reason);
      backend.deliver(StatelessHttpBackend.bytes(cancelled));
    }
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
