package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.backend.Backend;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.backend.BackendListener;
import dev.mcpgateway.backend.ChunkedMessage;
import dev.mcpgateway.backend.LaunchRequest;
import dev.mcpgateway.backend.MessageSink;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.jsonrpc.ResponseScan;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running backend of a {@link BackendSlot}: starts it, initializes it once, rewrites
 * JSON-RPC ids so that every response reaches the request that asked, and routes what the
 * backend sends on its own to the right client.
 */
public final class BackendConnection implements BackendListener {
  private static final Logger LOG = LoggerFactory.getLogger(BackendConnection.class);
  /** The longest a health probe after a timed-out call waits for its {@code ping} answer. */
  public static final Duration MAX_PROBE_TIMEOUT = Duration.ofSeconds(30);

  private final BackendSlot slot;
  private final String server;
  private final GatewayRuntime runtime;
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentHashMap<Long, PendingCall> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile Backend backend;
  private volatile boolean closing;
  /** Why the remote could not be reached, once the backend said so; null otherwise. */
  private volatile String unavailable;
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile String hungReason;
  private volatile long readyNanos;

  public BackendConnection(BackendSlot slot, GatewayRuntime runtime) {
    this.slot = slot;
    this.server = slot.server().name();
    this.runtime = runtime;
  }

  /** Completes with the backend's {@code initialize} result once it is started and initialized. */
  public CompletableFuture<JsonNode> ready() {
    return ready;
  }

  public boolean isUsable() {
    return !ended.get() && !closing && (!ready.isDone() || !ready.isCompletedExceptionally());
  }

  /** When the backend answered {@code initialize}, in {@link GatewayRuntime#nanoTime()}. */
  public long readyNanos() {
    return readyNanos;
  }

  /** Whether the backend got as far as answering {@code initialize}. */
  public boolean wasStarted() {
    return ready.isDone() && !ready.isCompletedExceptionally();
  }

  public boolean isRunning() {
    Backend b = backend;
    return ready.isDone() && !ready.isCompletedExceptionally() && !ended.get() && b != null && b.isAlive();
  }

