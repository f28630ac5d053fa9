package dev.mcpgateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.connection.BackendCall;
import dev.mcpgateway.internal.connection.BackendPool;
import dev.mcpgateway.internal.connection.GatewayRuntime;
import dev.mcpgateway.internal.connection.SessionBackend;
import dev.mcpgateway.internal.intercept.InterceptorChain;
import dev.mcpgateway.internal.intercept.Tracer;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.trace.TraceOutcome;
import dev.mcpgateway.trace.TraceSpan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unified mode: one endpoint, {@code /mcp}, that offers the tools and prompts of every server
 * the caller may use, named {@code {server}___{name}}, and routes each call to its server.
 *
 * <p>A unified session holds one child session per server, created on first use and joined to
 * that server's backend like an ordinary session. Children send their streams and their
 * server-to-client requests through the unified session, so events share one id space and
 * requests of several backends get ids that cannot collide.
 *
 * <p>Traced as the routed endpoint is: a span per client request, named for the server a call
 * is routed to and the tool's or prompt's name at that server; a list, which no single server
 * answers, has a child span per call to each server's backend.
 */
public final class UnifiedEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(UnifiedEndpoint.class);
  /** Separates the server from the tool or prompt name. */
  public static final String SEPARATOR = "___";
  /** The server name of unified sessions: empty, which no configured server can have. */
  public static final String NAME = "";
  /** How the unified endpoint is named where a server name is shown (audit lines, logs). */
  public static final String UNIFIED = "(unified)";
  private static final int MAX_PAGES = 20;

  private final GatewayConfig config;
  private final ClientSessions sessions;
  private final CallForwarder forwarder;
  private final BackendPool pool;
  private final GatewayRuntime runtime;
  private final InterceptorChain chain;
  private final String version;
  private final RateLimiter rateLimiter;
  private final StatelessRoute stateless;

  public UnifiedEndpoint(GatewayConfig config, ClientSessions sessions, CallForwarder forwarder, BackendPool pool, GatewayRuntime runtime,
      InterceptorChain chain, String version, RateLimiter rateLimiter, StatelessRoute stateless) {
    this.stateless = stateless;
    this.config = config;
    this.sessions = sessions;
    this.forwarder = forwarder;
    this.pool = pool;
    this.runtime = runtime;
    this.chain = chain;
    this.version = version;
    this.rateLimiter = rateLimiter;
  }

  public CompletionStage<GatewayResponse> post(GatewayRequest request, Identity identity, long epoch) {
    Http.Post post = Http.post(request);
    if (post.error() != null) {
      return done(post.error());
    }
    Http.Accept accept = post.accept();
    JsonNode body = post.body();
    if (StatelessRoute.claims(request, body)) {
      return stateless.post(request, body, accept, null, identity, epoch);
    }
    MessageGate.Verdict verdict = body.isArray()
        ? MessageGate.refuse(null, null, null, GatewayException.INVALID_REQUEST, "invalid request: batches are not supported on the unified endpoint; send one message per request")
        : MessageGate.classify(body);
    if (verdict.refused()) {
      forwarder.refused(UNIFIED, identity, verdict);
      return done(Http.rpcError(400, verdict.id(), verdict.code(), verdict.reason()));
    }
    ObjectNode message = verdict.message();
    JsonNode id = verdict.id();
    String method = verdict.method();
    if ("initialize".equals(method)) {
      TraceSpan span = runtime.tracer().clientRequest(request, NAME, message, method, null,
          message.path("params").path("protocolVersion").asText(null));
      return initialize(message, id, identity, accept, request.remoteAddress(), epoch).thenApply(response -> ended(span, response));
    }
    ClientSessions.SessionLookup lookup = sessions.find(request, NAME, identity);
    if (lookup.error() != null) {
      return done(lookup.error());
    }
    LiveSession session = lookup.session();
    if (verdict.kind() == MessageGate.Kind.RESPONSE) {
      return done(sessions.clientResponse(session, message, id));
    }
    if (verdict.kind() == MessageGate.Kind.NOTIFICATION) {
      return done(notification(session, message, method));
    }
    if ("tools/call".equals(method) || "prompts/get".equals(method)) {
      return route(request, session, identity, message, id, method, accept); // traced once routed
    }
    TraceSpan span = runtime.tracer().clientRequest(request, NAME, message, method, session.id(), session.protocolVersion());
    switch (method) {
      case "ping":
        Tracer.end(span, TraceOutcome.success());
        return done(ClientSessions.single(accept, session, result(id, Json.object())));
      case "tools/list":
        return aggregate(session, identity, message, id, "tools/list", "tools", accept, span);
      case "prompts/list":
        return aggregate(session, identity, message, id, "prompts/list", "prompts", accept, span);
      default:
        forwarder.refused(UNIFIED, identity, MessageGate.refuse(message, method, id, GatewayException.METHOD_NOT_FOUND, "method not available on the unified endpoint"));
        Tracer.end(span, TraceOutcome.error(GatewayException.METHOD_NOT_FOUND));
        return done(ClientSessions.single(accept, session, Json.bytes(Json.rpcError(id, GatewayException.METHOD_NOT_FOUND,
            "method '" + Json.truncate(method) + "' is not available on the unified endpoint; use /mcp/{server}"))));
    }
  }

  private CompletionStage<GatewayResponse> initialize(ObjectNode message, JsonNode id, Identity identity, Http.Accept accept,
      String remoteAddress, long epoch) {
    JsonNode params = message.get("params");
    if (params == null || !params.isObject() || !params.path("protocolVersion").isTextual()) {
      return done(Http.rpcError(400, id, GatewayException.INVALID_PARAMS, "initialize needs params with a protocolVersion string"));
    }
    String requested = params.get("protocolVersion").asText();
    String negotiated = ClientSessions.VERSIONS.contains(requested) ? requested : ClientSessions.LATEST;
    ClientSessions.Opened opened = sessions.open(ClientSessions.newRecord(NAME, identity, negotiated, (ObjectNode) params,
        ServerConfig.Isolation.KEY), identity, epoch);
    if (opened.refusal() != null) {
      return done(opened.refusal());
    }
    LiveSession session = opened.session();
    ObjectNode result = Json.object();
    result.put("protocolVersion", negotiated);
    ObjectNode capabilities = result.putObject("capabilities");
    capabilities.putObject("tools").put("listChanged", true);
    capabilities.putObject("prompts").put("listChanged", true);
    result.putObject("serverInfo").put("name", "mcp-gateway").put("version", version);
    result.put("instructions", "Tools and prompts of several MCP servers, named {server}" + SEPARATOR + "{name}.");
    runtime.listeners().authenticated(identity, "(unified)", remoteAddress);
    return done(ClientSessions.single(accept, session, result(id, result)).withHeader(ClientSessions.SESSION_HEADER, session.id()));
  }

  private static byte[] result(JsonNode id, ObjectNode result) {
    ObjectNode response = Json.object();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("result", result);
    return Json.bytes(response);
  }

  /** The child session of {@code parent} for {@code server}, joined to that server's backend. */
  private LiveSession child(LiveSession parent, ServerConfig server) {
    return parent.child(server.name(), name -> {
      LiveSession child = parent.newChild(name, server.isolation());
      String owner = server.isolation() == ServerConfig.Isolation.SESSION
          ? "session-" + Identity.digest(child.id()) : parent.identity().sessionKey();
      SessionBackend backend = pool.join(owner, parent.identity().name(), server, child, child.record().clientCapabilities(),
          child.protocolVersion());
      child.backend(backend);
      if (parent.isClosed()) {
        pool.leave(backend); // the parent ended while this child joined: its end may not have seen the child
      }
      return child;
    });
  }

  private CompletionStage<GatewayResponse> aggregate(LiveSession session, Identity identity, ObjectNode message, JsonNode id,
      String method, String field, Http.Accept accept, TraceSpan span) {
    List<CompletableFuture<List<JsonNode>>> parts = new ArrayList<>();
    for (ServerConfig server : config.servers().values()) {
      if (identity.mayUse(server.name())) {
        parts.add(list(child(session, server), server, identity, method, field, span));
      }
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
      Tracer.end(span, TraceOutcome.success()); // a server that fails is left out: the list is still an answer
      ObjectNode result = Json.object();
      ArrayNode items = result.putArray(field);
      for (CompletableFuture<List<JsonNode>> part : parts) {
        items.addAll(part.join());
      }
      return ClientSessions.single(accept, session, result(id, result));
    });
  }

  /** Every item of one server's list (following cursors), named {@code {server}___{name}}; empty when the server fails. */
  private CompletableFuture<List<JsonNode>> list(LiveSession child, ServerConfig server, Identity identity, String method,
      String field, TraceSpan span) {
    List<JsonNode> items = new ArrayList<>();
    return page(child, server, identity, method, field, null, items, 0, span).handle((done, failure) -> {
      if (failure != null) {
        LOG.warn("Unified {}: server '{}' is left out: {}", method, server.name(), rootMessage(failure));
        return List.of();
      }
      return items;
    });
  }

  /** @param span the list request's span: each page's call to the backend is a child of it */
  private CompletableFuture<Void> page(LiveSession child, ServerConfig server, Identity identity, String method, String field,
      String cursor, List<JsonNode> items, int pages, TraceSpan span) {
    SessionBackend backend = child.backend();
    if (backend.hasEnded()) {
      return CompletableFuture.failedFuture(new IllegalStateException("session ended"));
    }
    ObjectNode request = Json.object();
    request.put("jsonrpc", "2.0");
    request.put("method", method);
    ObjectNode params = request.putObject("params");
    if (cursor != null) {
      params.put("cursor", cursor);
    }
    InterceptorChain.Call call = chain.isEmpty() ? null : new InterceptorChain.Call(server.name(), identity, method, request);
    if (call != null && chain.request(call) != null) {
      return CompletableFuture.completedFuture(null);
    }
    // on behalf of the child session: it takes an instance of the session's backends, as its calls do
    return BackendCall.ask(backend, request, runtime, span).thenCompose(response -> {
      ObjectNode answer = call == null ? response : chain.response(call, response);
      JsonNode list = answer.path("result").path(field);
      for (JsonNode item : list) {
        if (item.isObject() && item.path("name").isTextual()) {
          ObjectNode named = ((ObjectNode) item).deepCopy();
          named.put("name", server.name() + SEPARATOR + item.get("name").asText());
          items.add(named);
        }
      }
      String next = answer.path("result").path("nextCursor").asText(null);
      if (next != null && pages + 1 < MAX_PAGES) {
        return page(child, server, identity, method, field, next, items, pages + 1, span);
      }
      return CompletableFuture.completedFuture(null);
    });
  }

  /**
   * A call routed by its prefixed name; its span is the routed server's, named for the tool or
   * prompt as that server knows it (a name no server has keeps the client's name, and no server).
   */
  private CompletionStage<GatewayResponse> route(GatewayRequest request, LiveSession session, Identity identity, ObjectNode message,
      JsonNode id, String method, Http.Accept accept) {
    String name = message.path("params").path("name").asText("");
    ServerConfig server = serverOf(config, name);
    if (server == null || !identity.mayUse(server.name())) {
      Tracer.end(runtime.tracer().clientRequest(request, NAME, message, method, session.id(), session.protocolVersion()),
          TraceOutcome.error(GatewayException.INVALID_PARAMS));
      return done(ClientSessions.single(accept, session, Json.bytes(Json.rpcError(id, GatewayException.INVALID_PARAMS,
          "unknown " + (method.equals("tools/call") ? "tool" : "prompt") + " '" + Json.truncate(name)
              + "'; names on the unified endpoint are {server}" + SEPARATOR + "{name}"))));
    }
    ((ObjectNode) message.get("params")).put("name", name.substring(server.name().length() + SEPARATOR.length()));
    TraceSpan span = runtime.tracer().clientRequest(request, server.name(), message, method, session.id(), session.protocolVersion());
    if (server.rateLimit().isPresent()) {
      // The request paid the gateway's limit; a server with a limit of its own takes its token too.
      java.util.Optional<Duration> wait = rateLimiter.acquire(identity.sessionKey(), server);
      if (wait.isPresent()) {
        runtime.listeners().rateLimited(server.name(), identity.name());
        Tracer.end(span, TraceOutcome.error(GatewayException.RATE_LIMITED));
        return done(Http.rateLimited(identity.name(), server.name(), server.rateLimit().get(), wait.get()));
      }
    }
    // the name was changed above: the message is written again
    return forwarder.forward(child(session, server), message, id, method, accept, span, false);
  }

  /** The server a prefixed name belongs to; the longest matching server name wins; null when none. */
  public static ServerConfig serverOf(GatewayConfig config, String prefixedName) {
    ServerConfig best = null;
    for (ServerConfig server : config.servers().values()) {
      if (prefixedName.startsWith(server.name() + SEPARATOR) && prefixedName.length() > server.name().length() + SEPARATOR.length()
          && (best == null || server.name().length() > best.name().length())) {
        best = server;
      }
    }
    return best;
  }

  private GatewayResponse notification(LiveSession session, ObjectNode message, String method) {
    if ("notifications/initialized".equals(method)) {
      return GatewayResponse.empty(202);
    }
    if ("notifications/cancelled".equals(method)) {
      JsonNode requestId = message.path("params").get("requestId");
      for (LiveSession child : session.children()) {
        if (requestId != null && child.inFlight(Json.idText(requestId)) != null) {
          return forwarder.notification(child, message, method);
        }
      }
      return GatewayResponse.empty(202);
    }
    for (LiveSession child : session.children()) {
      forwarder.notification(child, message.deepCopy(), method);
    }
    return GatewayResponse.empty(202);
  }

  public GatewayResponse get(GatewayRequest request, Identity identity) {
    if (StatelessRoute.claimsOther(request)) {
      return StatelessRoute.methodNotAllowed("GET");
    }
    return sessions.stream(request, NAME, identity);
  }

  public GatewayResponse delete(GatewayRequest request, Identity identity) {
    if (StatelessRoute.claimsOther(request)) {
      return StatelessRoute.methodNotAllowed("DELETE");
    }
    return sessions.delete(request, NAME, identity);
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause != cause.getCause()) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  /** Ends {@code span} with the answer in {@code response}: a JSON-RPC error, else a result. */
  private static GatewayResponse ended(TraceSpan span, GatewayResponse response) {
    if (span != TraceSpan.NONE) {
      byte[] body = response.body();
      Tracer.end(span, body != null && body.length > 0 ? Tracer.outcome(body) : TraceOutcome.success());
    }
    return response;
  }

  private static CompletionStage<GatewayResponse> done(GatewayResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
