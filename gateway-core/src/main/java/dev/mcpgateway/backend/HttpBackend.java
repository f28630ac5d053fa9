package dev.mcpgateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote MCP server over Streamable HTTP, falling back to the HTTP+SSE transport of
 * 2024-11-05 when the remote refuses the first {@code initialize} POST with 400, 404 or 405;
 * see {@link HttpBackendLauncher}.
 *
 * <p>Every {@link #send(byte[])} is one asynchronous POST; what comes back (a JSON body or the
 * events of an SSE stream) goes to the listener as it arrives, one message at a time. Header
 * values are secrets and never logged.
 */
final class HttpBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(HttpBackend.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RESUMES = 3;
  private static final int MAX_STREAM_RETRIES = 5;

  private final String server;
  private final URI url;
  private final Map<String, String> headers;
  private final HttpClient client;
  private final Executor executor;
  private final BackendListener listener;
  private final int maxMessageBytes;
  /** Messages past this size go to a sink of the listener as they arrive, never gathered. */
  private final long streamOver;
  private final Duration closeTimeout;
  private final Logger serverLog;
  private final Object deliverLock = new Object();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicBoolean getStreamStarted = new AtomicBoolean();
  private final AtomicInteger getStreamRetries = new AtomicInteger();
  private final Set<SseEventSubscriber> streams = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<?>> exchanges = ConcurrentHashMap.newKeySet();
  private volatile String sessionId;
  private volatile String protocolVersion;
  private volatile String initializeId;
  private volatile LegacySseTransport legacy;

  HttpBackend(String server, URI url, Map<String, String> headers, HttpClient client, Executor executor,
      BackendListener listener, int maxMessageBytes, Duration closeTimeout) {
    this.server = server;
    this.url = url;
    this.headers = Map.copyOf(headers);
    this.client = client;
    this.executor = executor;
    this.listener = listener;
    this.maxMessageBytes = maxMessageBytes;
    this.streamOver = listener.streamMessagesOverBytes();
    this.closeTimeout = closeTimeout;
    this.serverLog = LoggerFactory.getLogger("dev.mcpgateway.server." + server);
  }

  /** What one POST is for: its message's shape, and whether its answer arrived yet. */
  private static final class Post {
    final JsonRpcPeek peek;
    final byte[] body;
    volatile boolean headersReceived;
    volatile boolean answered;
    int resumes;

    Post(JsonRpcPeek peek, byte[] body) {
      this.peek = peek;
      this.body = body;
    }

    boolean isInitialize() {
      return peek.isRequest() && "initialize".equals(peek.method());
    }
  }

  @Override
  public void send(byte[] message) throws IOException {
    if (closing.get() || ended.get()) {
      throw new IOException("server '" + server + "' is closed");
    }
    JsonRpcPeek peek = JsonRpcPeek.of(message);
    LegacySseTransport old = legacy;
    if (old != null) {
      old.post(message, peek);
      return;
    }
    Post post = new Post(peek, message);
    if (post.isInitialize()) {
      initializeId = peek.id();
    }
    HttpRequest.Builder request = request(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(message));
    String version = protocolVersion;
    if (version != null && !post.isInitialize()) {
      request.header("MCP-Protocol-Version", version);
    }
    track(client.sendAsync(request.build(), info -> onPostHeaders(info, post)))
        .whenComplete((response, failure) -> {
          if (failure != null && !post.headersReceived) {
            postFailed(post, failure);
          }
        });
    if ("notifications/initialized".equals(peek.method())) {
      openGetStream(null, false);
    }
  }

  /** A request to the remote with the configured headers and the session, if any. */
  HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
    headers.forEach(builder::header);
    String session = sessionId;
    if (session != null && legacy == null) {
      builder.setHeader("Mcp-Session-Id", session);
    }
    return builder;
  }

  private <T> CompletableFuture<T> track(CompletableFuture<T> exchange) {
    exchanges.add(exchange);
    exchange.whenComplete((r, e) -> exchanges.remove(exchange));
    return exchange;
  }

  private BodySubscriber<Void> onPostHeaders(HttpResponse.ResponseInfo info, Post post) {
    post.headersReceived = true;
    int status = info.statusCode();
    if (post.isInitialize() && status / 100 == 2) {
      info.headers().firstValue("mcp-session-id").ifPresent(id -> sessionId = id);
    }
    if (post.isInitialize() && legacy == null && sessionId == null && (status == 400 || status == 404 || status == 405)) {
      serverLog.info("Server '{}' answered initialize with HTTP {}; falling back to the HTTP+SSE transport", server, status);
      LegacySseTransport fallback = new LegacySseTransport(this, url, maxMessageBytes);
      legacy = fallback;
      fallback.start(post.body, post.peek);
      return BodySubscribers.replacing(null);
    }
    if (status == 404 && sessionId != null && !post.isInitialize()) {
      if (post.peek.isRequest()) {
        deliverError(post.peek, "server '" + server + "' no longer knows the session; it is started again on the next request");
      }
      end("the remote ended its session", false);
      return BodySubscribers.replacing(null);
    }
    if (status == 202 || status == 204) {
      return BodySubscribers.replacing(null);
    }
    if (status / 100 != 2) {
      return BodySubscribers.mapping(BodySubscribers.ofByteArray(), body -> {
        httpError(post, status, body);
        return null;
      });
    }
    String type = info.headers().firstValue("content-type").orElse("").toLowerCase(java.util.Locale.ROOT);
    if (type.startsWith("text/event-stream")) {
      return new PostStream(post).open();
    }
    long length = info.headers().firstValueAsLong("content-length").orElse(-1);
    if (length > maxMessageBytes) {
      LOG.warn("Discarded a response of {} bytes from server '{}': over the limit of {} bytes", length, server, maxMessageBytes);
      if (post.peek.isRequest()) {
        deliverError(post.peek, "server '" + server + "' answered with more than " + maxMessageBytes + " bytes");
      }
      return BodySubscribers.replacing(null);
    }
    if (streamOver < maxMessageBytes) {
      return new JsonBodySubscriber(streamOver, maxMessageBytes, this::openSink, this::deliverJsonBody, () -> {
        LOG.warn("Discarded a response from server '{}': over the limit of {} bytes", server, maxMessageBytes);
        if (post.peek.isRequest()) {
          deliverError(post.peek, "server '" + server + "' answered with more than " + maxMessageBytes + " bytes");
        }
      });
    }
    return BodySubscribers.mapping(BodySubscribers.ofByteArray(), body -> {
      deliverJsonBody(body);
      return null;
    });
  }

  BodySubscriber<Void> stream(SseEventSubscriber events) {
    streams.add(events);
    if (closing.get() || ended.get()) {
      events.cancel();
    }
    return new SseBodySubscriber(events, streamOver, maxMessageBytes, this::openSink);
  }

  /**
   * A sink of the listener for one large message: its bytes pass as they arrive, its end is
   * delivered one message at a time like {@link #deliver}, and not at all once the backend ended.
   */
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

  void forget(SseEventSubscriber events) {
    streams.remove(events);
  }

  /** The SSE answer to one POST, resumed with {@code Last-Event-ID} when it drops before the answer. */
  private final class PostStream implements SseEventSubscriber.Handler {
    private final Post post;
    private volatile SseEventSubscriber subscriber;

    PostStream(Post post) {
      this.post = post;
    }

    BodySubscriber<Void> open() {
      subscriber = new SseEventSubscriber("server '" + server + "'", maxMessageBytes, this);
      return stream(subscriber);
    }

    @Override
    public void onEvent(SseEventSubscriber.Event event) {
      byte[] bytes = event.data().getBytes(StandardCharsets.UTF_8);
      if (post.peek.id() != null && event.data().contains("\"id\"")) {
        JsonRpcPeek answer = JsonRpcPeek.of(bytes);
        if (answer.response() && post.peek.id().equals(answer.id())) {
          post.answered = true;
        }
      }
      deliver(bytes);
    }

    @Override
    public void onEnd(Throwable failure) {
      SseEventSubscriber ended = subscriber;
      String lastEventId = ended == null ? null : ended.lastEventId();
      if (ended != null) {
        forget(ended);
      }
      if (closing.get() || HttpBackend.this.ended.get() || post.answered || !post.peek.isRequest()) {
        return;
      }
      if (failure != null && isConnectFailure(failure)) {
        end(unreachable(failure), true);
        return;
      }
      if (lastEventId != null && post.resumes < MAX_RESUMES) {
        post.resumes++;
        resume(this, lastEventId);
        return;
      }
      deliverError(post.peek, "server '" + server + "' ended its stream before answering"
          + (failure == null ? "" : ": " + describe(failure)));
    }

    @Override
    public void onStreamedEvent() {
      post.answered = true; // a message too large to gather, on the stream of this POST: its answer
    }
  }

  /** GETs the stream again with {@code Last-Event-ID}, so that the answer to the POST still arrives. */
  private void resume(PostStream stream, String lastEventId) {
    HttpRequest.Builder get = request(url).header("Accept", "text/event-stream").header("Last-Event-ID", lastEventId).GET();
    String version = protocolVersion;
    if (version != null) {
      get.header("MCP-Protocol-Version", version);
    }
    boolean[] opened = new boolean[1];
    track(client.sendAsync(get.build(), info -> {
      opened[0] = true;
      if (info.statusCode() != 200) {
        deliverError(stream.post.peek, "server '" + server + "' ended its stream before answering and did not resume it (HTTP "
            + info.statusCode() + ")");
        return BodySubscribers.replacing(null);
      }
      return stream.open();
    })).whenComplete((r, failure) -> {
      if (failure != null && !opened[0] && !closing.get()) {
        stream.subscriber = null;
        stream.onEnd(failure);
      }
    });
  }

  /** Opens (or reopens) the stream of messages the remote sends on its own; 405 means it has none. */
  private void openGetStream(String lastEventId, boolean reopen) {
    if (!reopen && !getStreamStarted.compareAndSet(false, true)) {
      return;
    }
    if (closing.get() || ended.get()) {
      return;
    }
    HttpRequest.Builder get = request(url).header("Accept", "text/event-stream").GET();
    String version = protocolVersion;
    if (version != null) {
      get.header("MCP-Protocol-Version", version);
    }
    if (lastEventId != null) {
      get.header("Last-Event-ID", lastEventId);
    }
    long openedAt = System.nanoTime();
    SseEventSubscriber[] holder = new SseEventSubscriber[1];
    track(client.sendAsync(get.build(), info -> {
      int status = info.statusCode();
      if (status == 404 && sessionId != null) {
        end("the remote ended its session", false);
        return BodySubscribers.replacing(null);
      }
      if (status != 200) {
        if (status != 405) {
          LOG.debug("Server '{}' answered the GET stream with HTTP {}; no server-initiated messages", server, status);
        }
        return BodySubscribers.replacing(null);
      }
      holder[0] = new SseEventSubscriber("server '" + server + "'", maxMessageBytes, new SseEventSubscriber.Handler() {
        @Override
        public void onEvent(SseEventSubscriber.Event event) {
          deliver(event.data().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void onEnd(Throwable failure) {
          forget(holder[0]);
          if (System.nanoTime() - openedAt > TimeUnit.SECONDS.toNanos(10)) {
            getStreamRetries.set(0);
          }
          reopenGetStream(holder[0].lastEventId() != null ? holder[0].lastEventId() : lastEventId);
        }
      });
      return stream(holder[0]);
    })).whenComplete((r, failure) -> {
      if (failure == null || closing.get() || ended.get() || holder[0] != null) {
        return;
      }
      if (isConnectFailure(failure)) {
        end(unreachable(failure), true);
      } else {
        reopenGetStream(lastEventId);
      }
    });
  }

  private void reopenGetStream(String lastEventId) {
    if (closing.get() || ended.get()) {
      return;
    }
    int attempt = getStreamRetries.incrementAndGet();
    if (attempt > MAX_STREAM_RETRIES) {
      LOG.warn("Server '{}' keeps ending its GET stream; messages it sends on its own are no longer received", server);
      return;
    }
    long delayMillis = 100L << Math.min(attempt - 1, 6);
    CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS, executor)
        .execute(() -> openGetStream(lastEventId, true));
  }

  private void postFailed(Post post, Throwable failure) {
    if (closing.get() || ended.get()) {
      return;
    }
    if (isConnectFailure(failure)) {
      end(unreachable(failure), true);
      return;
    }
    if (post.peek.isRequest()) {
      deliverError(post.peek, "server '" + server + "' could not be asked: " + describe(failure));
    } else {
      LOG.debug("Server '{}': sending a message failed: {}", server, describe(failure));
    }
  }

  private void httpError(Post post, int status, byte[] body) {
    if (!post.peek.isRequest()) {
      LOG.debug("Server '{}' answered a notification or response with HTTP {}", server, status);
      return;
    }
    JsonRpcPeek answer = body.length > 0 && body.length <= maxMessageBytes ? JsonRpcPeek.of(body) : JsonRpcPeek.NOT_JSON_RPC;
    if (answer.response() && post.peek.id().equals(answer.id())) {
      deliver(body);
      return;
    }
    deliverError(post.peek, "server '" + server + "' answered HTTP " + status);
  }

  private void deliverJsonBody(byte[] body) {
    if (body.length == 0) {
      return;
    }
    if (body[0] != '[') {
      deliver(body);
      return;
    }
    try {
      for (JsonNode element : JSON.readTree(body)) {
        deliver(JSON.writeValueAsBytes(element));
      }
    } catch (IOException e) {
      LOG.warn("Discarded a response from server '{}' that is not JSON ({} bytes)", server, body.length);
    }
  }

  /** Hands one message to the listener, one at a time; learns the protocol version from the initialize answer. */
  void deliver(byte[] message) {
    if (ended.get()) {
      return;
    }
    if (protocolVersion == null && initializeId != null && legacy == null) {
      JsonRpcPeek peek = JsonRpcPeek.of(message);
      if (peek.response() && initializeId.equals(peek.id())) {
        try {
          JsonNode version = JSON.readTree(message).path("result").path("protocolVersion");
          if (version.isTextual()) {
            protocolVersion = version.asText();
          }
        } catch (IOException e) {
          // not JSON: the gateway discards it and says so
        }
      }
    }
    synchronized (deliverLock) {
      try {
        listener.onMessage(message);
      } catch (RuntimeException e) {
        LOG.error("Listener of server '{}' failed", server, e);
      } catch (Error e) {
        // The heap or the JVM failed on this message: the calls in flight fail at once rather
        // than wait for their timeout, and the next call connects anew.
        LOG.error("Reading server '{}' failed; the backend is closed", server, e);
        end("its answer could not be read (" + e.getClass().getSimpleName() + ")", false);
      }
    }
  }

  void deliverError(JsonRpcPeek request, String message) {
    String json = "{\"jsonrpc\":\"2.0\",\"id\":" + request.idJson() + ",\"error\":{\"code\":-32000,\"message\":"
        + quote(message) + "}}";
    deliver(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String quote(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The channel is over without the gateway asking: the remote is unreachable, forgot the session or broke. */
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

  String unreachable(Throwable failure) {
    return "cannot reach " + describe() + ": " + describe(failure);
  }

  static boolean isConnectFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
          || t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  static String describe(Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (t instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
      return "unknown host";
    }
    String message = t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }

  HttpClient client() {
    return client;
  }

  String server() {
    return server;
  }

  Logger serverLog() {
    return serverLog;
  }

  @Override
  public boolean isAlive() {
    return !closing.get() && !ended.get();
  }

  @Override
  public String describe() {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return "url " + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + path
        + (legacy == null ? "" : " (HTTP+SSE)");
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    cancelAll();
    String session = sessionId;
    if (session != null && legacy == null && !ended.get()) {
      // Ends the remote session, as the transport asks clients to; a remote that says 405 keeps it until it expires.
      HttpRequest delete = request(url).timeout(closeTimeout).DELETE().build();
      try {
        client.sendAsync(delete, HttpResponse.BodyHandlers.discarding()).get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.debug("Ending the session of server '{}' failed: {}", server, describe(e));
      }
    }
    serverLog.info("Stopped server '{}' ({})", server, describe());
    if (ended.compareAndSet(false, true)) {
      try {
        listener.onExit("stopped by the gateway");
      } catch (RuntimeException e) {
        LOG.error("Exit listener of server '{}' failed", server, e);
      }
    }
  }

  private void cancelAll() {
    for (SseEventSubscriber stream : streams) {
      stream.cancel();
    }
    streams.clear();
    for (CompletableFuture<?> exchange : exchanges) {
      exchange.cancel(true);
    }
    LegacySseTransport old = legacy;
    if (old != null) {
      old.cancel();
    }
  }
}
