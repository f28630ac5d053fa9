package dev.mcpgateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *   <li>{@code resources/subscribe} and {@code unsubscribe} change the filter of the
 *       {@code subscriptions/listen} stream kept open to the server ({@link SubscriptionStream});
 *       they are answered once the server acknowledged the new filter.</li>
 *   <li>Any other request is POSTed with the revision's {@code _meta} and headers, its
 *       {@code input_required} results turned into server-to-client requests and the request sent
 *       again with their answers ({@link RoundTripExchange}). {@code notifications/cancelled}
 *       closes the request's HTTP exchange, which is how this revision cancels.</li>
 *   <li>A request that already carries {@code _meta["io.modelcontextprotocol/protocolVersion"]}
 *       (a stateless client's, relayed as it is) is POSTed unchanged, and the server's answer,
 *       {@code input_required} included, goes back unchanged.</li>
 * </ul>
 *
 * <p>Answers go to the listener as they arrive, one message at a time. Header values are secrets
 * and never logged.
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
  /** Per tool: the header names its arguments are mirrored into, and each argument's path. */
  private final Map<String, Map<String, List<String>>> mirrored = new java.util.concurrent.ConcurrentHashMap<>();
  /** How long {@code initialize} waits for the server to acknowledge the listen stream before it is answered anyway. */
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
  private final AtomicLong ids = new AtomicLong();
  private final SubscriptionStream subscriptions;
  /** The gateway's requests in flight, by their id as JSON text. */
  private final Map<String, RoundTripExchange> exchanges = new ConcurrentHashMap<>();
  /** The server-to-client requests handed to the listener and not yet answered, by their id. */
  private final Map<String, RoundTripExchange> inputs = new ConcurrentHashMap<>();
  private final Set<SseEventSubscriber> streams = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<?>> posts = ConcurrentHashMap.newKeySet();
  private volatile ObjectNode discovered;
  private volatile ObjectNode clientCapabilities = NODES.objectNode();
  private volatile ObjectNode clientInfo = StatelessDiscovery.gatewayInfo();
  private volatile String logLevel;

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
    this.subscriptions = new SubscriptionStream(this);
  }

  @Override
  public void send(byte[] message) throws IOException {
    if (!isAlive()) {
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
        answerLater(response(id, NODES.objectNode()));
        return;
      case "logging/setLevel":
        JsonNode level = params == null ? null : params.get("level");
        if (level != null && level.isTextual()) {
          logLevel = level.asText();
        }
        answerLater(response(id, NODES.objectNode()));
        return;
      case "resources/subscribe":
      case "resources/unsubscribe":
        subscription(id, method.asText(), params);
        return;
      default:
        RoundTripExchange exchange = new RoundTripExchange(this, msg, params == null || !params.path("_meta").has(META_VERSION));
        if (exchanges.putIfAbsent(exchange.key, exchange) != null) {
          answerLater(error(id, -32000, "server '" + server + "' has a request with this id in flight already"));
          return;
        }
        exchange.post();
    }
  }

  private void notification(String method, ObjectNode message) {
    if ("notifications/cancelled".equals(method)) {
      JsonNode requestId = message.path("params").get("requestId");
      RoundTripExchange exchange = requestId == null ? null : exchanges.remove(requestId.toString());
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
    result.thenCompose(discover -> subscriptions.start(capabilitiesOf(discover))
        .completeOnTimeout(null, ACKNOWLEDGE_WAIT_SECONDS, TimeUnit.SECONDS)
        .handle((ignored, failure) -> discover)
    ).whenCompleteAsync((discover, failure) -> {
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
      answer.set("serverInfo", info != null && info.isObject() ? info : NODES.objectNode().put("name", server).put("version", "unknown"));
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
    ObjectNode request = StatelessDiscovery.request(nextId("discover"), clientCapabilities, clientInfo);
    return track(StatelessDiscovery.ask(client, post(request, "server/discover", null, VERSION), request.get("id"), maxMessageBytes))
        .thenApply(answer -> {
          ObjectNode result = answer.result();
          if (answer.status() / 100 != 2 || result == null || !StatelessDiscovery.supports(result)) {
            forgetEra.run();
            throw new IllegalStateException("it no longer answers server/discover as a " + VERSION + " server (HTTP "
                + answer.status() + ")");
          }
          return result;
        });
  }

  /** A resource subscription changes the listen stream's filter; answered once the server acknowledged it. */
  private void subscription(JsonNode id, String method, JsonNode params) {
    JsonNode uri = params == null ? null : params.get("uri");
    if (uri == null || !uri.isTextual()) {
      answerLater(error(id, -32602, method + " needs params.uri"));
    } else if (!subscriptions.offersSubscriptions()) {
      answerLater(error(id, -32601, "server '" + server + "' does not offer resource subscriptions"));
    } else {
      subscriptions.change(uri.asText(), method.equals("resources/subscribe")).whenCompleteAsync((ignored, failure) -> {
        Throwable cause = failure != null && failure.getCause() != null ? failure.getCause() : failure;
        deliver(bytes(failure == null ? response(id, NODES.objectNode())
            : error(id, -32603, "server '" + server + "' did not take the subscription: " + cause.getMessage())));
      }, executor);
    }
  }

  /** The gateway answered one of the server-to-client requests an {@code input_required} result turned into. */
  private void answered(ObjectNode response) {
    JsonNode id = response.get("id");
    String key = id.isTextual() ? id.asText() : id.toString();
    RoundTripExchange exchange = inputs.remove(key);
    if (exchange == null) {
      LOG.debug("Server '{}': dropped an answer to {}, which no request is waiting for", server, id);
      return;
    }
    exchange.inputAnswered(key, response);
  }

  // ---------------------------------------------------------------------------------------------
  // For the exchanges and the subscription stream

  String server() {
    return server;
  }

  HttpClient client() {
    return client;
  }

  Executor executor() {
    return executor;
  }

  int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Messages past this size go to a sink of the listener as they arrive, never gathered. */
  long streamOver() {
    return streamOver;
  }

  /** A fresh id for a request of the backend's own, such as {@code listen-3}. */
  String nextId(String prefix) {
    return prefix + "-" + ids.incrementAndGet();
  }

  /** Puts the revision's per-request fields into a request's {@code _meta}: version, the client's capabilities and info, the log level. */
  void addRequestMeta(ObjectNode meta) {
    meta.put(META_VERSION, VERSION);
    meta.set(META_CAPABILITIES, clientCapabilities);
    meta.set(META_CLIENT_INFO, clientInfo);
    String level = logLevel;
    if (level != null) {
      meta.put(META_LOG_LEVEL, level);
    }
  }

  /** A POST of revision {@code version}: the configured headers, then the revision's. */
  HttpRequest post(ObjectNode message, String method, JsonNode params, String version) {
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
    Map<String, List<String>> headersOfTool = "tools/call".equals(method) && name != null ? mirrored.get(name.asText()) : null;
    if (headersOfTool != null) {
      headersOfTool.forEach((header, path) -> {
        JsonNode value = params.path("arguments");
        for (String step : path) {
          value = value.path(step);
        }
        if (value.isValueNode() && !value.isNull()) {
          builder.setHeader("Mcp-Param-" + header, headerValue(value.isBoolean() ? Boolean.toString(value.asBoolean()) : value.asText()));
        }
      });
    }
    return builder.POST(HttpRequest.BodyPublishers.ofByteArray(bytes(message))).build();
  }

  /**
   * Learns from a {@code tools/list} answer which arguments each tool mirrors into
   * {@code Mcp-Param-{Name}} headers ({@code x-mcp-header} on a property reached from the input
   * schema's root through {@code properties} alone), so that calls carry them.
   */
  void learnTools(byte[] answer) {
    JsonNode parsed = readTree(answer);
    JsonNode tools = parsed == null ? null : parsed.path("result").path("tools");
    if (tools == null || !tools.isArray()) {
      return;
    }
    for (JsonNode tool : tools) {
      if (tool.path("name").isTextual()) {
        Map<String, List<String>> headers = new java.util.HashMap<>();
        mirroredArguments(tool.path("inputSchema"), List.of(), headers);
        mirrored.put(tool.get("name").asText(), Map.copyOf(headers));
      }
    }
  }

  private static void mirroredArguments(JsonNode schema, List<String> path, Map<String, List<String>> headers) {
    JsonNode properties = schema.path("properties");
    if (!properties.isObject() || path.size() > 32) {
      return;
    }
    properties.fields().forEachRemaining(e -> {
      List<String> at = new java.util.ArrayList<>(path);
      at.add(e.getKey());
      JsonNode header = e.getValue().path("x-mcp-header");
      if (header.isTextual() && !header.asText().isEmpty()) {
        headers.putIfAbsent(header.asText(), List.copyOf(at));
      }
      mirroredArguments(e.getValue(), at, headers);
    });
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

  /** Keeps an HTTP exchange so that closing the backend cancels it. */
  <T> CompletableFuture<T> track(CompletableFuture<T> exchange) {
    posts.add(exchange);
    exchange.whenComplete((r, e) -> posts.remove(exchange));
    return exchange;
  }

  void opened(SseEventSubscriber stream) {
    streams.add(stream);
    if (!isAlive()) {
      stream.cancel();
    }
  }

  void closed(SseEventSubscriber stream) {
    if (stream != null) {
      streams.remove(stream);
    }
  }

  /** The id of a server request for input {@code key}: the key, unless another request waits under it already. */
  String inputId(String key, RoundTripExchange exchange) {
    String id = key;
    for (int n = 2; inputs.putIfAbsent(id, exchange) != null; n++) {
      id = key + "#" + n;
    }
    return id;
  }

  void forgetInput(String id, RoundTripExchange exchange) {
    inputs.remove(id, exchange);
  }

  /** The exchange is over: its answer is on its way, or it failed. */
  void finished(RoundTripExchange exchange) {
    exchanges.remove(exchange.key, exchange);
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery and the channel's end

  /** An answer made here, delivered from another thread as the listener expects (never inside {@link #send}). */
  private void answerLater(ObjectNode response) {
    executor.execute(() -> deliver(bytes(response)));
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

  void deliverError(JsonNode id, String message) {
    deliver(bytes(error(id, -32000, message)));
  }

  static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode readTree(byte[] json) {
    try {
      return json.length == 0 ? null : JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }

  /** Hands one message to the listener, one at a time; nothing once the backend ended. */
  void deliver(byte[] message) {
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
  MessageSink openSink() {
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

  String unreachable(Throwable failure) {
    return "cannot reach " + describe() + ": " + HttpBackend.describe(failure);
  }

  /** The channel is over without the gateway asking: the remote is unreachable or broke. */
  void end(String reason, boolean unavailable) {
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
    subscriptions.stop();
    for (RoundTripExchange exchange : exchanges.values()) {
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

  /** A url for logs: scheme, host, port and path, never its query or user info. */
  static String describe(URI url) {
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
