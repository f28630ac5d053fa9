package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.intercept.InterceptorChain;
import dev.mcpgateway.internal.intercept.Tracer;
import dev.mcpgateway.internal.jsonrpc.ClientMessage;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.jsonrpc.ResponseScan;
import dev.mcpgateway.trace.TraceOutcome;
import dev.mcpgateway.trace.TraceSpan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request at a backend, from the write to the answer: the only owner of the
 * backend-side id, the progress-token rewrite, the timeout, the cancellation and the probe of a
 * backend that stops answering.
 *
 * <p>The client side ({@link Client}) only shapes what this call hands it: a complete JSON-RPC
 * answer carrying the client's own id, and the messages related to the call. Exactly one answer
 * is handed over, whichever comes first: the backend's, a timeout, a cancellation or a failure.
 */
public final class BackendCall implements PendingCall {
  private static final Logger LOG = LoggerFactory.getLogger(BackendCall.class);
  /** Marks a call that ended: a lease granted after that is released at once. */
  private static final BackendLease ENDED = new BackendLease(null, null);
  /** The JSON-RPC code of a call's answer when it was cancelled (as LSP's RequestCancelled). */
  private static final int CANCELLED = -32800;
  /** The reason the backend hears when a call's session ended. */
  private static final String SESSION_ENDED = "the client's session ended";

  /** Where the call's answer and its related messages go: the client side shapes them. */
  public interface Client {
    /** The answer, complete, with the client's id. */
    void answer(byte[] json);

    /**
     * A message related to the call (progress, a server request...), already rewritten for the
     * client: on the call's stream when its answer can be one, else on the session's {@code GET}
     * stream.
     *
     * @return whether the message went to a stream of the client; {@code false} when none can carry it
     */
    boolean related(byte[] json);

    /**
     * The server's remote cannot be reached: the client side answers with HTTP 503 when it
     * still can, else as the JSON-RPC error {@code json}.
     */
    void unavailable(BackendUnavailableException e, byte[] json);

    /**
     * The backend asked the client, for this call, something that needs {@code capability},
     * which the client did not declare (the backend is refused either way).
     *
     * @return whether the client side ends the call for it (the stateless revision answers
     *     {@code MissingRequiredClientCapability}); {@code false} lets the call go on
     */
    default boolean capabilityMissing(String capability) {
      return false;
    }
  }

  private final SessionChannel session;
  private final String server;
  private final String callerKey;
  private final JsonNode clientId;
  /** The client's id as the key of its call in flight: the id's value as JSON. */
  private final String clientIdJson;
  /** The client's id exactly as it wrote it, for the answer. */
  private final byte[] clientIdBytes;
  private final String method;
  private final ObjectNode message;
  private final JsonNode progressToken;
  private final Duration timeout;
  private final InterceptorChain chain;
  private final InterceptorChain.Call intercepted;
  private final GatewayRuntime runtime;
  private final Client client;
  /** The span of the client's request, ended with the answer the client gets. */
  private final TraceSpan clientSpan;
  /** The span of the call at the backend, from the write to the backend's answer. */
  private volatile TraceSpan backendSpan = TraceSpan.NONE;
  private final long startedNanos;
  private final AtomicBoolean done = new AtomicBoolean();
  /** The instance this call holds while in flight; {@link #ENDED} once the call ended. */
  private final AtomicReference<BackendLease> lease = new AtomicReference<>();
  private volatile LeaseRequest leaseRequest;
  private volatile ScheduledFuture<?> leaseTimer;
  private volatile long leasedNanos;
  /** The session ended: the call is not sent, or is cancelled once it was. */
  private volatile boolean sessionOver;
  private volatile BackendConnection connection;
  private volatile long backendId;
  private volatile ScheduledFuture<?> timer;
  /** The client's message as it was read, while its bytes may stand for the request; else null. */
  private volatile ClientMessage asRead;