  /** Launches the backend on a launch thread and initializes it with {@code initializeParams}. */
  public void start(ObjectNode initializeParams) {
    Duration startupTimeout = slot.server().startupTimeout().orElse(runtime.config().startupTimeout());
    runtime.launchExecutor().execute(() -> launch(initializeParams, startupTimeout));
    runtime.scheduler().schedule(() -> {
      if (ready.completeExceptionally(new GatewayException(503, GatewayException.BACKEND_ERROR,
          "server '" + server + "' did not start within " + startupTimeout.toSeconds() + " s" + slot.imageHint()))) {
        LOG.warn("Server '{}' did not start within {} s; stopping it", server, startupTimeout.toSeconds());
        close();
      }
    }, startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void launch(ObjectNode initializeParams, Duration startupTimeout) {
    BackendLauncher launcher = runtime.launcher(slot.server());
    try {
      LaunchRequest request = LaunchRequest.builder(slot.server(), this)
          .sessionKey(slot.owner())
          .environment(runtime.environmentFor(slot.server()))
          .maxMessageBytes(runtime.maxMessageBytes())
          .startupTimeout(startupTimeout)
          .redactor(runtime.redactor().forServer(server))
          .build();
      Backend started = launcher.launch(request);
      backend = started;
      if (closing || ready.isDone()) {
        started.close();
        return;
      }
      ObjectNode initialize = Json.object();
      initialize.put("jsonrpc", "2.0");
      initialize.put("method", "initialize");
      initialize.set("params", initializeParams);
      call(initialize, new PendingCall() {
        @Override
        public void onResponse(ObjectNode message) {
          JsonNode error = message.get("error");
          if (error != null) {
            failStart("server '" + server + "' refused initialize: " + error.path("message").asText("no message"));
            return;
          }
          JsonNode result = message.get("result");
          if (result == null || !result.isObject()) {
            failStart("server '" + server + "' answered initialize without a result object");
            return;
          }
          try {
            ObjectNode initialized = Json.object();
            initialized.put("jsonrpc", "2.0");
            initialized.put("method", "notifications/initialized");
            started.send(Json.bytes(initialized));
          } catch (IOException e) {
            failStart("server '" + server + "' stopped during initialization: " + e.getMessage());
            return;
          }
          LOG.info("Server '{}' is ready ({}, {})", server, started.describe(),
              result.path("serverInfo").path("name").asText("unnamed"));
          if (ready.isDone()) {
            return; // timed out meanwhile
          }
          // Recorded before ready completes, so that whoever sees the backend running sees its start.
          readyNanos = runtime.nanoTime();
          slot.started(started.describe());
          ready.complete(result);
        }

        @Override
        public void onFailure(int code, String message) {
          failStart(message);
        }
      });
    } catch (IOException | RuntimeException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (!message.contains("'" + server + "'")) {
        message = "server '" + server + "' could not start: " + message;
      }
      if (e instanceof RuntimeException) {
        LOG.error("Launcher failed for server '{}'", server, e);
      }
      failStart(message);
    }
  }

  /** A text the backend produced, redacted for a log, an error or {@code /health}. */
  public String redacted(String text) {
    return runtime.redactor().text(server, text);
  }

  private void failStart(String said) {
    // what the backend said (a refused initialize, a launcher's error) reaches clients, /health and the log
    String message = redacted(said);
    if (!ready.isDone()) {
      // recorded before the future completes, so that whoever it wakes sees the error in /health
      slot.startFailed(message);
      GatewayException failure = unavailable != null ? new BackendUnavailableException(server, message)
          : new GatewayException(503, GatewayException.BACKEND_ERROR, message);
      if (ready.completeExceptionally(failure)) {
        LOG.warn("Server '{}' failed to start: {}", server, message);
      }
    }
    close();
  }

  /** The configuration of the server this connection runs. */
  public dev.mcpgateway.config.ServerConfig serverConfig() {
    return slot.server();
  }

  /**
   * Sends a request with a fresh backend-side id, the one way requests reach the backend: the
   * id is set in {@code request}, {@code call} hears {@link PendingCall#sending} before the
   * write, then the answer or the failure.
   *
   * @return the backend-side id
   */
  public long call(ObjectNode request, PendingCall call) {
    long id = ids.incrementAndGet();
    request.set("id", LongNode.valueOf(id));
    pending.put(id, call);
    call.sending(this, id);
    if (ended.get()) {
      pending.remove(id);
      if (unavailable != null) {
        call.onUnavailable(new BackendUnavailableException(server, unavailableMessage(unavailable)));
      } else {
        call.onFailure(GatewayException.BACKEND_ERROR, "server '" + server + "' has stopped");
      }
      return id;
    }
    try {
      byte[] bytes = call.requestBytes(id);
      backend.send(bytes != null ? bytes : Json.bytes(request));
    } catch (IOException e) {
      if (pending.remove(id) != null) {
        call.onFailure(GatewayException.BACKEND_ERROR, "server '" + server + "' is not accepting requests: " + e.getMessage());
      }
    }
    return id;
  }

  /** Gives up waiting for request {@code id} (timeout); returns the call if it was still pending. */
  public PendingCall abandon(long id) {
    return pending.remove(id);
  }

  /**
   * A call to this backend timed out: probes it with a {@code ping}. A backend that answers
   * neither the call nor the ping within {@code timeout} (at most {@link #MAX_PROBE_TIMEOUT}) is
   * hung: its calls in flight fail and it is closed, so that the next call starts a fresh one.
   * A backend that answers the ping is only slow and stays. One probe at a time.
   */
  public void probeAfterTimeout(Duration timeout) {
    if (ended.get() || closing || !probing.compareAndSet(false, true)) {
      return;
    }
    Duration wait = timeout.compareTo(MAX_PROBE_TIMEOUT) > 0 ? MAX_PROBE_TIMEOUT : timeout;
    ObjectNode ping = Json.object();
    ping.put("jsonrpc", "2.0");
    ping.put("method", "ping");
    call(ping, new PendingCall() {
      private volatile java.util.concurrent.ScheduledFuture<?> timer;

      @Override
      public void sending(BackendConnection connection, long id) {
        timer = runtime.scheduler().schedule(() -> {
          if (pending.remove(id) != null) {
            // closing blocks until the process is gone: not on the timer thread
            runtime.launchExecutor().execute(() -> replaceHung("it is hung: it answered neither a request nor a ping within "
                + wait.toMillis() + " ms; the next call starts a fresh one"));
          }
        }, wait.toMillis(), TimeUnit.MILLISECONDS);
      }

      @Override
      public void onResponse(ObjectNode message) {
        timer.cancel(false);
        probing.set(false);
      }

      @Override
      public void onFailure(int code, String message) {
        timer.cancel(false);
        probing.set(false);
      }
    });
  }

  private void replaceHung(String reason) {
    if (ended.get() || closing) {
      return;
    }
    LOG.warn("Server '{}' ({}) is replaced: {}", server, describe(), reason);
    hungReason = reason;
    closing = true; // no new calls reach it; the slot starts a fresh backend on next use
    failPending("server '" + server + "' stopped: " + reason);
    close();
  }

  private void failPending(String message) {
    for (Map.Entry<Long, PendingCall> entry : pending.entrySet()) {
      if (pending.remove(entry.getKey(), entry.getValue())) {
        if (unavailable != null) {
          entry.getValue().onUnavailable(new BackendUnavailableException(server, message));
        } else {
          entry.getValue().onFailure(GatewayException.BACKEND_ERROR, message);
        }
      }
    }
  }

  /** Sends a notification or a response as it is. */
  public void send(ObjectNode message) throws IOException {
    Backend b = backend;
    if (b == null || ended.get()) {
      throw new IOException("server '" + server + "' has stopped");
    }
    b.send(Json.bytes(message));
  }

  /**
   * Answers the backend's own request {@code id} (a server-to-client request) with a JSON-RPC
   * error, so that it does not wait for an answer that will not come. A backend that stopped
   * needs no answer.
   */
  public void refuse(JsonNode id, String message) {
    refuse(id, GatewayException.INTERNAL_ERROR, message);
  }

  /** As {@link #refuse(JsonNode, String)}, with the JSON-RPC error {@code code}. */
  public void refuse(JsonNode id, int code, String message) {
    try {
      send(Json.rpcError(id, code, message));
    } catch (IOException e) {
      LOG.debug("Could not answer a request of server '{}': {}", server, e.getMessage());
    }
  }

  /** The client calls waiting for this backend's answer. */
  public List<BackendCall> callsInFlight() {
    List<BackendCall> list = new ArrayList<>();
    for (PendingCall call : pending.values()) {
      if (call instanceof BackendCall) {
        list.add((BackendCall) call);
      }
    }
    return list;
  }

  /** The client call waiting for the answer to backend-side id {@code backendId}; null when none is. */
  public BackendCall clientCall(long backendId) {
    PendingCall call = pending.get(backendId);
    return call instanceof BackendCall ? (BackendCall) call : null;
  }

  @Override
  public void onMessage(byte[] bytes) {
    LargeResults offloader = runtime.offloader();
    if (offloader != null && offloader.mayOffload(bytes.length) && offloader.tryOffload(this, bytes)) {
      return;
    }
    dispatch(bytes);
  }

  /** A large result is offloaded straight from its chunks; anything else is gathered and handled as usual. */
  @Override
  public void onLargeMessage(ChunkedMessage message) {
    LargeResults offloader = runtime.offloader();
    if (offloader != null && offloader.mayOffload(message.length()) && offloader.tryOffload(this, message)) {
      return;
    }
    dispatch(message.toArray());
  }

  /**
   * Messages past the payload threshold (and past 1 MiB, below which gathering costs little) are
   * taken in as they arrive, by a spooling sink ({@link LargeResults#spool}); without a payload store, all are gathered.
   */
  @Override
  public long streamMessagesOverBytes() {
    LargeResults offloader = runtime.offloader();
    return offloader == null ? Long.MAX_VALUE : Math.max(offloader.threshold(), STREAM_OVER_BYTES);
  }

  public static final long STREAM_OVER_BYTES = 1024 * 1024;

  @Override
  public MessageSink openMessage() {
    return runtime.offloader().spool(this, server);
  }

  /** A message that was spooled and is not a payload, put back together: handled as any other. */
  public void deliverWhole(byte[] bytes) {
    dispatch(bytes);
  }

  private void dispatch(byte[] bytes) {
    if (answerInPlace(bytes)) {
      return;
    }
    JsonNode node;
    try {
      node = Json.parse(bytes);
    } catch (IOException e) {
      LOG.warn("Discarded a message from server '{}' that is not JSON ({} bytes)", server, bytes.length);
      return;
    }
    if (node == null || !node.isObject()) {
      LOG.warn("Discarded a message from server '{}' that is not a JSON-RPC object", server);
      return;
    }
    ObjectNode message = (ObjectNode) node;
    JsonNode method = message.get("method");
    if (method == null) {
      onResponse(message);
      return;
    }
    // Notifications and the backend's requests to clients pass every redaction before they are routed.
    runtime.redactor().message(server, message);
    if (message.hasNonNull("id")) {
      runtime.router().serverRequest(this, slot, message);
    } else {
      runtime.router().serverNotification(this, slot, message, method.asText());
    }
  }

  /**
   * The fast path for the common case: a response to a client's request is checked by the
   * interceptors on its bytes and, when none changes it, gets the client's id spliced in,
   * without a tree being built.
   */
  private boolean answerInPlace(byte[] bytes) {
    ResponseScan scan = ResponseScan.of(bytes);
    if (scan == null) {
      return false;
    }
    PendingCall call = pending.get(scan.id());
    if (!(call instanceof BackendCall) || !pending.remove(scan.id(), call)) {
      return false;
    }
    BackendCall exchange = (BackendCall) call;
    if (exchange.intercepted() && !pending.isEmpty() && runtime.answersAreSlow()) {
      // Other requests wait on this reader and the interceptors have been slow: they run on an
      // answer thread, so that policies on one answer do not hold up the next. Fast
      // interceptors run here: a hand-off would cost more than they do.
      runtime.answer(() -> timed(exchange, bytes, scan));
    } else {
      timed(exchange, bytes, scan);
    }
    return true;
  }

  private void timed(BackendCall exchange, byte[] bytes, ResponseScan scan) {
    if (runtime.redactor().secretIn(server, bytes)) {
      // An environment secret in the answer: it goes the tree way, without the secret.
      try {
        ObjectNode message = (ObjectNode) Json.parse(bytes);
        runtime.redactor().secrets(server, message);
        exchange.onResponse(message);
      } catch (IOException | RuntimeException e) {
        LOG.warn("Discarded an answer of server '{}' that could not be redacted ({} bytes)", server, bytes.length);
        exchange.onFailure(GatewayException.BACKEND_ERROR, "server '" + server + "' sent an answer that could not be read");
      }
      return;
    }
    try {
      if (!exchange.intercepted()) {
        exchange.onRawResponse(bytes, scan);
        return;
      }
      long start = runtime.nanoTime();
      exchange.onRawResponse(bytes, scan);
      runtime.answerTook(runtime.nanoTime() - start);
    } catch (RuntimeException | Error e) {
      undelivered(exchange, e);
    }
  }

  private void onResponse(ObjectNode message) {
    JsonNode id = message.get("id");
    if (id == null || !id.canConvertToLong() || (!message.has("result") && !message.has("error"))) {
      LOG.warn("Discarded a message from server '{}' that is neither request, notification nor response", server);
      return;
    }
    PendingCall call = pending.remove(id.longValue());
    if (call == null) {
      LOG.warn("Discarded a response from server '{}' to id {} that no request is waiting for", server, id);
      return;
    }
    try {
      if (call instanceof BackendCall) {
        runtime.redactor().secrets(server, message); // the client call's interceptors redact the rest
      } else {
        runtime.redactor().message(server, message); // initialize, pings: every redaction
      }
      call.onResponse(message);
    } catch (RuntimeException | Error e) {
      undelivered(call, e);
    }
  }

  /**
   * A call whose answer the gateway failed on (a bug, an interceptor's Error, the heap): it gets
   * an error naming the server at once instead of waiting for its timeout, and this thread goes
   * on with the backend's next message.
   */
  private void undelivered(PendingCall call, Throwable e) {
    LOG.error("Handling a response of server '{}' failed; the call gets an error", server, e);
    try {
      call.onFailure(GatewayException.INTERNAL_ERROR, "the answer of server '" + server
          + "' could not be delivered: the gateway failed on it (" + e.getClass().getSimpleName() + ")");
    } catch (RuntimeException | Error again) {
      LOG.error("Failing a call of server '{}' failed too", server, again);
    }
  }

  @Override
  public void onUnavailable(String reason) {
    unavailable = redacted(reason);
  }

  /** Why the backend ended, when it was because its remote could not be reached; null otherwise. */
  public String unavailableMessage() {
    String reason = unavailable;
    return reason == null ? null : unavailableMessage(reason);
  }

  private String unavailableMessage(String reason) {
    return "server '" + server + "' is unavailable: " + reason + "; the gateway keeps trying in the background";
  }

  @Override
  public void onExit(String exitReason) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    String reason = redacted(exitReason);
    String hung = hungReason;
    // decided before failStart, which closes and so sets closing even for a crash
    String unexpected = hung != null ? hung : closing ? null : reason;
    String message = unavailable != null ? unavailableMessage(unavailable)
        : "server '" + server + "' stopped: " + (hung != null ? hung : reason);
    if (unavailable != null) {
      // recorded before anyone hears of it, so that /health already says so
      runtime.health(server).unreachable(message);
    }
    failStart(message);
    failPending(message);
    slot.connectionEnded(this, unexpected);
  }

  /** Stops the backend; idempotent, blocks until it is gone. */
  public void close() {
    closing = true;
    Backend b = backend;
    if (b != null) {
      try {
        b.close();
      } catch (RuntimeException e) {
        LOG.error("Closing server '{}' ({}) failed", server, b.describe(), e);
      }
    }
    onExit("stopped by the gateway");
  }

  public String describe() {
    Backend b = backend;
    return b == null ? "starting" : b.describe();
  }
}
