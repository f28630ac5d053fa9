package dev.mcpgateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.connection.BackendCall;
import dev.mcpgateway.internal.connection.BackendConnection;
import dev.mcpgateway.internal.connection.BackendSettings;
import dev.mcpgateway.internal.connection.BackendSlot;
import dev.mcpgateway.internal.connection.BackendUnavailableException;
import dev.mcpgateway.internal.connection.Failures;
import dev.mcpgateway.internal.connection.GatewayRuntime;
import dev.mcpgateway.internal.connection.SessionBackend;
import dev.mcpgateway.internal.intercept.InterceptorChain;
import dev.mcpgateway.internal.intercept.Tracer;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.internal.session.StreamRegistry;
import dev.mcpgateway.trace.TraceOutcome;
import dev.mcpgateway.trace.TraceSpan;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's message on its way to the session's backend: validate, pass the interceptor
 * chain, call; shared by the routed and the unified endpoints.
 */
public final class CallForwarder {
  private static final Logger LOG = LoggerFactory.getLogger(CallForwarder.class);

  private final GatewayConfig config;
  private final GatewayRuntime runtime;
  private final InterceptorChain chain;
  private final StreamRegistry streams;

  public CallForwarder(GatewayConfig config, GatewayRuntime runtime, InterceptorChain chain, StreamRegistry streams) {
    this.config = config;
    this.runtime = runtime;
    this.chain = chain;
    this.streams = streams;
  }

  /**
   * Tells the interceptors (the audit trail among them) of a message refused at the gate. The
   * view they get carries the method and params, bounded, never the raw message.
   */
  public void refused(String server, Identity identity, MessageGate.Verdict verdict) {
    if (chain.isEmpty()) {
      return;
    }
    ObjectNode view = Json.object();
    view.put("jsonrpc", "2.0");
    String method = verdict.method() != null ? verdict.method() : "(invalid message)";
    view.put("method", method);
    if (verdict.id() != null && !verdict.id().isNull()) {
      view.set("id", verdict.id());
    }
    JsonNode params = verdict.message() == null ? null : verdict.message().get("params");
    if (params != null && params.isObject()) {
      view.set("params", params);
    }
    chain.refused(new InterceptorChain.Call(server, identity, method, view), verdict.reason());
  }

  /**
   * A client request to the session's backend: validate, chain, call.
   *
   * @param span the span of the request, {@link TraceSpan#NONE} when untraced; ended with the answer
   * @param asRead whether {@code message} is exactly as the client's body has it: nothing changed it since
   */
  public CompletionStage<GatewayResponse> forward(LiveSession session, ObjectNode message, JsonNode id, String method,
      Http.Accept accept, TraceSpan span, boolean asRead) {
    String idJson = Json.idText(id);
    if (session.inFlight(idJson) != null) {
      Tracer.end(span, TraceOutcome.error(GatewayException.INVALID_REQUEST));
      return done(Http.rpcError(400, id, GatewayException.INVALID_REQUEST, BackendCall.duplicateId(idJson)));
    }
    SessionBackend backend = session.backend();
    if (backend == null || backend.hasEnded()) {
      Tracer.end(span, TraceOutcome.error(GatewayException.INVALID_REQUEST));
      return done(Http.rpcError(404, id, GatewayException.INVALID_REQUEST, "session has ended; send initialize again"));
    }
    InterceptorChain.Call intercepted = null;
    if (!chain.isEmpty()) {
      intercepted = new InterceptorChain.Call(session.server(), session.identity(), method, message);
      String denial = chain.request(intercepted);
      if (denial != null) {
        Tracer.end(span, TraceOutcome.error(GatewayException.DENIED));
        // A denial is an answer like any other: HTTP 200, as JSON or as one SSE event.
        return done(ClientSessions.single(accept, session, Json.bytes(Json.rpcError(id, GatewayException.DENIED, denial))));
      }
    }
    if (BackendSettings.handles(method)) {
      return setting(session, backend, message, id, method, accept, intercepted, span);
    }
    ClientExchange exchange = new ClientExchange(session, accept.json(), accept.sse(), Map.of());
    if (accept.sse()) {
      // A call that stays silent for a keep-alive interval is answered as a stream, so that
      // keep-alive comments reach the client: nothing in between cuts a long tool call.
      exchange.streamTimer(runtime.scheduler().schedule(exchange::streamIfPending,
          streams.interval().toMillis(), TimeUnit.MILLISECONDS));
    }
    call(session, backend, message, id, method, intercepted, exchange, span, asRead);
    return exchange.response();
  }