  /**
   * @param session the session whose client asked; null for the gateway's own requests
   * @param message the client's request; its id and progress token are rewritten when it is sent
   * @param intercepted the chain's view of the request, or null when the chain is empty
   * @param clientSpan the span of the client's request, {@link TraceSpan#NONE} when untraced; the call ends it
   */
  public BackendCall(SessionChannel session, String server, String callerKey, JsonNode clientId, String method, ObjectNode message, Duration timeout,
      InterceptorChain chain, InterceptorChain.Call intercepted, GatewayRuntime runtime, Client client, TraceSpan clientSpan) {
    this.clientSpan = clientSpan;
    this.session = session;
    this.server = server;
    this.callerKey = callerKey;
    this.clientId = clientId;
    this.clientIdJson = Json.idText(clientId);
    this.clientIdBytes = Json.exactIdText(clientId).getBytes(StandardCharsets.UTF_8);
    this.method = method;
    this.message = message;
    JsonNode meta = message.path("params").path("_meta");
    this.progressToken = meta.isObject() ? meta.get("progressToken") : null;
    this.timeout = timeout;
    this.chain = chain;
    this.intercepted = intercepted;
    this.runtime = runtime;
    this.client = client;
    this.startedNanos = runtime.nanoTime();
  }

  /**
   * Takes an instance of the session's backends (waiting, within the call's timeout, while the
   * caller's other sessions hold every one it may run) and sends the request once it is ready; a
   * backend that fails to start fails the call. The call counts as in flight until it has its
   * answer, and holds its instance until then.
   */
  public void start(SessionBackend backends) {
    runtime.callStarted();
    if (session != null && !session.track(clientIdJson, this)) {
      // Another request with this id got past the client side's check at the same moment.
      onFailure(GatewayException.INVALID_REQUEST, duplicateId(clientIdJson));
      return;
    }
    if (done.get()) {
      return; // its session ended as it started
    }
    LeaseRequest request = backends.lease();
    leaseRequest = request;
    if (!request.granted().isDone()) {
      leaseTimer = runtime.scheduler().schedule(() -> {
        if (request.withdraw()) {
          LOG.warn("A call to server '{}' got no backend instance within {} s", server, timeout.toSeconds());
          onFailure(GatewayException.TIMEOUT, backends.waitedTooLong(timeout));
        }
      }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    request.granted().whenComplete(this::leased);
  }

  private void leased(BackendLease granted, Throwable failure) {
    ScheduledFuture<?> t = leaseTimer;
    if (t != null) {
      t.cancel(false);
    }
    if (failure != null) {
      fail(Failures.of(failure, server));
      return;
    }
    if (!lease.compareAndSet(null, granted)) {
      granted.release(); // the call ended while it waited
      return;
    }
    leasedNanos = runtime.nanoTime();
    BackendConnection connection = granted.connection();
    if (connection == null) {
      onFailure(GatewayException.BACKEND_ERROR, "server '" + server + "' is closing; try again");
      return;
    }
    whenReady(connection);
  }

  /**
   * Sends a request of the gateway's own (not a client's) to {@code connection} once it is
   * ready, with the server's tool timeout, and completes with the backend's response (an error
   * answer, a timeout or a failure as a JSON-RPC error response too); completes exceptionally with
   * {@link BackendUnavailableException} when the server's remote cannot be reached. Nothing it
   * causes reaches a client: a request to the client it causes is refused.
   */
  public static CompletableFuture<ObjectNode> ask(BackendConnection connection, ObjectNode request, ServerConfig server,
      GatewayRuntime runtime) {
    CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
    own(request, server, runtime, answer, TraceSpan.NONE).start(connection);
    return answer;
  }

  /**
   * As {@link #ask(BackendConnection, ObjectNode, ServerConfig, GatewayRuntime)}, on behalf of a
   * session (a unified session's list of one server's tools): the request takes an instance of
   * the session's backends, as the session's own calls do.
   */
  public static CompletableFuture<ObjectNode> ask(SessionBackend backends, ObjectNode request, GatewayRuntime runtime) {
    return ask(backends, request, runtime, TraceSpan.NONE);
  }

  /**
   * As {@link #ask(SessionBackend, ObjectNode, GatewayRuntime)}, traced as a backend call of the
   * client request {@code parent}, which the call does not end (several calls may serve it).
   */
  public static CompletableFuture<ObjectNode> ask(SessionBackend backends, ObjectNode request, GatewayRuntime runtime,
      TraceSpan parent) {
    CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
    own(request, backends.server(), runtime, answer, Tracer.parentOnly(parent)).start(backends);
    return answer;
  }

  /** A call of the gateway's own whose answer completes {@code answer}, traced under {@code span} (which it ends). */
  private static BackendCall own(ObjectNode request, ServerConfig server, GatewayRuntime runtime, CompletableFuture<ObjectNode> answer,
      TraceSpan span) {
    Client client = new Client() {
      @Override
      public void answer(byte[] json) {
        try {
          answer.complete((ObjectNode) Json.parse(json));
        } catch (IOException | RuntimeException e) {
          answer.completeExceptionally(e);
        }
      }

      @Override
      public boolean related(byte[] json) {
        return false; // no client: carries no progress token, and a request to a client it causes is refused
      }

      @Override
      public void unavailable(BackendUnavailableException e, byte[] json) {
        answer.completeExceptionally(e);
      }
    };
    return new BackendCall(null, server.name(), "", LongNode.valueOf(0), request.get("method").asText(), request,
        server.toolTimeout().orElse(runtime.config().toolTimeout()), null, null, runtime, client, span);
  }

  /**
   * Sends a request of the gateway's own to {@code connection}, an instance the gateway chose,
   * once it is ready: no lease, since it is for the instance and not for a session. A connection
   * that fails to start fails the call. The call counts as in flight until it has its answer.
   */
  public void start(BackendConnection connection) {
    runtime.callStarted();
    if (session != null && !session.track(clientIdJson, this)) {
      // Another request with this id got past the client side's check at the same moment.
      onFailure(GatewayException.INVALID_REQUEST, duplicateId(clientIdJson));
      return;
    }
    leasedNanos = startedNanos;
    whenReady(connection);
  }

  private void whenReady(BackendConnection connection) {
    CompletableFuture<JsonNode> ready = connection.ready();
    if (ready.isDone() && !ready.isCompletedExceptionally()) {
      send(connection);
    } else {
      ready.whenComplete((result, startFailure) -> {
        if (startFailure != null) {
          fail(Failures.of(startFailure, server));
        } else {
          send(connection);
        }
      });
    }
  }

  /** The instance the call holds; null before it got one and after it ended. */
  public BackendSlot instance() {
    BackendLease held = lease.get();
    return held == null || held == ENDED ? null : held.slot();
  }

  private void send(BackendConnection connection) {
    if (done.get()) {
      return; // answered before it was sent: its session ended
    }
    connection.call(message, this);
    if (sessionOver && connection.abandon(backendId) != null) {
      cancelAtBackend(connection, SESSION_ENDED); // the session ended while the request was written
    }
  }

  /** The connection gave the request its id: the progress token follows it, and the timeout starts. */
  @Override
  public void sending(BackendConnection connection, long id) {
    this.connection = connection;
    this.backendId = id;
    if (progressToken != null) {
      // The backend-side id doubles as the progress token, so that progress finds its call.
      ((ObjectNode) message.get("params").get("_meta")).set("progressToken", LongNode.valueOf(id));
    }
    // the backend's span starts before the write, and its trace context goes with the request
    backendSpan = Tracer.backendCall(clientSpan, connection.serverConfig(), message, method, id);
    // Scheduled before the write, so that a fast answer always finds the timer to cancel. Time
    // spent waiting for an instance counts against the timeout.
    long left = Math.max(1, timeout.toNanos() - Math.max(0, leasedNanos - startedNanos));
    timer = runtime.scheduler().schedule(this::timedOut, left, TimeUnit.NANOSECONDS);
  }

  /**
   * Tells the call that {@code message} is the client's message exactly as read: unless the call
   * itself changes it (a progress token, a trace context) it is sent as the client's bytes with
   * the backend-side id spliced in. Not for a message anything changed since it was read.
   */
  public void asRead() {
    if (message instanceof ClientMessage read && progressToken == null && clientSpan == TraceSpan.NONE
        && (intercepted == null || !intercepted.paramsWritten())) {
      this.asRead = read;
    }
  }

  @Override
  public byte[] requestBytes(long id) {
    ClientMessage read = asRead;
    return read == null ? null : read.withId(id);
  }

  public SessionChannel session() {
    return session;
  }

  public String server() {
    return server;
  }

  /** The session key of the caller, whose payloads the call's large result joins. */
  public String callerKey() {
    return callerKey;
  }

  public String method() {
    return method;
  }

  /** When the call began, in {@link GatewayRuntime#nanoTime()}. */
  public long startedNanos() {
    return startedNanos;
  }

  /** Whether interceptors see the answer. */
  public boolean intercepted() {
    return intercepted != null;
  }

  public boolean isDone() {
    return done.get();
  }

  /**
   * The span requests of the backend to the client during this call are traced under: the
   * backend call's, else the client request's; {@link TraceSpan#NONE} when untraced.
   */
  public TraceSpan span() {
    TraceSpan backend = backendSpan;
    return backend != TraceSpan.NONE ? backend : clientSpan;
  }

  /**
   * A notification of the backend related to this call, for its client; progress gets the
   * client's token back. It goes on the call's stream, else on the session's {@code GET} stream;
   * with neither (a call whose answer cannot be a stream, and no {@code GET} stream open) it is
   * dropped.
   */
  public void related(ObjectNode message, boolean progress) {
    if (progress) {
      if (progressToken == null) {
        LOG.debug("Dropped a progress notification of server '{}' for a call that asked for none", server);
        return;
      }
      ((ObjectNode) message.get("params")).set("progressToken", progressToken);
    }
    boolean delivered = !done.get() ? client.related(Json.bytes(message))
        : session != null && session.sendStandalone(Json.bytes(message));
    if (!delivered) {
      LOG.debug("Dropped a notification of server '{}' for {}: no stream of its client can carry it", server, this);
    }
  }

  /**
   * A message of the backend related to this call, already rewritten for the client.
   *
   * @return whether a stream of the client took it
   */
  public boolean related(byte[] json) {
    return client.related(json);
  }

  /**
   * The backend asked this call's client for something that needs {@code capability}, which it
   * did not declare: when the client side ends the call for it, the backend hears
   * {@code notifications/cancelled}.
   */
  public void capabilityMissing(String capability) {
    if (!done.get() && client.capabilityMissing(capability)) {
      cancel("the client did not declare the '" + capability + "' capability");
    }
  }

  /** A response still in bytes: interceptors look at it there, and unchanged it goes out with the client's id spliced in. */
  public void onRawResponse(byte[] raw, ResponseScan scan) {
    TraceOutcome atBackend = traced() ? Tracer.outcome(raw, scan.isError()) : null;
    if (intercepted != null) {
      ObjectNode replaced = chain.responseRaw(intercepted, raw, scan.isError());
      if (replaced != null) {
        replaced.set("id", clientId);
        finish(Json.bytes(replaced), atBackend, atBackend == null ? null : Tracer.outcome(replaced));
        return;
      }
    }
    finish(scan.withId(raw, clientIdBytes), atBackend, atBackend);
  }

  @Override
  public void onResponse(ObjectNode message) {
    TraceOutcome atBackend = traced() ? Tracer.outcome(message) : null;
    if (intercepted != null) {
      message = chain.response(intercepted, message);
    }
    message.set("id", clientId);
    finish(Json.bytes(message), atBackend, atBackend == null ? null : Tracer.outcome(message));
  }

  @Override
  public void onFailure(int code, String message) {
    TraceOutcome failed = TraceOutcome.error(code);
    finish(Json.bytes(Json.rpcError(clientId, code, message)), failed, failed);
  }

  @Override
  public void onUnavailable(BackendUnavailableException e) {
    if (end()) {
      try {
        TraceOutcome failed = TraceOutcome.error(e.jsonRpcCode());
        endSpans(failed, failed);
        client.unavailable(e, Json.bytes(Json.rpcError(clientId, e.jsonRpcCode(), e.getMessage())));
      } finally {
        runtime.callEnded();
      }
    }
  }

  private boolean traced() {
    return clientSpan != TraceSpan.NONE;
  }

  /** Ends the backend's span with what the backend answered, and the client's with what the client gets. */
  private void endSpans(TraceOutcome atBackend, TraceOutcome toClient) {
    if (traced()) {
      Tracer.end(backendSpan, atBackend);
      Tracer.end(clientSpan, toClient);
    }
  }

  /** Fails the call with the code of {@code e}. */
  public void fail(GatewayException e) {
    if (e instanceof BackendUnavailableException) {
      onUnavailable((BackendUnavailableException) e);
    } else {
      onFailure(e.jsonRpcCode(), e.getMessage());
    }
  }

  /**
   * The client cancelled the call: the backend hears {@code notifications/cancelled} and the
   * client gets its answer at once. No-op when the answer is already on its way.
   */
  public void cancel(String reason) {
    LeaseRequest request = leaseRequest;
    if (request != null && lease.get() == null && request.withdraw()) {
      onFailure(CANCELLED, "request cancelled by the client"); // it was still waiting for an instance
      return;
    }
    BackendConnection c = connection;
    if (c == null || c.abandon(backendId) == null) {
      return; // not sent yet (it fails when its backend is ready or not), or answered already
    }
    cancelAtBackend(c, reason);
    onFailure(CANCELLED, "request cancelled by the client");
  }

  /**
   * The call's session ended ({@code DELETE}, expiry, a revoked key): the backend hears
   * {@code notifications/cancelled} and the client gets error -32800, which ends the call's
   * stream. A call not sent yet is never sent. No-op when the answer is on its way.
   *
   * @param how how the session ended, for the client: "ended", "expired"
   */
  public void sessionEnded(String how) {
    cancelAndAnswer(CANCELLED, "request cancelled: the session " + how + " before server '" + server + "' answered", SESSION_ENDED);
  }

  /**
   * The gateway closes with the call still in flight (past its drain): as {@link #sessionEnded},
   * and the client hears that the server stopped, as from any backend that stops under a call.
   */
  public void gatewayClosing() {
    cancelAndAnswer(GatewayException.BACKEND_ERROR, "server '" + server + "' stopped: stopped by the gateway", "the gateway is closing");
  }

  private void cancelAndAnswer(int code, String answer, String reason) {
    sessionOver = true; // before reading the connection: send() checks it after writing
    BackendConnection c = connection;
    if (c == null) {
      onFailure(code, answer);
      return;
    }
    if (c.abandon(backendId) == null) {
      return;
    }
    cancelAtBackend(c, reason);
    onFailure(code, answer);
  }

  private void timedOut() {
    BackendConnection c = connection;
    if (c == null || c.abandon(backendId) == null) {
      return;
    }
    LOG.warn("Server '{}' did not answer {} within {} s", server, method, timeout.toSeconds());
    onFailure(GatewayException.TIMEOUT, "server '" + server + "' did not answer " + method + " within " + timeout.toSeconds() + " s");
    cancelAtBackend(c, "timed out at the gateway");
    c.probeAfterTimeout(timeout);
  }

  private void cancelAtBackend(BackendConnection c, String reason) {
    ObjectNode cancel = Json.object();
    cancel.put("jsonrpc", "2.0");
    cancel.put("method", "notifications/cancelled");
    ObjectNode params = cancel.putObject("params");
    params.put("requestId", backendId);
    params.put("reason", reason);
    try {
      c.send(cancel);
    } catch (IOException e) {
      LOG.debug("Could not send a cancellation to server '{}': {}", server, e.getMessage());
    }
  }

  private void finish(byte[] json, TraceOutcome atBackend, TraceOutcome toClient) {
    if (end()) {
      try {
        endSpans(atBackend, toClient);
        client.answer(json);
      } finally {
        runtime.callEnded();
      }
    }
  }

  /**
   * Marks the call answered; true for the one caller that gets to hand the answer over, which
   * counts the call ended once the client has it (so that the gateway's drain at close does not
   * end the call's stream before its answer is on it).
   */
  private boolean end() {
    if (!done.compareAndSet(false, true)) {
      return false;
    }
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
    ScheduledFuture<?> waiting = leaseTimer;
    if (waiting != null) {
      waiting.cancel(false);
    }
    LeaseRequest request = leaseRequest;
    if (request != null) {
      request.withdraw(); // ended while it waited for an instance (its session ended, say): it waits no more
    }
    if (session != null) {
      session.untrack(clientIdJson, this);
    }
    BackendLease held = lease.getAndSet(ENDED);
    if (held != null && held != ENDED) {
      held.release();
    }
    return true;
  }

  /** The error for a request whose id is in flight in its session already. */
  public static String duplicateId(String clientIdJson) {
    return "a request with id " + clientIdJson + " is already in flight in this session; use unique ids";
  }

  @Override
  public String toString() {
    return method + " " + clientIdJson + " on '" + server + "'";
  }
}
