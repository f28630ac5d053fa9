package dev.mcpgateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One client request on its way to a backend and back.
 *
 * <p>The answer is decided late: a request whose response arrives before any related message
 * is answered as {@code application/json} when the client accepts it; the first related
 * message (progress, a sampling request...) turns the answer into an SSE stream when the
 * client accepts that, or goes to the session's {@code GET} stream otherwise. A request still
 * unanswered after one keep-alive interval turns into a stream too (when the client accepts
 * one), so that keep-alive comments flow while a silent tool call runs.
 */
final class Exchange implements PendingCall {
  private final SessionState session;
  private final JsonNode clientId;
  private final String clientIdJson;
  private final String method;
  private final boolean acceptsJson;
  private final boolean acceptsSse;
  private final Map<String, String> extraHeaders;
  private final CompletableFuture<GatewayResponse> response = new CompletableFuture<>();
  private final long startedNanos = System.nanoTime();
  private JsonNode progressToken;
  private volatile long backendId;
  private volatile BackendConnection connection;
  private volatile ScheduledFuture<?> timeout;
  private volatile ScheduledFuture<?> streamTimer;
  private SseStream stream;
  private boolean done;
  private Runnable onDone = () -> {};
  private InterceptorChain chain;
  private InterceptorChain.Call call;

  Exchange(SessionState session, JsonNode clientId, String method, boolean acceptsJson, boolean acceptsSse,
      Map<String, String> extraHeaders) {
    this.session = session;
    this.clientId = clientId;
    this.clientIdJson = Json.idText(clientId);
    this.method = method;
    this.acceptsJson = acceptsJson;
    this.acceptsSse = acceptsSse;
    this.extraHeaders = extraHeaders;
  }

  /** A response still in bytes: interceptors look at it there, and unchanged it goes out with the client's id spliced in. */
  void onRawResponse(byte[] raw, ResponseScan scan) {
    if (chain != null) {
      ObjectNode replaced = chain.responseRaw(call, raw, scan.isError());
      if (replaced != null) {
        replaced.set("id", clientId);
        finish(Json.bytes(replaced));
        return;
      }
    }
    finish(scan.withId(raw, clientIdBytes()));
  }

  /** The client's id as JSON bytes, exactly as the client sent it. */
  byte[] clientIdBytes() {
    return clientIdJson.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Lets {@code chain} see the answer before the client does. */
  void intercepted(InterceptorChain chain, InterceptorChain.Call call) {
    this.chain = chain;
    this.call = call;
  }

  /** Whether interceptors see the answer. */
  boolean intercepted() {
    return chain != null;
  }

  /** Runs once when the exchange has its answer. */
  void onDone(Runnable onDone) {
    this.onDone = onDone;
  }

  CompletableFuture<GatewayResponse> response() {
    return response;
  }

  SessionState session() {
    return session;
  }

  JsonNode clientId() {
    return clientId;
  }

  String clientIdJson() {
    return clientIdJson;
  }

  String method() {
    return method;
  }

  long startedNanos() {
    return startedNanos;
  }

  void progressToken(JsonNode token) {
    this.progressToken = token;
  }

  JsonNode progressToken() {
    return progressToken;
  }

  void sentAs(BackendConnection connection, long backendId) {
    this.connection = connection;
    this.backendId = backendId;
  }

  BackendConnection connection() {
    return connection;
  }

  long backendId() {
    return backendId;
  }

  void timeout(ScheduledFuture<?> timeout) {
    this.timeout = timeout;
  }

  /** The timer that runs {@link #streamIfPending()}; cancelled when the answer comes. */
  void streamTimer(ScheduledFuture<?> timer) {
    this.streamTimer = timer;
  }

  /**
   * Turns a still unanswered request into an SSE stream that starts with a keep-alive comment,
   * so that the client, the HTTP server and proxies in between see bytes while it runs.
   */
  void streamIfPending() {
    synchronized (this) {
      if (done || stream != null || !acceptsSse) {
        return;
      }
      openStream();
      stream.comment();
    }
  }

  /** A message related to this request (progress, a server request...); already rewritten for the client. */
  void related(byte[] json) {
    synchronized (this) {
      if (!done) {
        if (stream == null && acceptsSse) {
          openStream();
        }
        if (stream != null && stream.send(json)) {
          return;
        }
      }
    }
    session.sendStandalone(json);
  }

  @Override
  public void onResponse(ObjectNode message) {
    if (chain != null) {
      message = chain.response(call, message);
    }
    message.set("id", clientId);
    finish(Json.bytes(message));
  }

  @Override
  public void onFailure(int code, String message) {
    finish(Json.bytes(Json.rpcError(clientId, code, message)));
  }

  /**
   * The server's remote cannot be reached: answered with HTTP 503 {@code backend_unavailable}
   * while nothing was sent to the client yet, else (a stream is open) as a JSON-RPC error.
   */
  @Override
  public void onUnavailable(BackendUnavailableException e) {
    synchronized (this) {
      if (done) {
        return;
      }
      if (stream != null) {
        onFailure(e.jsonRpcCode(), e.getMessage());
        return;
      }
      done = true;
    }
    cancelTimeout();
    session.untrack(clientIdJson, this);
    onDone.run();
    response.complete(withHeaders(e.response()));
  }

  private void cancelTimeout() {
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    ScheduledFuture<?> st = streamTimer;
    if (st != null) {
      st.cancel(false);
    }
  }

  /** Answers with an already complete JSON-RPC response. */
  void finish(byte[] json) {
    cancelTimeout();
    SseStream s;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      if (stream == null && !acceptsJson) {
        openStream();
      }
      s = stream;
    }
    session.untrack(clientIdJson, this);
    onDone.run();
    if (s == null) {
      response.complete(withHeaders(GatewayResponse.json(200, json)));
    } else {
      s.send(json);
      s.close();
    }
  }

  boolean isDone() {
    synchronized (this) {
      return done;
    }
  }

  private void openStream() {
    stream = session.newStream();
    response.complete(withHeaders(GatewayResponse.stream(200, stream.connect(-1))));
  }

  private GatewayResponse withHeaders(GatewayResponse r) {
    for (Map.Entry<String, String> header : extraHeaders.entrySet()) {
      r = r.withHeader(header.getKey(), header.getValue());
    }
    return r;
  }

  /** Fails the exchange with the status and code of {@code e}, as a JSON-RPC error. */
  void fail(GatewayException e) {
    if (e instanceof BackendUnavailableException) {
      onUnavailable((BackendUnavailableException) e);
      return;
    }
    onFailure(e.jsonRpcCode(), e.getMessage());
  }

  @Override
  public String toString() {
    return method + " " + clientIdJson + " of " + session;
  }
}