  /**
   * A client request that another client side answers (the stateless revision's bridge): the
   * request phase of the chain, then the call. That client side runs the answer phase on what it
   * answers.
   *
   * @param span the span the backend call is traced under, which the call ends; {@link TraceSpan#NONE} when untraced
   */
  public Started start(LiveSession session, ObjectNode message, JsonNode id, String method, BackendCall.Client client,
      TraceSpan span) {
    String idJson = Json.idText(id);
    if (session.inFlight(idJson) != null) {
      return Started.refused(Json.bytes(Json.rpcError(id, GatewayException.INVALID_REQUEST, BackendCall.duplicateId(idJson))));
    }
    SessionBackend backend = session.backend();
    if (backend == null || backend.hasEnded()) {
      return Started.refused(Json.bytes(Json.rpcError(id, GatewayException.INTERNAL_ERROR, "the backend of server '"
          + session.server() + "' ended; send the request again")));
    }
    InterceptorChain.Call intercepted = null;
    if (!chain.isEmpty()) {
      intercepted = new InterceptorChain.Call(session.server(), session.identity(), method, message);
      String denial = chain.request(intercepted);
      if (denial != null) {
        return Started.refused(Json.bytes(Json.rpcError(id, GatewayException.DENIED, denial)));
      }
    }
    // the client side runs the answer phase of the chain itself, on every answer it gives
    call(session, backend, message, id, method, null, client, span, false);
    return new Started(null, intercepted);
  }

  /**
   * A call {@link #start} started, with the chain's view of its request (null when the chain is
   * empty); or the answer that refused it.
   */
  public record Started(byte[] refusal, InterceptorChain.Call intercepted) {
    static Started refused(byte[] json) {
      return new Started(json, null);
    }
  }

  private void call(LiveSession session, SessionBackend backend, ObjectNode message, JsonNode id, String method,
      InterceptorChain.Call intercepted, BackendCall.Client exchange, TraceSpan span, boolean asRead) {
    ServerConfig server = backend.server();
    BackendCall call = new BackendCall(session, server.name(), session.identity().sessionKey(), id, method, message, server.toolTimeout().orElse(config.toolTimeout()),
        chain, intercepted, runtime, exchange, span);
    if (asRead) {
      call.asRead();
    }
    call.start(backend);
  }

  /**
   * A log level or a resource subscription of the session: kept per session by the
   * {@link BackendSettings} of the backends that serve it, which tells them only what the union of
   * their sessions needs.
   */
  private CompletionStage<GatewayResponse> setting(LiveSession session, SessionBackend backend, ObjectNode message, JsonNode id,
      String method, Http.Accept accept, InterceptorChain.Call intercepted, TraceSpan span) {
    ClientExchange exchange = new ClientExchange(session, accept.json(), accept.sse(), Map.of());
    if (accept.sse()) {
      // it may wait for the backend's answers to the settings asked before it: keep-alives flow meanwhile
      exchange.streamTimer(runtime.scheduler().schedule(exchange::streamIfPending, streams.interval().toMillis(), TimeUnit.MILLISECONDS));
    }
    String server = backend.server().name();
    backend.settings().request(session, method, message.get("params")).whenComplete((answer, failure) -> {
      if (failure != null) {
        GatewayException e = Failures.of(failure, server);
        Tracer.end(span, TraceOutcome.error(e.jsonRpcCode()));
        byte[] json = Json.bytes(Json.rpcError(id, e.jsonRpcCode(), e.getMessage()));
        if (e instanceof BackendUnavailableException) {
          exchange.unavailable((BackendUnavailableException) e, json);
        } else {
          exchange.answer(json);
        }
        return;
      }
      ObjectNode response = Json.object();
      response.put("jsonrpc", "2.0");
      response.set("id", id);
      String field = answer.has("error") ? "error" : "result";
      response.set(field, answer.get(field));
      try {
        if (intercepted != null) {
          response = chain.response(intercepted, response);
          response.set("id", id);
        }
      } catch (RuntimeException | Error e) {
        LOG.error("Handling the answer to {} of server '{}' failed; the client gets an error", method, server, e);
        response = Json.rpcError(id, GatewayException.INTERNAL_ERROR, "the answer of server '" + server
            + "' could not be delivered: the gateway failed on it (" + e.getClass().getSimpleName() + ")");
      }
      Tracer.end(span, Tracer.outcome(response));
      exchange.answer(Json.bytes(response));
    });
    return exchange.response();
  }

  public GatewayResponse notification(LiveSession session, ObjectNode message, String method) {
    if ("notifications/initialized".equals(method)) {
      return GatewayResponse.empty(202); // the gateway initialized the backend itself
    }
    SessionBackend backend = session.backend();
    if (backend == null || backend.hasEnded()) {
      return Http.error(404, "session has ended; send initialize again");
    }
    if ("notifications/cancelled".equals(method)) {
      JsonNode requestId = message.path("params").get("requestId");
      BackendCall call = requestId == null ? null : session.inFlight(Json.idText(requestId));
      if (call != null) {
        call.cancel(message.path("params").path("reason").asText("cancelled by the client"));
      }
      return GatewayResponse.empty(202); // else finished already, or never reached a backend
    }
    // To the instance the session holds or last held: a session that can receive server requests
    // tells no instance another session holds, nor one that never served it.
    BackendSlot slot = backend.notificationTarget();
    BackendConnection connection = slot == null ? null : slot.connection();
    if (connection == null) {
      LOG.debug("Dropped {} of a session that holds no backend instance of server '{}'", method, session.server());
      return GatewayResponse.empty(202);
    }
    CompletableFuture<JsonNode> ready = connection.ready();
    ready.thenRun(() -> {
      try {
        connection.send(message);
      } catch (IOException e) {
        LOG.debug("Could not forward {} to server '{}': {}", method, session.server(), e.getMessage());
      }
    });
    return GatewayResponse.empty(202);
  }

  private static CompletionStage<GatewayResponse> done(GatewayResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
