package dev.mcpgateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The MCP Streamable HTTP endpoint {@code /mcp/{server}}: POST messages, GET a stream, DELETE a session. */
final class McpEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(McpEndpoint.class);
  static final String SESSION_HEADER = "Mcp-Session-Id";
  static final String VERSION_HEADER = "MCP-Protocol-Version";
  /** Protocol revisions the gateway speaks, newest first. */
  static final List<String> VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26");
  static final String LATEST = VERSIONS.get(0);
  /** The most messages one batch may hold. */
  static final int MAX_BATCH = 256;

  private final GatewayConfig config;
  private final SessionStore sessions;
  private final SessionRegistry live;
  private final BackendPool pool;
  private final GatewayRuntime runtime;
  private final InterceptorChain chain;
  private final RateLimiter rateLimiter;

  McpEndpoint(GatewayConfig config, SessionStore sessions, SessionRegistry live, BackendPool pool, GatewayRuntime runtime,
      InterceptorChain chain, RateLimiter rateLimiter) {
    this.live = live;
    this.chain = chain;
    this.rateLimiter = rateLimiter;
    this.config = config;
    this.sessions = sessions;
    this.pool = pool;
    this.runtime = runtime;
  }

  /**
   * A POST to {@code /mcp/{server}}.
   *
   * @param epoch the revocation epoch read before {@code identity} was authenticated
   */
  CompletionStage<GatewayResponse> post(GatewayRequest request, ServerConfig server, Identity identity, long epoch) {
    Http.Post post = Http.post(request);
    if (post.error() != null) {
      return done(post.error());
    }
    Http.Accept accept = post.accept();
    JsonNode body = post.body();
    if (body.isArray()) {
      return batch(request, (com.fasterxml.jackson.databind.node.ArrayNode) body, server, identity, accept);
    }
    MessageGate.Verdict verdict = MessageGate.classify(body);
    if (verdict.refused()) {
      refused(server.name(), identity, verdict);
      return done(Http.rpcError(400, verdict.id(), verdict.code(), verdict.reason()));
    }
    ObjectNode message = verdict.message();
    JsonNode id = verdict.id();
    String method = verdict.method();
    if ("initialize".equals(method)) {
      return initialize(message, id, server, identity, accept, request.remoteAddress(), epoch);
    }
    SessionLookup lookup = session(request, server.name(), identity);
    if (lookup.error != null) {
      return done(lookup.error);
    }
    LiveSession session = lookup.session;
    switch (verdict.kind()) {
      case REQUEST:
        return forward(session, message, id, method, accept);
      case NOTIFICATION:
        return done(notification(session, message, method));
      default:
        return done(clientResponse(session, message, id));
    }
  }

  /**
   * Tells the interceptors (the audit trail among them) of a message refused at the gate. The
   * view they get carries the method and params, bounded, never the raw message.
   */
  void refused(String server, Identity identity, MessageGate.Verdict verdict) {
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
   * A JSON-RPC batch: only for sessions on 2025-03-26, the last revision that has them, and only
   * when the request does not say a later revision in its header.
   */
  private CompletionStage<GatewayResponse> batch(GatewayRequest request, com.fasterxml.jackson.databind.node.ArrayNode batch,
      ServerConfig server, Identity identity, Http.Accept accept) {
    SessionLookup lookup = session(request, server.name(), identity);
    if (lookup.error != null) {
      return done(lookup.error);
    }
    // The header, else the revision the session negotiated: a session on a later revision
    // cannot slip a batch in by leaving the header out.
    String version = request.header(VERSION_HEADER).orElse(lookup.session.protocolVersion());
    if (!version.equals("2025-03-26")) {
      return done(Http.rpcError(400, null, GatewayException.INVALID_REQUEST, "JSON-RPC batches are not supported in protocol revision "
          + version + " (they were removed after 2025-03-26); send one message per request"));
    }
    if (batch.isEmpty()) {
      return done(Http.rpcError(400, null, GatewayException.INVALID_REQUEST, "invalid request: the batch is empty"));
    }
    if (batch.size() > MAX_BATCH) {
      return done(Http.rpcError(400, null, GatewayException.INVALID_REQUEST, "invalid request: a batch may hold at most "
          + MAX_BATCH + " messages, this one holds " + batch.size()));
    }
    LiveSession session = lookup.session;
    List<CompletableFuture<byte[]>> answers = new java.util.ArrayList<>();
    int calls = 0;
    for (JsonNode element : batch) {
      MessageGate.Verdict verdict = MessageGate.classify(element);
      // The HTTP request paid for the first call; every further call takes a token of its own.
      boolean limited = verdict.kind() == MessageGate.Kind.REQUEST && calls++ > 0
          && rateLimiter.acquire(identity.sessionKey(), server).isPresent();
      answers.add(batchElement(session, verdict, limited));
    }
    return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
      com.fasterxml.jackson.databind.node.ArrayNode responses = Json.mapper().createArrayNode();
      for (CompletableFuture<byte[]> answer : answers) {
        byte[] json = answer.join();
        if (json != null) {
          try {
            responses.add(Json.parse(json));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
      }
      if (responses.isEmpty()) {
        return GatewayResponse.empty(202);
      }
      if (accept.json()) {
        return GatewayResponse.json(200, Json.bytes(responses));
      }
      SseStream stream = session.newStream();
      for (JsonNode response : responses) {
        stream.send(Json.bytes(response));
      }
      stream.close();
      return GatewayResponse.stream(200, stream.connect(-1));
    });
  }

  /** One element of a batch: the JSON of its response, or null for notifications and responses. */
  private CompletableFuture<byte[]> batchElement(LiveSession session, MessageGate.Verdict verdict, boolean rateLimited) {
    if (verdict.refused()) {
      refused(session.server(), session.identity(), verdict);
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
        return forward(session, message, id, method, jsonOnly).toCompletableFuture().thenApply(GatewayResponse::body);
      case NOTIFICATION:
        notification(session, message, method);
        return CompletableFuture.completedFuture(null);
      default:
        clientResponse(session, message, id);
        return CompletableFuture.completedFuture(null);
    }
  }

  private CompletionStage<GatewayResponse> initialize(ObjectNode message, JsonNode id, ServerConfig server,
      Identity identity, Http.Accept accept, String remoteAddress, long epoch) {
    JsonNode params = message.get("params");
    if (params == null || !params.isObject() || !params.path("protocolVersion").isTextual()) {
      return done(Http.rpcError(400, id, GatewayException.INVALID_PARAMS, "initialize needs params with a protocolVersion string"));
    }
    String requested = params.get("protocolVersion").asText();
    String version = VERSIONS.contains(requested) ? requested : LATEST;
    Opened opened = open(newRecord(server.name(), identity, version, (ObjectNode) params, server.isolation()), identity, epoch);
    if (opened.refusal() != null) {
      return done(opened.refusal());
    }
    LiveSession session = opened.session();
    String owner = server.isolation() == ServerConfig.Isolation.SESSION ? "session-" + Identity.digest(session.id()) : identity.sessionKey();
    BackendSlot slot = pool.join(owner, identity.name(), server, session);
    session.slot(slot);
    if (session.isClosed()) {
      // Ended (revoked, expired, closed) while it joined: whoever ended it may have looked before the join.
      pool.leave(session, slot);
      return done(Http.rpcError(404, id, GatewayException.INVALID_REQUEST, "session ended while it started; send initialize again"));
    }
    BackendConnection connection = slot.connection(session.initializeParams());
    if (connection == null) {
      sessions.remove(session.id());
      return done(Http.error(503, "server '" + server.name() + "' is closing; try again"));
    }
    return connection.ready().handle((result, failure) -> {
      if (failure != null) {
        sessions.remove(session.id());
        GatewayException e = Failures.of(failure, server.name());
        if (e instanceof BackendUnavailableException) {
          return Http.backendUnavailable((BackendUnavailableException) e);
        }
        return Http.rpcError(e.httpStatus(), id, e.jsonRpcCode(), e.getMessage());
      }
      ObjectNode answer = result.deepCopy();
      String backendVersion = result.path("protocolVersion").asText(version);
      String negotiated = backendVersion.compareTo(version) < 0 && VERSIONS.contains(backendVersion) ? backendVersion : version;
      answer.put("protocolVersion", negotiated);
      if (!negotiated.equals(version)) {
        McpSession updated = session.record().withProtocolVersion(negotiated);
        session.record(updated);
        sessions.update(updated);
      }
      ObjectNode response = Json.object();
      response.put("jsonrpc", "2.0");
      response.set("id", id);
      response.set("result", answer);
      LOG.debug("Session started for '{}' on '{}' ({})", identity.name(), server.name(), negotiated);
      runtime.listeners().authenticated(identity, server.name(), remoteAddress);
      return single(accept, session, Json.bytes(response)).withHeader(SESSION_HEADER, session.id());
    });
  }

  /** A new session's record: the client's {@code initialize} capabilities and info, as data. */
  static McpSession newRecord(String server, Identity identity, String version, ObjectNode params,
      ServerConfig.Isolation isolation) {
    return new McpSession(McpSession.newId(), identity.sessionKey(), server, version, jsonObject(params.get("capabilities")),
        jsonObject(params.get("clientInfo")), isolation, Instant.now());
  }

  private static Map<String, Object> jsonObject(JsonNode node) {
    return node != null && node.isObject() ? Json.toMap((ObjectNode) node) : Map.of();
  }

  /** A session that was opened, or why not. */
  record Opened(LiveSession session, GatewayResponse refusal) {}

  /**
   * Opens a new session on this node and adds its record to the store, or answers why not: the
   * caller holds its share of sessions, the gateway holds its maximum, or the caller's key was
   * revoked since {@code epoch} (a revocation that looked at the store before this session was in it).
   */
  Opened open(McpSession record, Identity identity, long epoch) {
    int held = live.opened(identity.sessionKey());
    // A share as large as the gateway's maximum is left to the store, which answers 503 when full.
    if (held > config.maxSessionsPerCaller() && config.maxSessionsPerCaller() < config.maxSessions()) {
      live.closed(identity.sessionKey());
      LOG.warn("Refused a new session of '{}': it holds {} session(s), its maximum", identity.name(), config.maxSessionsPerCaller());
      return new Opened(null, Http.error(429, "too many MCP sessions for '" + identity.name() + "': at most "
          + config.maxSessionsPerCaller() + " at once; end unused sessions (DELETE) or let them expire"));
    }
    LiveSession session = live.open(record, identity);
    if (!sessions.add(record)) {
      live.remove(record.id());
      live.closed(identity.sessionKey());
      return new Opened(null, Http.error(503,
          "too many MCP sessions: the gateway holds its maximum; end unused sessions (DELETE) or try later"));
    }
    if (live.revokedSince(identity.sessionKey(), epoch)) {
      sessions.remove(record.id());
      return new Opened(null, Http.error(401, "authentication failed: the key was revoked"));
    }
    return new Opened(session, null);
  }

  /** One complete message, as JSON when accepted, else as a one-event stream. */
  static GatewayResponse single(Http.Accept accept, LiveSession session, byte[] json) {
    if (accept.json()) {
      return GatewayResponse.json(200, json);
    }
    SseStream stream = session.newStream();
    stream.send(json);
    stream.close();
    return GatewayResponse.stream(200, stream.connect(-1));
  }

  /** A client request to the session's backend: validate, chain, call. */
  CompletionStage<GatewayResponse> forward(LiveSession session, ObjectNode message, JsonNode id, String method,
      Http.Accept accept) {
    String idJson = Json.idText(id);
    if (session.inFlight(idJson) != null) {
      return done(Http.rpcError(400, id, GatewayException.INVALID_REQUEST,
          "a request with id " + idJson + " is already in flight in this session; use unique ids"));
    }
    BackendSlot slot = session.slot();
    BackendConnection connection = slot == null ? null : slot.connection(null);
    if (connection == null) {
      return done(Http.rpcError(404, id, GatewayException.INVALID_REQUEST, "session has ended; send initialize again"));
    }
    InterceptorChain.Call intercepted = null;
    if (!chain.isEmpty()) {
      intercepted = new InterceptorChain.Call(session.server(), session.identity(), method, message);
      String denial = chain.request(intercepted);
      if (denial != null) {
        // A denial is an answer like any other: HTTP 200, as JSON or as one SSE event.
        return done(single(accept, session, Json.bytes(Json.rpcError(id, GatewayException.DENIED, denial))));
      }
    }
    ClientExchange exchange = new ClientExchange(session, accept.json(), accept.sse(), Map.of());
    ServerConfig server = slot.server();
    BackendCall call = new BackendCall(session, server.name(), session.identity().sessionKey(), id, method, message, server.toolTimeout().orElse(config.toolTimeout()),
        chain, intercepted, runtime, exchange);
    if (accept.sse()) {
      // A call that stays silent for a keep-alive interval is answered as a stream, so that
      // keep-alive comments reach the client: nothing in between cuts a long tool call.
      exchange.streamTimer(runtime.scheduler().schedule(exchange::streamIfPending,
          live.streams().interval().toMillis(), TimeUnit.MILLISECONDS));
    }
    call.start(connection);
    return exchange.response();
  }

  GatewayResponse notification(LiveSession session, ObjectNode message, String method) {
    if ("notifications/initialized".equals(method)) {
      return GatewayResponse.empty(202); // the gateway initialized the backend itself
    }
    BackendSlot slot = session.slot();
    BackendConnection connection = slot == null ? null : slot.connection(null);
    if (connection == null) {
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

  GatewayResponse clientResponse(LiveSession session, ObjectNode message, JsonNode id) {
    SessionChannel.ServerRequest request = session.takeServerRequest(id);
    if (request == null) {
      return Http.error(400, "no server request with id " + Json.truncate(id.toString())
          + " is waiting for an answer in this session");
    }
    message.set("id", request.backendId());
    try {
      request.connection().send(message);
    } catch (IOException e) {
      return Http.error(503, "server '" + session.server() + "' stopped before it could receive the answer");
    }
    return GatewayResponse.empty(202);
  }

  GatewayResponse get(GatewayRequest request, String serverName, Identity identity) {
    Http.Accept accept = Http.accept(request);
    boolean acceptsSse = request.headers("accept").stream().anyMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream"));
    if (!acceptsSse) {
      return Http.error(406, "GET opens a server-sent event stream: Accept must include text/event-stream");
    }
    SessionLookup lookup = session(request, serverName, identity);
    if (lookup.error != null) {
      return lookup.error;
    }
    LiveSession session = lookup.session;
    String lastEventId = request.header("last-event-id").orElse(null);
    if (lastEventId != null) {
      return resume(session, lastEventId);
    }
    SseStream stream = session.newStream();
    session.standaloneStream(stream);
    return GatewayResponse.stream(200, stream.connect(-1));
  }

  /** Resumes the stream named by {@code Last-Event-ID} ({@code <stream>_<sequence>}), replaying what was missed. */
  private static GatewayResponse resume(LiveSession session, String lastEventId) {
    int separator = lastEventId.lastIndexOf('_');
    long after;
    try {
      after = separator > 0 ? Long.parseLong(lastEventId.substring(separator + 1)) : -1;
    } catch (NumberFormatException e) {
      after = -1;
    }
    if (after < 0) {
      return Http.error(400, "Last-Event-ID '" + Json.truncate(lastEventId)
          + "' was not issued by this gateway; reconnect without it");
    }
    String streamId = lastEventId.substring(0, separator);
    SseStream live = session.stream(streamId);
    SseStream stream = live != null ? live : session.endedStream(streamId);
    return GatewayResponse.stream(200, stream.connect(after));
  }

  GatewayResponse delete(GatewayRequest request, String serverName, Identity identity) {
    SessionLookup lookup = session(request, serverName, identity);
    if (lookup.error != null) {
      return lookup.error;
    }
    sessions.remove(lookup.session.id());
    return GatewayResponse.empty(200);
  }

  record SessionLookup(LiveSession session, GatewayResponse error) {}

  SessionLookup session(GatewayRequest request, String serverName, Identity identity) {
    String id = request.header(SESSION_HEADER).orElse(null);
    if (id == null || id.isEmpty()) {
      return new SessionLookup(null, Http.rpcError(400, null, GatewayException.INVALID_REQUEST,
          "Mcp-Session-Id header is required; send initialize first to get one"));
    }
    McpSession found = sessions.get(id).orElse(null);
    LiveSession session = found == null ? null : live.get(found.id());
    // Another identity's or another server's session is reported as unknown, so ids cannot be probed.
    if (found == null || session == null || !found.server().equals(serverName)
        || !found.callerDigest().equals(identity.sessionKey()) || session.isClosed()) {
      return new SessionLookup(null, Http.rpcError(404, null, GatewayException.INVALID_REQUEST,
          "session not found: it ended or expired; send initialize to start a new one"));
    }
    String version = request.header(VERSION_HEADER).orElse(null);
    if (version != null && !VERSIONS.contains(version)) {
      return new SessionLookup(null, Http.rpcError(400, null, GatewayException.INVALID_REQUEST,
          "unsupported MCP-Protocol-Version '" + Json.truncate(version) + "'; supported: " + VERSIONS));
    }
    return new SessionLookup(session, null);
  }

  private static CompletionStage<GatewayResponse> done(GatewayResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
