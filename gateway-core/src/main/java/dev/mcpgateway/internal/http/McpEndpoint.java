package dev.mcpgateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.connection.BackendPool;
import dev.mcpgateway.internal.connection.BackendUnavailableException;
import dev.mcpgateway.internal.connection.Failures;
import dev.mcpgateway.internal.connection.SessionBackend;
import dev.mcpgateway.internal.intercept.Listeners;
import dev.mcpgateway.internal.intercept.Tracer;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.internal.session.SseStream;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.trace.TraceOutcome;
import dev.mcpgateway.trace.TraceSpan;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The MCP Streamable HTTP endpoint {@code /mcp/{server}}: POST messages, GET a stream, DELETE a session. */
public final class McpEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(McpEndpoint.class);
  /** The most messages one batch may hold. */
  public static final int MAX_BATCH = 256;

  private final ClientSessions sessions;
  private final CallForwarder forwarder;
  private final BackendPool pool;
  private final RateLimiter rateLimiter;
  private final Listeners listeners;
  private final StatelessRoute stateless;
  private final Tracer tracer;

  public McpEndpoint(ClientSessions sessions, CallForwarder forwarder, BackendPool pool, RateLimiter rateLimiter, Listeners listeners,
      StatelessRoute stateless, Tracer tracer) {
    this.tracer = tracer;
    this.listeners = listeners;
    this.stateless = stateless;
    this.sessions = sessions;
    this.forwarder = forwarder;
    this.pool = pool;
    this.rateLimiter = rateLimiter;
  }

  /**
   * A POST to {@code /mcp/{server}}.
   *
   * @param epoch the revocation epoch read before {@code identity} was authenticated
   */
  public CompletionStage<GatewayResponse> post(GatewayRequest request, ServerConfig server, Identity identity, long epoch) {
    Http.Post post = Http.post(request);
    if (post.error() != null) {
      return done(post.error());
    }
    Http.Accept accept = post.accept();
    JsonNode body = post.body();
    if (body.isArray()) {
      return batch(request, (com.fasterxml.jackson.databind.node.ArrayNode) body, server, identity, accept);
    }
    if (StatelessRoute.claims(request, body)) {
      return stateless.post(request, body, accept, server, identity, epoch);
    }
    MessageGate.Verdict verdict = MessageGate.classify(body);
    if (verdict.refused()) {
      forwarder.refused(server.name(), identity, verdict);
      return done(Http.rpcError(400, verdict.id(), verdict.code(), verdict.reason()));
    }
    ObjectNode message = verdict.message();
    JsonNode id = verdict.id();
    String method = verdict.method();
    if ("initialize".equals(method)) {
      return initialize(request, message, id, server, identity, accept, epoch);
    }
    ClientSessions.SessionLookup lookup = sessions.find(request, server.name(), identity);
    if (lookup.error() != null) {
      return done(lookup.error());
    }
    LiveSession session = lookup.session();
    switch (verdict.kind()) {
      case REQUEST:
        return forwarder.forward(session, message, id, method, accept,
            tracer.clientRequest(request, server.name(), message, method, session.id(), session.protocolVersion()), true);
      case NOTIFICATION:
        return done(forwarder.notification(session, message, method));
      default:
        return done(sessions.clientResponse(session, message, id));
    }
  }

  /**
   * A JSON-RPC batch: only in sessions that negotiated 2025-03-26, the last revision that has
   * them. The session's revision decides, as for everything a revision changes; the
   * {@code MCP-Protocol-Version} header, checked by {@link ClientSessions#find}, cannot change it.
   */
  private CompletionStage<GatewayResponse> batch(GatewayRequest request, com.fasterxml.jackson.databind.node.ArrayNode batch,
      ServerConfig server, Identity identity, Http.Accept accept) {
    ClientSessions.SessionLookup lookup = sessions.find(request, server.name(), identity);
    if (lookup.error() != null) {
      return done(lookup.error());
    }
    String version = lookup.session().protocolVersion();
    if (!version.equals(ClientSessions.BATCH_VERSION)) {
      return done(Http.rpcError(400, null, GatewayException.INVALID_REQUEST, "JSON-RPC batches are not supported in protocol revision "
          + version + ", which this session negotiated (they were removed after " + ClientSessions.BATCH_VERSION
          + "); send one message per request"));
    }
    if (batch.isEmpty()) {
      return done(Http.rpcError(400, null, GatewayException.INVALID_REQUEST, "invalid request: the batch is empty"));
    }
    if (batch.size() > MAX_BATCH) {
      return done(Http.rpcError(400, null, GatewayException.INVALID_REQUEST, "invalid request: a batch may hold at most "
          + MAX_BATCH + " messages, this one holds " + batch.size()));
    }
    LiveSession session = lookup.session();
    List<CompletableFuture<byte[]>> answers = new java.util.ArrayList<>();
    int calls = 0;
    for (JsonNode element : batch) {
      MessageGate.Verdict verdict = MessageGate.classify(element);
      // The HTTP request paid for the first call; every further call takes a token of its own.
      boolean limited = verdict.kind() == MessageGate.Kind.REQUEST && calls++ > 0
          && rateLimiter.acquire(identity.sessionKey(), server).isPresent();
      answers.add(batchElement(request, session, verdict, limited));
    }
    return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
      // The answers go out as they came, byte for byte: each carries its id exactly as the client wrote it.
      List<byte[]> responses = new java.util.ArrayList<>();
      for (CompletableFuture<byte[]> answer : answers) {
        byte[] json = answer.join();
        if (json != null) {
          responses.add(json);
        }
      }
      if (responses.isEmpty()) {
        return GatewayResponse.empty(202);
      }
      if (accept.json()) {
        return GatewayResponse.json(200, jsonArray(responses));
      }
      SseStream stream = session.newStream();
      for (byte[] response : responses) {
        stream.send(response);
      }
      stream.close();
      return GatewayResponse.stream(200, stream.connect(-1));
    });
  }

  /** {@code [a,b,...]} of JSON texts. */
  private static byte[] jsonArray(List<byte[]> elements) {
    java.io.ByteArrayOutputStream array = new java.io.ByteArrayOutputStream();
    array.write('[');
    for (int i = 0; i < elements.size(); i++) {
      if (i > 0) {
        array.write(',');
      }
      array.writeBytes(elements.get(i));
    }
    array.write(']');
    return array.toByteArray();
  }

  /** One element of a batch: the JSON of its response, or null for notifications and responses. */
  private CompletableFuture<byte[]> batchElement(GatewayRequest request, LiveSession session, MessageGate.Verdict verdict,
      boolean rateLimited) {
    if (verdict.refused()) {
      forwarder.refused(session.server(), session.identity(), verdict);
      return CompletableFuture.completedFuture(Json.bytes(Json.rpcError(verdict.id(), verdict.code(), verdict.reason())));
    }
    ObjectNode message = verdict.message();
    JsonNode id = verdict.id();
    String method = verdict.method();
    switch (verdict.kind()) {
      case REQUEST:
        if ("initialize".equals(method)) {
          return CompletableFuture.completedFuture(Json.bytes(Json.rpcError(id, GatewayException.INVALID_REQUEST,
              "initialize must not be part of a batch")));
        }
        if (rateLimited) {
          return CompletableFuture.completedFuture(Json.bytes(Json.rpcError(id, GatewayException.RATE_LIMITED,
              "rate limit exceeded: this call of the batch was not run; send it again later")));
        }
        Http.Accept jsonOnly = new Http.Accept(true, false);
        TraceSpan span = tracer.clientRequest(request, session.server(), message, method, session.id(), session.protocolVersion());
        return forwarder.forward(session, message, id, method, jsonOnly, span, true).toCompletableFuture().thenApply(GatewayResponse::body);
      case NOTIFICATION:
        forwarder.notification(session, message, method);
        return CompletableFuture.completedFuture(null);
      default:
        sessions.clientResponse(session, message, id);
        return CompletableFuture.completedFuture(null);
    }
  }

  private CompletionStage<GatewayResponse> initialize(GatewayRequest request, ObjectNode message, JsonNode id, ServerConfig server,
      Identity identity, Http.Accept accept, long epoch) {
    JsonNode params = message.get("params");
    boolean valid = params != null && params.isObject() && params.path("protocolVersion").isTextual();
    String requested = valid ? params.get("protocolVersion").asText() : null;
    String version = requested != null && ClientSessions.VERSIONS.contains(requested) ? requested : ClientSessions.LATEST;
    TraceSpan span = tracer.clientRequest(request, server.name(), message, "initialize", null, version);
    if (!valid) {
      Tracer.end(span, TraceOutcome.error(GatewayException.INVALID_PARAMS));
      return done(Http.rpcError(400, id, GatewayException.INVALID_PARAMS, "initialize needs params with a protocolVersion string"));
    }
    ClientSessions.Opened opened = sessions.open(ClientSessions.newRecord(server.name(), identity, version, (ObjectNode) params, server.isolation()), identity, epoch);
    if (opened.refusal() != null) {
      Tracer.end(span, TraceOutcome.error(GatewayException.INVALID_REQUEST));
      return done(opened.refusal());
    }
    LiveSession session = opened.session();
    String owner = server.isolation() == ServerConfig.Isolation.SESSION ? "session-" + Identity.digest(session.id()) : identity.sessionKey();
    SessionBackend backend = pool.join(owner, identity.name(), server, session, session.record().clientCapabilities(),
        session.protocolVersion());
    session.backend(backend);
    if (session.isClosed()) {
      // Ended (revoked, expired, closed) while it joined: whoever ended it may have looked before the join.
      pool.leave(backend);
      Tracer.end(span, TraceOutcome.error(GatewayException.INVALID_REQUEST));
      return done(Http.rpcError(404, id, GatewayException.INVALID_REQUEST, "session ended while it started; send initialize again"));
    }
    CompletableFuture<JsonNode> ready = backend.initialized();
    if (ready == null) {
      sessions.store().remove(session.id());
      Tracer.end(span, TraceOutcome.error(GatewayException.BACKEND_ERROR));
      return done(Http.error(503, "server '" + server.name() + "' is closing; try again"));
    }
    return ready.handle((result, failure) -> {
      if (failure != null) {
        sessions.store().remove(session.id());
        GatewayException e = Failures.of(failure, server.name());
        Tracer.end(span, TraceOutcome.error(e.jsonRpcCode()));
        if (e instanceof BackendUnavailableException) {
          return Http.backendUnavailable((BackendUnavailableException) e);
        }
        return Http.rpcError(e.httpStatus(), id, e.jsonRpcCode(), e.getMessage());
      }
      ObjectNode answer = result.deepCopy();
      String backendVersion = result.path("protocolVersion").asText(version);
      String negotiated = backendVersion.compareTo(version) < 0 && ClientSessions.VERSIONS.contains(backendVersion) ? backendVersion : version;
      answer.put("protocolVersion", negotiated);
      if (!negotiated.equals(version)) {
        McpSession updated = session.record().withProtocolVersion(negotiated);
        session.record(updated);
        try {
          sessions.store().update(updated);
        } catch (RuntimeException e) {
          // the store failed: this node serves the negotiated version; another node reads the offered one
          LOG.warn("Could not record the negotiated protocol version of a session: {}", e.getMessage());
        }
      }
      ObjectNode response = Json.object();
      response.put("jsonrpc", "2.0");
      response.set("id", id);
      response.set("result", answer);
      LOG.debug("Session started for '{}' on '{}' ({})", identity.name(), server.name(), negotiated);
      listeners.authenticated(identity, server.name(), request.remoteAddress());
      Tracer.end(span, TraceOutcome.success());
      return ClientSessions.single(accept, session, Json.bytes(response)).withHeader(ClientSessions.SESSION_HEADER, session.id());
    });
  }

  public GatewayResponse get(GatewayRequest request, String serverName, Identity identity) {
    if (StatelessRoute.claimsOther(request)) {
      return StatelessRoute.methodNotAllowed("GET");
    }
    return sessions.stream(request, serverName, identity);
  }

  public GatewayResponse delete(GatewayRequest request, String serverName, Identity identity) {
    if (StatelessRoute.claimsOther(request)) {
      return StatelessRoute.methodNotAllowed("DELETE");
    }
    return sessions.delete(request, serverName, identity);
  }

  private static CompletionStage<GatewayResponse> done(GatewayResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
