package dev.mcpgateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote MCP server of the stateless revision 2026-07-28 over Streamable HTTP, spoken to
 * through the session-based channel the gateway uses with every backend; see
 * {@link HttpBackendLauncher}, which picks it for servers that answer {@code server/discover}.
 *
 * <p>The gateway's messages are translated:
 * <ul>
 *   <li>{@code initialize} is answered here from the server's {@code server/discover} result; its
 *       {@code capabilities} and {@code clientInfo} become the {@code _meta} of every request sent
 *       on. {@code notifications/initialized} is dropped, {@code ping} answered here,
 *       {@code logging/setLevel} remembered and sent as each request's {@code _meta} log level.</li>
 *   <li>{@code resources/subscribe} and {@code unsubscribe} change the filter of a
 *       {@code subscriptions/listen} stream kept open to the server (open from the start when the
 *       server announces list changes); they are answered once the server acknowledged the new
 *       filter. What the stream carries reaches the listener without its subscription id.</li>
 *   <li>Any other request is POSTed with the revision's {@code _meta} and headers. A result of
 *       type {@code input_required} becomes one server-to-client request per input request, with
 *       the input request's key as id; once the gateway answered all of them (an error answer
 *       declines), the request is sent again with the {@code inputResponses} and the server's
 *       {@code requestState}, until the server completes it. {@code notifications/cancelled}
 *       closes the request's HTTP exchange, which is how this revision cancels.</li>
 *   <li>A request that already carries {@code _meta["io.modelcontextprotocol/protocolVersion"]}
 *       (a stateless client's, relayed as it is) is POSTed unchanged, and the server's answer,
 *       {@code input_required} included, goes back unchanged.</li>
 * </ul>
 *
 * <p>Answers go to the listener as they arrive; one past the listener's streaming size passes
 * through its sink without being gathered (except for a repeated round of a multi-round-trip
 * request, whose answer needs the gateway's id set). Header values are secrets and never logged.
 */
final class StatelessHttpBackend implements Backend {
  static final String VERSION = "2026-07-28";
  static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
  static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
  static final String META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";
  static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";
  static final String META_SUBSCRIPTION = "io.modelcontextprotocol/subscriptionId";
  private static final Logger LOG = LoggerFactory.getLogger(StatelessHttpBackend.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The methods whose {@code Mcp-Name} header mirrors a field of the params, and that field. */
  private static final Map<String, String> NAMED = Map.of("tools/call", "name", "prompts/get", "name", "resources/read", "uri");
  /** The most rounds one request may take before the gateway gives up on a server that keeps asking. */
  static final int MAX_ROUNDS = 16;
  private static final int MAX_LISTEN_RETRIES = 5;
  private static final long ACKNOWLEDGE_WAIT_SECONDS = 10;

  private final String server;
  private final URI url;
  private final Map<String, String> headers;
  private final HttpClient client;
  private final Executor executor;
  private final BackendListener listener;
  private final int maxMessageBytes;
  private final long streamOver;
  private final Runnable forgetEra;
  private final Logger serverLog;
  private final Object deliverLock = new Object();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicLong postIds = new AtomicLong();
  /** The gateway's requests in flight, by their id as JSON text. */
  private final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();
  /** The server-to-client requests handed to the listener and not yet answered, by their id. */
  private final Map<String, Exchange> inputs = new ConcurrentHashMap<>();
  private final Set<SseEventSubscriber> streams = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<?>> posts = ConcurrentHashMap.newKeySet();
  private volatile ObjectNode discovered;
  private volatile ObjectNode clientCapabilities = NODES.objectNode();
  private volatile ObjectNode clientInfo = gatewayInfo();
  private volatile String logLevel;
  private final Object listenLock = new Object();
  /** The server's capabilities, once discovered; guarded by listenLock. */
  private ObjectNode capabilities;
  /** The resources the gateway subscribed to; guarded by listenLock. */
  private final Set<String> subscribed = new LinkedHashSet<>();
  /** The current listen stream; null when none is needed; guarded by listenLock. */
  private Listen listen;
  private final AtomicInteger listenRetries = new AtomicInteger();

  /**
   * @param discovered the server's {@code server/discover} result from the probe, used for the
   *     first {@code initialize}; null to ask the server then
   * @param forgetEra called when the server no longer answers as a 2026-07-28 server, so that the
   *     next launch probes it again
   */
  StatelessHttpBackend(String server, URI url, Map<String, String> headers, HttpClient client, Executor executor,
      BackendListener listener, int maxMessageBytes, ObjectNode discovered, Runnable forgetEra) {
    this.server = server;
    this.url = url;
    this.headers = Map.copyOf(headers);
    this.client = client;
    this.executor = executor;
    this.listener = listener;
    this.maxMessageBytes = maxMessageBytes;
    this.streamOver = listener.streamMessagesOverBytes();
    this.discovered = discovered;
    this.forgetEra = forgetEra;
    this.serverLog = LoggerFactory.getLogger("dev.mcpgateway.server." + server);
  }

  // ---------------------------------------------------------------------------------------------
  // The era probe

  /** What a {@code server/discover} POST said of a server. */
  enum Era {
    /** It answered as a server of revision 2026-07-28. */
    STATELESS,
    /** It answered, but not as one: a session-based server (or one of another stateless revision). */
    SESSION_BASED,
    /** No telling now (unreachable, timed out, 5xx, 401...): try the session-based way, ask again next time. */
    UNKNOWN
  }

  /** The outcome of a probe: the era, and for {@link Era#STATELESS} the discover result. */
  record Discovery(Era era, ObjectNode result) {}

  /** A {@code server/discover} request of revision 2026-07-28, declaring {@code capabilities} and {@code info}. */
  static ObjectNode discoverRequest(Object id, ObjectNode capabilities, ObjectNode info) {
    ObjectNode request = NODES.objectNode();
    request.put("jsonrpc", "2.0");
    request.set("id", JSON.valueToTree(id));
    request.put("method", "server/discover");
    ObjectNode meta = request.putObject("params").putObject("_meta");
    meta.put(META_VERSION, VERSION);
    meta.set(META_CAPABILITIES, capabilities);
    meta.set(META_CLIENT_INFO, info);
    return request;
  }

  /**
   * Asks {@code url} for {@code server/discover} (blocking, within {@code timeout}) and tells its
   * era: a result whose {@code supportedVersions} holds 2026-07-28 is {@link Era#STATELESS}; an
   * answer of another kind (400 without a modern error, 404, 405, an initialize-era error or
   * result) is {@link Era#SESSION_BASED}; no answer, or one that may change (5xx, 401, 403, 429,
   * a redirect), is {@link Era#UNKNOWN}. Never throws.
   */
  static Discovery probe(HttpClient client, URI url, Map<String, String> headers, Duration timeout, int maxBytes) {
    ObjectNode request = discoverRequest("discover", NODES.objectNode(), gatewayInfo());
    HttpRequest.Builder post = HttpRequest.newBuilder(url).timeout(timeout);
    headers.forEach(post::header);
    post.setHeader("Content-Type", "application/json")
        .setHeader("Accept", "application/json, text/event-stream")
        .setHeader("MCP-Protocol-Version", VERSION)
        .setHeader("Mcp-Method", "server/discover")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(request)));
    CompletableFuture<Answer> asked = ask(client, post.build(), request.get("id"), maxBytes);
    try {
      Answer answer = asked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      int status = answer.status();
      if (status >= 500 || status == 401 || status == 403 || status == 407 || status == 408 || status == 429
          || status / 100 == 3 || status / 100 == 1) {
        return new Discovery(Era.UNKNOWN, null);
      }
      ObjectNode result = answer.result();
      return status / 100 == 2 && result != null && supports(result) ? new Discovery(Era.STATELESS, result)
          : new Discovery(Era.SESSION_BASED, null);
    } catch (ExecutionException | TimeoutException e) {
      asked.cancel(true);
      LOG.debug("Probing {} with server/discover failed: {}", describe(url),
          e instanceof TimeoutException ? "no answer within " + timeout.toMillis() + " ms" : HttpBackend.describe(e.getCause()));
      return new Discovery(Era.UNKNOWN, null);
    } catch (InterruptedException e) {
      asked.cancel(true);
      Thread.currentThread().interrupt();
      return new Discovery(Era.UNKNOWN, null);
    }
  }

  /** The HTTP status of an answer and the JSON-RPC message it carried for the request; null when none. */
  record Answer(int status, JsonNode message) {
    /** The message's result object; null for an error or no message. */
    ObjectNode result() {
      return message != null && message.path("result").isObject() ? (ObjectNode) message.get("result") : null;
    }
  }

  /**
   * POSTs a request whose answer is small (a JSON body, or the one event of an SSE stream that
   * answers it, after which the stream is closed), reading at most {@code maxBytes}. Cancelling
   * the future closes the exchange.
   */
  static CompletableFuture<Answer> ask(HttpClient client, HttpRequest post, JsonNode id, int maxBytes) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    AtomicInteger status = new AtomicInteger();
    CompletableFuture<?> http = client.sendAsync(post, info -> {
      status.set(info.statusCode());
      String type = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
      if (!type.startsWith("text/event-stream")) {
        return new JsonBodySubscriber(Long.MAX_VALUE, maxBytes, () -> null,
            body -> answer.complete(new Answer(status.get(), readTree(body))), () -> answer.complete(new Answer(status.get(), null)));
      }
      SseEventSubscriber[] events = new SseEventSubscriber[1];
      events[0] = new SseEventSubscriber("the answer to " + id, maxBytes, new SseEventSubscriber.Handler() {
        @Override
        public void onEvent(SseEventSubscriber.Event event) {
          JsonNode message = readTree(event.data().getBytes(StandardCharsets.UTF_8));
          if (message != null && id.equals(message.get("id"))) {
            answer.complete(new Answer(status.get(), message));
            events[0].cancel();
          }
        }

        @Override
        public void onEnd(Throwable failure) {
          answer.complete(new Answer(status.get(), null));
        }
      });
      return new SseBodySubscriber(events[0], Long.MAX_VALUE, maxBytes, () -> null);
    });
    http.whenComplete((r, failure) -> {
      if (failure != null) {
        answer.completeExceptionally(failure);
      } else {
        answer.complete(new Answer(status.get(), null));
      }
    });
    answer.whenComplete((r, failure) -> {
      if (failure instanceof CancellationException) {
        http.cancel(true);
      }
    });
    return answer;
  }

  private static boolean supports(JsonNode discoverResult) {
    for (JsonNode version : discoverResult.path("supportedVersions")) {
      if (VERSION.equals(version.asText())) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode readTree(byte[] json) {
    try {
      return json.length == 0 ? null : JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }

  /** How the gateway names itself when no client's {@code clientInfo} is known yet. */
  private static ObjectNode gatewayInfo() {
    String version = StatelessHttpBackend.class.getPackage().getImplementationVersion();
    ObjectNode info = NODES.objectNode();
    info.put("name", "mcp-gateway");
    info.put("version", version == null ? "dev" : version);
    return info;
  }

  // ---------------------------------------------------------------------------------------------
  // What the gateway sends

  @Override
  public void send(byte[] message) throws IOException {
    if (closing.get() || ended.get()) {
      throw new IOException("server '" + server + "' is closed");
    }
    JsonNode node = readTree(message);
    if (node == null || !node.isObject()) {
      throw new IOException("server '" + server + "': not a JSON-RPC message");
    }
    ObjectNode msg = (ObjectNode) node;
    JsonNode method = msg.get("method");
    JsonNode id = msg.get("id");
    if (method == null || !method.isTextual()) {
      if (id != null && (msg.has("result") || msg.has("error"))) {
        answered(msg);
      }
      return;
    }
    if (id == null || id.isNull()) {
      notification(method.asText(), msg);
      return;
    }
    JsonNode params = msg.get("params");
    switch (method.asText()) {
      case "initialize":
        initialize(id, params);
        return;
      case "ping":
        answerLater(id, NODES.objectNode());
        return;
      case "logging/setLevel":
        JsonNode level = params == null ? null : params.get("level");
        if (level != null && level.isTextual()) {
          logLevel = level.asText();
        }
        answerLater(id, NODES.objectNode());
        return;
      case "resources/subscribe":
      case "resources/unsubscribe":
        subscription(id, method.asText(), params);
        return;
      default:
        Exchange exchange = new Exchange(msg, params == null || !params.path("_meta").has(META_VERSION));
        if (exchanges.putIfAbsent(exchange.key, exchange) != null) {
          executor.execute(() -> deliverError(id, "server '" + server + "' has a request with this id in flight already"));
          return;
        }
        exchange.post();
    }
  }

  private void notification(String method, ObjectNode message) {
    if ("notifications/cancelled".equals(method)) {
      JsonNode requestId = message.path("params").get("requestId");
      Exchange exchange = requestId == null ? null : exchanges.remove(requestId.toString());
      if (exchange != null) {
        exchange.cancel();
      }
      return;
    }
    // notifications/initialized and the rest: this revision has no client notifications over HTTP
    LOG.debug("Server '{}': dropped {}, which the 2026-07-28 revision does not take", server, method);
  }

  /** The initialize answer, from the discover result the probe had or a fresh one, once the listen stream is acknowledged. */
  private void initialize(JsonNode id, JsonNode params) {
    if (params != null && params.path("capabilities").isObject()) {
      clientCapabilities = (ObjectNode) params.get("capabilities").deepCopy();
    }
    if (params != null && params.path("clientInfo").isObject()) {
      clientInfo = (ObjectNode) params.get("clientInfo").deepCopy();
    }
    ObjectNode known = discovered;
    discovered = null; // a later initialize asks again
    CompletableFuture<ObjectNode> result = known != null ? CompletableFuture.completedFuture(known) : discover();
    result.thenCompose(discover -> {
      synchronized (listenLock) {
        capabilities = discover.path("capabilities").isObject() ? (ObjectNode) discover.get("capabilities") : NODES.objectNode();
      }
      return relisten().completeOnTimeout(null, ACKNOWLEDGE_WAIT_SECONDS, TimeUnit.SECONDS)
          .handle((ignored, failure) -> discover);
    }).whenCompleteAsync((discover, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (HttpBackend.isConnectFailure(cause)) {
          end(unreachable(cause), true);
        } else {
          deliverError(id, "server '" + server + "' could not be asked for server/discover: " + HttpBackend.describe(cause));
        }
        return;
      }
      ObjectNode answer = NODES.objectNode();
      answer.put("protocolVersion", VERSION);
      answer.set("capabilities", capabilitiesOf(discover));
      JsonNode info = discover.path("_meta").get(META_SERVER_INFO);
      if (info == null || !info.isObject()) {
        info = NODES.objectNode().put("name", server).put("version", "unknown");
      }
      answer.set("serverInfo", info);
      if (discover.path("instructions").isTextual()) {
        answer.set("instructions", discover.get("instructions"));
      }
      deliver(bytes(response(id, answer)));
    }, executor);
  }

  private static ObjectNode capabilitiesOf(ObjectNode discover) {
    JsonNode capabilities = discover.get("capabilities");
    return capabilities != null && capabilities.isObject() ? ((ObjectNode) capabilities).deepCopy() : NODES.objectNode();
  }

  /** Asks the server for {@code server/discover} now, with the gateway's client capabilities. */
  private CompletableFuture<ObjectNode> discover() {
    ObjectNode request = discoverRequest("discover-" + postIds.incrementAndGet(), clientCapabilities, clientInfo);
    return track(ask(client, post(request, "server/discover", null, VERSION), request.get("id"), maxMessageBytes)).thenApply(answer -> {
      ObjectNode result = answer.result();
      if (answer.status() / 100 != 2 || result == null || !supports(result)) {
        forgetEra.run();
        throw new IllegalStateException("it no longer answers server/discover as a " + VERSION + " server (HTTP "
            + answer.status() + ")");
      }
      return result;
    });
  }

  /** The gateway answered one of the server-to-client requests an {@code input_required} result turned into. */
  private void answered(ObjectNode response) {
    JsonNode id = response.get("id");
    Exchange exchange = inputs.remove(idKey(id));
    if (exchange == null) {
      LOG.debug("Server '{}': dropped an answer to {}, which no request is waiting for", server, id);
      return;
    }
    exchange.inputAnswered(idKey(id), response);
  }

  private static String idKey(JsonNode id) {
    return id == null ? "null" : id.isTextual() ? id.asText() : id.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  /** A POST of revision 2026-07-28: the configured headers, then the revision's. */
  private HttpRequest post(ObjectNode message, String method, JsonNode params, String version) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(url);
    headers.forEach(builder::header);
    builder.setHeader("Content-Type", "application/json")
        .setHeader("Accept", "application/json, text/event-stream")
        .setHeader("MCP-Protocol-Version", version)
        .setHeader("Mcp-Method", method);
    String field = NAMED.get(method);
    JsonNode name = field == null || params == null ? null : params.get(field);
    if (name != null && name.isValueNode()) {
      builder.setHeader("Mcp-Name", headerValue(name.asText()));
    }
    return builder.POST(HttpRequest.BodyPublishers.ofByteArray(bytes(message))).build();
  }

  /** A header value as the revision carries it: as it is when plain visible ASCII, else {@code =?base64?...?=}. */
  static String headerValue(String value) {
    boolean plain = !value.isEmpty() && value.charAt(0) != ' ' && value.charAt(value.length() - 1) != ' '
        && !(value.startsWith("=?base64?") && value.endsWith("?="));
    for (int i = 0; plain && i < value.length(); i++) {
      char c = value.charAt(i);
      plain = c >= 0x20 && c <= 0x7e;
    }
    return plain ? value : "=?base64?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
  }

  /**
   * One request of the gateway, across its rounds. Translated (a session-based client's request):
   * sent with the revision's {@code _meta}, its {@code input_required} results turned into
   * server-to-client requests and the request sent again with their answers. Native (it carries
   * its own {@code _meta} protocol version): sent and answered as it is.
   */
  private final class Exchange {
    final JsonNode gatewayId;
    final String key;
    final String method;
    final ObjectNode message;
    final boolean translated;
    // guarded by this
    private int round;
    private String requestState;
    private ObjectNode inputResponses;
    /** The server requests of the current round still unanswered: id to (key, method). */
    private final Map<String, String[]> asked = new LinkedHashMap<>();
    private volatile boolean cancelled;
    private volatile Post current;

    Exchange(ObjectNode message, boolean translated) {
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
        return current == this && !cancelled && !closing.get() && !ended.get();
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
          version = params.path("_meta").path(META_VERSION).asText(VERSION);
        } else {
          post = new Post(round == 1 ? gatewayId : TextNode.valueOf(key + "#" + round));
          body = roundMessage(post.id);
          params = body.get("params");
          version = VERSION;
        }
        current = post;
      }
      CompletableFuture<?> http = track(client.sendAsync(StatelessHttpBackend.this.post(body, method, params, version), info -> {
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
      ObjectNode meta = givenMeta != null && givenMeta.isObject() ? (ObjectNode) givenMeta : params.putObject("_meta");
      meta.put(META_VERSION, VERSION);
      meta.set(META_CAPABILITIES, clientCapabilities);
      meta.set(META_CLIENT_INFO, clientInfo);
      String level = logLevel;
      if (level != null) {
        meta.put(META_LOG_LEVEL, level);
      }
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
      if (!post.live()) {
        return BodySubscribers.replacing(null);
      }
      if (status / 100 != 2) {
        return new JsonBodySubscriber(Long.MAX_VALUE, maxMessageBytes, () -> null, body -> refused(post, status, body),
            () -> refused(post, status, new byte[0]));
      }
      // Past the streaming size an answer passes to the listener as it is: only one under the gateway's own id can.
      long over = post.id.equals(gatewayId) ? streamOver : Long.MAX_VALUE;
      String type = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
      if (type.startsWith("text/event-stream")) {
        SseEventSubscriber events = new SseEventSubscriber("server '" + server + "'", maxMessageBytes, new SseEventSubscriber.Handler() {
          @Override
          public void onEvent(SseEventSubscriber.Event event) {
            onStreamMessage(post, event.data().getBytes(StandardCharsets.UTF_8));
          }

          @Override
          public void onEnd(Throwable failure) {
            streams.remove(post.stream);
            if (post.answered || !post.live()) {
              return;
            }
            if (failure != null && HttpBackend.isConnectFailure(failure)) {
              end(unreachable(failure), true);
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
        streams.add(events);
        if (!post.live()) {
          events.cancel();
        }
        return new SseBodySubscriber(events, over, maxMessageBytes, StatelessHttpBackend.this::openSink);
      }
      if (status == 202 || status == 204 || info.headers().firstValueAsLong("content-length").orElse(-1) == 0) {
        fail("server '" + server + "' answered " + method + " without a result (HTTP " + status + ")");
        return BodySubscribers.replacing(null);
      }
      return new JsonBodySubscriber(over, maxMessageBytes, () -> {
        complete(post);
        return openSink();
      }, body -> onAnswer(post, body), () -> {
        LOG.warn("Discarded a response from server '{}': over the limit of {} bytes", server, maxMessageBytes);
        fail("server '" + server + "' answered with more than " + maxMessageBytes + " bytes");
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
        deliver(bytes);
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
      if (!translated || (post.id.equals(gatewayId) && !contains(bytes, "input_required"))) {
        complete(post);
        deliver(bytes);
        return;
      }
      JsonNode node = readTree(bytes);
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
      deliver(bytes(answer));
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
          serverRequest.put("id", entry.getKey()); // the id is set below, once the request is known to be whole
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
          String key = request.get("id").asText();
          String id = inputId(key);
          asked.put(id, new String[] {key, request.get("method").asText()});
          request.put("id", id);
        }
      }
      if (refusal != null) {
        fail(refusal);
      } else if (requests.isEmpty()) {
        post(); // only a requestState: the retry may go at once
      } else {
        for (ObjectNode request : requests) {
          deliver(bytes(request)); // never under this exchange's lock: the answer may come back on this thread
        }
      }
    }

    /** The id of a server request for input {@code key}: the key, unless another request waits under it already. */
    private String inputId(String key) {
      String id = key;
      for (int n = 2; inputs.putIfAbsent(id, this) != null; n++) {
        id = key + "#" + n;
      }
      return id;
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
      exchanges.remove(key, this);
    }

    private void fail(String text) {
      Post post = current;
      if (post != null) {
        post.answered = true;
      }
      exchanges.remove(key, this);
      withdrawInputs("the request failed");
      deliverError(gatewayId, text);
    }

    private void failed(Throwable failure) {
      if (HttpBackend.isConnectFailure(failure)) {
        end(unreachable(failure), true);
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

    /** Closes the current POST's exchange and stream. */
    void abort() {
      Post post = current;
      if (post == null) {
        return;
      }
      SseEventSubscriber events = post.stream;
      if (events != null) {
        events.cancel();
        streams.remove(events);
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
        inputs.remove(id, this);
        ObjectNode cancelled = NODES.objectNode();
        cancelled.put("jsonrpc", "2.0");
        cancelled.put("method", "notifications/cancelled");
        cancelled.putObject("params").put("requestId", id).put("reason", reason);
        deliver(bytes(cancelled));
      }
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

  // ---------------------------------------------------------------------------------------------
  // subscriptions/listen

  /** A resource subscription changes the listen stream's filter; answered once the server acknowledged it. */
  private void subscription(JsonNode id, String method, JsonNode params) {
    JsonNode uri = params == null ? null : params.get("uri");
    if (uri == null || !uri.isTextual()) {
      executor.execute(() -> deliver(bytes(error(id, -32602, method + " needs params.uri"))));
      return;
    }
    boolean changed;
    synchronized (listenLock) {
      if (capabilities == null || !capabilities.path("resources").path("subscribe").asBoolean(false)) {
        executor.execute(() -> deliver(bytes(error(id, -32601, "server '" + server + "' does not offer resource subscriptions"))));
        return;
      }
      changed = method.equals("resources/subscribe") ? subscribed.add(uri.asText()) : subscribed.remove(uri.asText());
    }
    if (!changed) {
      answerLater(id, NODES.objectNode());
      return;
    }
    relisten().whenCompleteAsync((ignored, failure) -> {
      if (failure == null || method.equals("resources/unsubscribe")) {
        deliver(bytes(response(id, NODES.objectNode())));
        return;
      }
      synchronized (listenLock) {
        subscribed.remove(uri.asText());
      }
      relisten(); // back to the filter before
      Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
      deliver(bytes(error(id, -32603, "server '" + server + "' did not take the subscription: " + cause.getMessage())));
    }, executor);
  }

  /** The filter the listen stream needs now: list changes the server announces, the subscribed resources; null for none. */
  private ObjectNode wantedFilter() {
    ObjectNode caps = capabilities;
    if (caps == null) {
      return null;
    }
    ObjectNode filter = NODES.objectNode();
    if (caps.path("tools").path("listChanged").asBoolean(false)) {
      filter.put("toolsListChanged", true);
    }
    if (caps.path("prompts").path("listChanged").asBoolean(false)) {
      filter.put("promptsListChanged", true);
    }
    if (caps.path("resources").path("listChanged").asBoolean(false)) {
      filter.put("resourcesListChanged", true);
    }
    if (!subscribed.isEmpty()) {
      filter.set("resourceSubscriptions", JSON.valueToTree(subscribed));
    }
    return filter.isEmpty() ? null : filter;
  }

  /**
   * Opens a listen stream with the filter needed now; the one it replaces closes once the new
   * one is acknowledged (so nothing is missed in between). Completes when it is acknowledged,
   * exceptionally when the server refused it; at once when no stream is needed.
   */
  private CompletableFuture<Void> relisten() {
    Listen next;
    Listen previous;
    synchronized (listenLock) {
      if (closing.get() || ended.get()) {
        return CompletableFuture.completedFuture(null);
      }
      ObjectNode filter = wantedFilter();
      previous = listen;
      next = filter == null ? null : new Listen(filter);
      listen = next;
    }
    if (next == null) {
      if (previous != null) {
        previous.stop();
      }
      return CompletableFuture.completedFuture(null);
    }
    next.open();
    return next.acknowledged.whenComplete((ignored, failure) -> {
      if (previous != null) {
        previous.stop();
      }
    });
  }

  /** The long-lived {@code subscriptions/listen} request whose stream carries list changes and resource updates. */
  private final class Listen implements SseEventSubscriber.Handler {
    final String id = "listen-" + postIds.incrementAndGet();
    final ObjectNode filter;
    final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    private volatile boolean stopped;
    private volatile SseEventSubscriber subscriber;
    private volatile CompletableFuture<?> http;
    private volatile long openedAt;

    Listen(ObjectNode filter) {
      this.filter = filter;
    }

    void open() {
      ObjectNode request = NODES.objectNode();
      request.put("jsonrpc", "2.0");
      request.put("id", id);
      request.put("method", "subscriptions/listen");
      ObjectNode params = request.putObject("params");
      ObjectNode meta = params.putObject("_meta");
      meta.put(META_VERSION, VERSION);
      meta.set(META_CAPABILITIES, clientCapabilities);
      meta.set(META_CLIENT_INFO, clientInfo);
      params.set("notifications", filter);
      openedAt = System.nanoTime();
      boolean[] headersReceived = new boolean[1];
      CompletableFuture<?> exchange = track(client.sendAsync(post(request, "subscriptions/listen", params, VERSION), info -> {
        headersReceived[0] = true;
        String type = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (info.statusCode() != 200 || !type.startsWith("text/event-stream")) {
          refused("HTTP " + info.statusCode() + (info.statusCode() == 200 ? " without a stream" : ""));
          return BodySubscribers.replacing(null);
        }
        SseEventSubscriber events = new SseEventSubscriber("server '" + server + "'", maxMessageBytes, this);
        subscriber = events;
        streams.add(events);
        if (stopped || closing.get() || ended.get()) {
          events.cancel();
        }
        return new SseBodySubscriber(events, Long.MAX_VALUE, maxMessageBytes, () -> null);
      }));
      http = exchange;
      exchange.whenComplete((r, failure) -> {
        if (failure != null && !headersReceived[0] && !stopped) {
          onEnd(failure);
        }
      });
    }

    private void refused(String why) {
      LOG.warn("Server '{}' refused subscriptions/listen ({}): list changes and resource updates are not received", server, why);
      stopped = true;
      acknowledged.completeExceptionally(new IOException("it answered subscriptions/listen with " + why));
    }

    @Override
    public void onEvent(SseEventSubscriber.Event event) {
      if (stopped) {
        return;
      }
      JsonNode node = readTree(event.data().getBytes(StandardCharsets.UTF_8));
      if (node == null || !node.isObject()) {
        return;
      }
      ObjectNode message = (ObjectNode) node;
      String method = message.path("method").asText(null);
      if (method == null) {
        return; // the server ended the subscription gracefully; the stream's end follows
      }
      if ("notifications/subscriptions/acknowledged".equals(method)) {
        listenRetries.set(0);
        acknowledged.complete(null);
        return;
      }
      JsonNode meta = message.path("params").get("_meta");
      if (meta instanceof ObjectNode) {
        ((ObjectNode) meta).remove(META_SUBSCRIPTION);
        if (meta.isEmpty()) {
          ((ObjectNode) message.get("params")).remove("_meta");
        }
      }
      deliver(bytes(message));
    }

    @Override
    public void onEnd(Throwable failure) {
      SseEventSubscriber events = subscriber;
      if (events != null) {
        streams.remove(events);
      }
      if (stopped || closing.get() || ended.get()) {
        return;
      }
      if (failure != null && HttpBackend.isConnectFailure(failure)) {
        acknowledged.completeExceptionally(failure);
        end(unreachable(failure), true);
        return;
      }
      acknowledged.completeExceptionally(new IOException("the stream ended before it was acknowledged"));
      synchronized (listenLock) {
        if (listen != this) {
          return;
        }
      }
      if (System.nanoTime() - openedAt > TimeUnit.SECONDS.toNanos(10)) {
        listenRetries.set(0);
      }
      int attempt = listenRetries.incrementAndGet();
      if (attempt > MAX_LISTEN_RETRIES) {
        LOG.warn("Server '{}' keeps ending its subscriptions/listen stream; list changes and resource updates are no longer received",
            server);
        return;
      }
      CompletableFuture.delayedExecutor(100L << Math.min(attempt - 1, 6), TimeUnit.MILLISECONDS, executor).execute(() -> {
        synchronized (listenLock) {
          if (listen != this) {
            return;
          }
        }
        relisten();
      });
    }

    void stop() {
      stopped = true;
      SseEventSubscriber events = subscriber;
      if (events != null) {
        events.cancel();
        streams.remove(events);
      }
      CompletableFuture<?> exchange = http;
      if (exchange != null) {
        exchange.cancel(true);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery and the channel's end

  private <T> CompletableFuture<T> track(CompletableFuture<T> exchange) {
    posts.add(exchange);
    exchange.whenComplete((r, e) -> posts.remove(exchange));
    return exchange;
  }

  /** An answer made here, delivered from another thread as the listener expects (never inside {@link #send}). */
  private void answerLater(JsonNode id, ObjectNode result) {
    executor.execute(() -> deliver(bytes(response(id, result))));
  }

  private static ObjectNode response(JsonNode id, ObjectNode result) {
    ObjectNode response = NODES.objectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("result", result);
    return response;
  }

  private static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode response = NODES.objectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    response.putObject("error").put("code", code).put("message", message);
    return response;
  }

  private void deliverError(JsonNode id, String message) {
    deliver(bytes(error(id, -32000, message)));
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hands one message to the listener, one at a time; nothing once the backend ended. */
  private void deliver(byte[] message) {
    if (ended.get()) {
      return;
    }
    synchronized (deliverLock) {
      try {
        listener.onMessage(message);
      } catch (RuntimeException e) {
        LOG.error("Listener of server '{}' failed", server, e);
      } catch (Error e) {
        LOG.error("Reading server '{}' failed; the backend is closed", server, e);
        end("its answer could not be read (" + e.getClass().getSimpleName() + ")", false);
      }
    }
  }

  /** A sink of the listener for one large answer, delivered one message at a time like {@link #deliver}. */
  private MessageSink openSink() {
    MessageSink sink = listener.openMessage();
    return new MessageSink() {
      @Override
      public void write(byte[] bytes, int offset, int count) {
        sink.write(bytes, offset, count);
      }

      @Override
      public void end() {
        synchronized (deliverLock) {
          if (ended.get()) {
            sink.abort("the backend ended");
            return;
          }
          try {
            sink.end();
          } catch (RuntimeException e) {
            LOG.error("Listener of server '{}' failed", server, e);
          }
        }
      }

      @Override
      public void abort(String reason) {
        sink.abort(reason);
      }
    };
  }

  private String unreachable(Throwable failure) {
    return "cannot reach " + describe() + ": " + HttpBackend.describe(failure);
  }

  /** The channel is over without the gateway asking: the remote is unreachable or broke. */
  private void end(String reason, boolean unavailable) {
    if (closing.get() || !ended.compareAndSet(false, true)) {
      return;
    }
    serverLog.warn("Server '{}' ({}): {}", server, describe(), reason);
    cancelAll();
    try {
      if (unavailable) {
        listener.onUnavailable(reason);
      }
      listener.onExit(reason);
    } catch (RuntimeException e) {
      LOG.error("Exit listener of server '{}' failed", server, e);
    }
  }

  private void cancelAll() {
    Listen current;
    synchronized (listenLock) {
      current = listen;
      listen = null;
    }
    if (current != null) {
      current.stop();
    }
    for (Exchange exchange : exchanges.values()) {
      exchange.cancelled = true;
      exchange.abort();
    }
    exchanges.clear();
    inputs.clear();
    for (SseEventSubscriber stream : streams) {
      stream.cancel();
    }
    streams.clear();
    for (CompletableFuture<?> post : posts) {
      post.cancel(true);
    }
  }

  @Override
  public boolean isAlive() {
    return !closing.get() && !ended.get();
  }

  @Override
  public String describe() {
    return describe(url) + " (" + VERSION + ")";
  }

  private static String describe(URI url) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return "url " + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + path;
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    cancelAll(); // closing the streams ends the requests and the subscription: the revision has no session to end
    serverLog.info("Stopped server '{}' ({})", server, describe());
    if (ended.compareAndSet(false, true)) {
      try {
        listener.onExit("stopped by the gateway");
      } catch (RuntimeException e) {
        LOG.error("Exit listener of server '{}' failed", server, e);
      }
    }
  }
}
