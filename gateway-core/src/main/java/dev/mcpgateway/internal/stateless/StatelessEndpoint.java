package dev.mcpgateway.internal.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.connection.BackendPool;
import dev.mcpgateway.internal.connection.GatewayRuntime;
import dev.mcpgateway.internal.http.CallForwarder;
import dev.mcpgateway.internal.http.ClientSessions;
import dev.mcpgateway.internal.http.Http;
import dev.mcpgateway.internal.http.RateLimiter;
import dev.mcpgateway.internal.http.StatelessRoute;
import dev.mcpgateway.internal.http.UnifiedEndpoint;
import dev.mcpgateway.internal.intercept.InterceptorChain;
import dev.mcpgateway.internal.connection.BackendCall;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.internal.session.StreamRegistry;
import dev.mcpgateway.trace.TraceSpan;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Protocol revision 2026-07-28 on the routed endpoint {@code /mcp/{server}}: requests checked
 * ({@link StatelessRequest}), {@code server/discover} answered from the backend's
 * {@code initialize}, every other request run through a {@link BridgeSessions bridge session} of
 * the caller, with multi-round-trip requests made from the backend's server requests
 * ({@link BridgeExchange}) and results in the revision's shape ({@link StatelessResults}).
 *
 * <p>Each HTTP request is traced as a request of its own ({@link RoundSpan}), a retry of a
 * multi-round-trip call too: its span continues the context the retry carries, and the call's
 * backend span, a child of the first request's, lasts until the call ends.
 */
public final class StatelessEndpoint implements StatelessRoute {
  /** Methods of the session-based revisions that this one removed. */
  static final Set<String> REMOVED = Set.of("initialize", "ping", "logging/setLevel", "resources/subscribe",
      "resources/unsubscribe", "notifications/initialized", "notifications/roots/list_changed");
  /** Methods that may answer {@code input_required}. */
  static final Set<String> MULTI_ROUND = Set.of("tools/call", "prompts/get", "resources/read");

  private final GatewayConfig config;
  private final GatewayRuntime runtime;
  private final CallForwarder forwarder;
  private final StreamRegistry streams;
  private final BridgeSessions bridge;
  private final RequestStates states;
  private final Map<String, BridgeExchange> parked = new ConcurrentHashMap<>();
  private final ParamHeaders paramHeaders = new ParamHeaders();
  private final InterceptorChain chain;
  private final RateLimiter rateLimiter;
  private final String version;
  /** Retries of parked calls that another replica holds; null without a bus or a cluster secret. */
  private final StatelessRelay relay;

  /** @param bus the replicas' bus; null for a gateway on its own (used only in cluster mode, with the secret that keys the states) */
  public StatelessEndpoint(GatewayConfig config, GatewayRuntime runtime, ClientSessions sessions, BackendPool pool,
      CallForwarder forwarder, StreamRegistry streams, InterceptorChain chain, RateLimiter rateLimiter, String version,
      dev.mcpgateway.cluster.ClusterBus bus) {
    this.config = config;
    this.states = config.cluster().map(cluster -> new RequestStates(cluster.secret())).orElseGet(RequestStates::new);
    this.chain = chain;
    this.rateLimiter = rateLimiter;
    this.version = version;
    this.runtime = runtime;
    this.forwarder = forwarder;
    this.streams = streams;
    this.bridge = new BridgeSessions(sessions, pool);
    // only where the other replicas can open this one's states; last: from now on their messages arrive
    this.relay = bus == null || config.cluster().isEmpty() ? null
        : new StatelessRelay(bus, this, runtime.scheduler(), runtime.launchExecutor());
  }

  @Override
  public CompletionStage<GatewayResponse> post(GatewayRequest request, JsonNode body, Http.Accept accept, ServerConfig server,
      Identity identity, long epoch) {
    StatelessRequest.Parsed parsed = StatelessRequest.parse(request, body);
    if (parsed.refusal() != null) {
      if (parsed.verdict() != null && parsed.verdict().refused()) {
        forwarder.refused(server == null ? "" : server.name(), identity, parsed.verdict());
      }
      return done(parsed.refusal());
    }
    StatelessRequest r = parsed.request();
    if (server == null && ("tools/call".equals(r.method()) || "prompts/get".equals(r.method()))) {
      return routed(request, r, accept, identity, epoch); // traced once routed, as the routed server's
    }
    RoundSpan span = span(request, r, server == null ? UnifiedEndpoint.NAME : server.name());
    return span.endWith(dispatch(request, r, accept, server, identity, epoch, span));
  }

  /** The span of the request {@code r} to {@code server} (empty: the unified endpoint's own). */
  private RoundSpan span(GatewayRequest request, StatelessRequest r, String server) {
    TraceSpan span = runtime.tracer().clientRequest(request, server, r.message(), r.method(), null,
        r.params().path("_meta").path(META_VERSION).asText(VERSION));
    return span == TraceSpan.NONE ? RoundSpan.NONE : new RoundSpan(span);
  }

  private CompletionStage<GatewayResponse> dispatch(GatewayRequest request, StatelessRequest r, Http.Accept accept,
      ServerConfig server, Identity identity, long epoch, RoundSpan span) {
    if (REMOVED.contains(r.method())) {
      return done(StatelessRequest.error(404, r.id(), GatewayException.METHOD_NOT_FOUND, "Method not found: " + r.method()
          + " is not part of protocol revision " + VERSION, null));
    }
    if (server == null) {
      return unified(r, identity, epoch, span);
    }
    if ("server/discover".equals(r.method())) {
      return discover(r, server, identity, epoch);
    }
    if ("subscriptions/listen".equals(r.method())) {
      return listen(r, accept, server, identity, epoch);
    }
    return call(request, r, accept, server, identity, epoch, span);
  }

  /**
   * A {@code subscriptions/listen} stream: a bridge session of its own, whose backends' change
   * notifications (list changes, updates of the resources it names, which the gateway subscribes
   * to at the backend) reach the stream, each tagged with the subscription's id, after the
   * acknowledgment of what the backend can send. It holds its session until the client closes it.
   */
  private CompletionStage<GatewayResponse> listen(StatelessRequest r, Http.Accept accept, ServerConfig server, Identity identity,
      long epoch) {
    if (!accept.sse()) {
      return done(StatelessRequest.error(406, r.id(), GatewayException.INVALID_REQUEST,
          "subscriptions/listen answers with an event stream: Accept must include text/event-stream", null));
    }
    JsonNode filter = r.params().get("notifications");
    if (filter != null && !filter.isObject()) {
      return done(StatelessRequest.error(400, r.id(), GatewayException.INVALID_PARAMS,
          "invalid params: notifications must be an object (toolsListChanged, promptsListChanged, resourcesListChanged,"
              + " resourceSubscriptions)", null));
    }
    JsonNode uris = filter == null ? null : filter.get("resourceSubscriptions");
    if (uris != null && !(uris.isArray() && allText(uris))) {
      return done(StatelessRequest.error(400, r.id(), GatewayException.INVALID_PARAMS,
          "invalid params: notifications.resourceSubscriptions must be an array of resource URIs", null));
    }
    return bridge.acquire(identity, server, r.capabilities(), r.clientInfo(), r.id(), epoch).thenApply(acquired -> {
      if (acquired.refusal() != null) {
        return acquired.refusal();
      }
      LiveSession session = acquired.session();
      JsonNode capabilities = acquired.initialized().path("capabilities");
      ObjectNode honored = Json.object();
      Set<String> methods = new java.util.HashSet<>();
      java.util.List<String> resources = new java.util.ArrayList<>();
      if (filter != null) {
        honor(filter, "toolsListChanged", capabilities.path("tools").path("listChanged").asBoolean(), honored, methods,
            "notifications/tools/list_changed");
        honor(filter, "promptsListChanged", capabilities.path("prompts").path("listChanged").asBoolean(), honored, methods,
            "notifications/prompts/list_changed");
        honor(filter, "resourcesListChanged", capabilities.path("resources").path("listChanged").asBoolean(), honored, methods,
            "notifications/resources/list_changed");
        if (uris != null && capabilities.path("resources").path("subscribe").asBoolean()) {
          ArrayNode list = honored.putArray("resourceSubscriptions");
          uris.forEach(uri -> {
            resources.add(uri.asText());
            list.add(uri.asText());
          });
          methods.add("notifications/resources/updated");
        }
      }
      JsonNode subscriptionId = r.id();
      ObjectNode ack = Json.object();
      ack.put("jsonrpc", "2.0");
      ack.put("method", "notifications/subscriptions/acknowledged");
      ObjectNode ackParams = ack.putObject("params");
      ackParams.putObject("_meta").set(StatelessRequest.META_SUBSCRIPTION, subscriptionId);
      ackParams.set("notifications", honored);
      dev.mcpgateway.internal.session.SseStream stream = session.newStream(false);
      stream.send(Json.bytes(ack));
      Set<String> wanted = Set.copyOf(resources);
      session.listenStream(stream, json -> tagged(json, methods, wanted, subscriptionId));
      for (String uri : resources) {
        session.backend().settings().request(session, "resources/subscribe", Json.object().put("uri", uri));
      }
      stream.onDisconnect(() -> {
        session.endListenStream(stream);
        for (String uri : resources) {
          session.backend().settings().request(session, "resources/unsubscribe", Json.object().put("uri", uri));
        }
        stream.close();
        bridge.release(session, r.capabilities());
      });
      return GatewayResponse.stream(200, stream.connect(-1)).withHeader("X-Accel-Buffering", "no");
    });
  }

  private static void honor(JsonNode filter, String field, boolean served, ObjectNode honored, Set<String> methods, String method) {
    if (filter.path(field).asBoolean() && served) {
      honored.put(field, true);
      methods.add(method);
    }
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode element : array) {
      if (!element.isTextual()) {
        return false;
      }
    }
    return true;
  }

  /** A change notification for a listen stream: tagged with its subscription id; null when the stream did not ask for it. */
  private static byte[] tagged(byte[] json, Set<String> methods, Set<String> resources, JsonNode subscriptionId) {
    ObjectNode message;
    try {
      message = (ObjectNode) Json.parse(json);
    } catch (java.io.IOException | ClassCastException e) {
      return null;
    }
    String method = message.path("method").asText();
    if (message.has("id") || !methods.contains(method)) {
      return null;
    }
    if ("notifications/resources/updated".equals(method) && !resources.contains(message.path("params").path("uri").asText())) {
      return null;
    }
    JsonNode params = message.get("params");
    ObjectNode p = params != null && params.isObject() ? (ObjectNode) params : message.putObject("params");
    JsonNode meta = p.get("_meta");
    ObjectNode m = meta != null && meta.isObject() ? (ObjectNode) meta : p.putObject("_meta");
    m.set(StatelessRequest.META_SUBSCRIPTION, subscriptionId);
    return Json.bytes(message);
  }

  /**
   * The unified endpoint {@code /mcp}: the tools and prompts of every server the caller may use,
   * named {@code {server}___{name}}, each call routed to its server as on {@code /mcp/{server}}.
   */
  private CompletionStage<GatewayResponse> unified(StatelessRequest r, Identity identity, long epoch, RoundSpan span) {
    switch (r.method()) {
      case "server/discover": {
        ObjectNode response = Json.object();
        response.put("jsonrpc", "2.0");
        response.set("id", r.id());
        ObjectNode result = response.putObject("result");
        ArrayNode versions = result.putArray("supportedVersions");
        StatelessRequest.ALL_VERSIONS.forEach(versions::add);
        ObjectNode capabilities = result.putObject("capabilities");
        capabilities.putObject("tools");
        capabilities.putObject("prompts");
        result.put("instructions", "Tools and prompts of several MCP servers, named {server}" + UnifiedEndpoint.SEPARATOR + "{name}.");
        StatelessResults.decorate(result, "server/discover", Json.object().put("name", "mcp-gateway").put("version", version));
        return done(GatewayResponse.json(200, Json.bytes(response)));
      }
      case "tools/list":
        return aggregate(r, identity, epoch, "tools", span);
      case "prompts/list":
        return aggregate(r, identity, epoch, "prompts", span);
      default:
        return done(StatelessRequest.error(404, r.id(), GatewayException.METHOD_NOT_FOUND, "Method not found: '"
            + Json.truncate(r.method()) + "' is not available on the unified endpoint; use /mcp/{server}", null));
    }
  }

  /**
   * A call of the unified endpoint, routed to the server its prefixed name names, as on
   * {@code /mcp/{server}}; its span is that server's, named for the tool or prompt as the server
   * knows it (a name no server has keeps the client's name, and no server).
   */
  private CompletionStage<GatewayResponse> routed(GatewayRequest request, StatelessRequest r, Http.Accept accept, Identity identity,
      long epoch) {
    String name = r.params().path("name").asText("");
    ServerConfig server = UnifiedEndpoint.serverOf(config, name);
    if (server == null || !identity.mayUse(server.name())) {
      return span(request, r, UnifiedEndpoint.NAME).endWith(done(StatelessRequest.error(200, r.id(), GatewayException.INVALID_PARAMS,
          "unknown " + (r.method().equals("tools/call") ? "tool" : "prompt") + " '" + Json.truncate(name)
              + "'; names on the unified endpoint are {server}" + UnifiedEndpoint.SEPARATOR + "{name}", null)));
    }
    ObjectNode message = r.message().deepCopy();
    ((ObjectNode) message.get("params")).put("name", name.substring(server.name().length() + UnifiedEndpoint.SEPARATOR.length()));
    StatelessRequest routed = new StatelessRequest(message, r.id(), r.method(), (ObjectNode) message.get("params"),
        r.capabilities(), r.clientInfo(), r.logLevel());
    RoundSpan span = span(request, routed, server.name());
    if (server.rateLimit().isPresent()) {
      java.util.Optional<Duration> wait = rateLimiter.acquire(identity.sessionKey(), server);
      if (wait.isPresent()) {
        runtime.listeners().rateLimited(server.name(), identity.name());
        return span.endWith(done(Http.rateLimited(identity.name(), server.name(), server.rateLimit().get(), wait.get())));
      }
    }
    return span.endWith(call(request, routed, accept, server, identity, epoch, span));
  }

  /** The list of every server the caller may use, names prefixed; a server that fails is left out. */
  private CompletionStage<GatewayResponse> aggregate(StatelessRequest r, Identity identity, long epoch, String field, RoundSpan span) {
    java.util.List<CompletableFuture<java.util.List<JsonNode>>> parts = new java.util.ArrayList<>();
    for (ServerConfig server : config.servers().values()) {
      if (identity.mayUse(server.name())) {
        parts.add(bridge.acquire(identity, server, r.capabilities(), r.clientInfo(), r.id(), epoch).thenCompose(acquired -> {
          if (acquired.refusal() != null) {
            return CompletableFuture.completedFuture(java.util.List.<JsonNode>of());
          }
          java.util.List<JsonNode> items = new java.util.ArrayList<>();
          return page(acquired.session(), server, identity, r.method(), field, null, items, 0, span.parent()).handle((ok, failure) -> {
            bridge.release(acquired.session(), r.capabilities());
            return failure == null ? items : java.util.List.<JsonNode>of();
          });
        }));
      }
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
      ObjectNode response = Json.object();
      response.put("jsonrpc", "2.0");
      response.set("id", r.id());
      ObjectNode result = response.putObject("result");
      ArrayNode items = result.putArray(field);
      for (CompletableFuture<java.util.List<JsonNode>> part : parts) {
        items.addAll(part.join());
      }
      StatelessResults.decorate(result, r.method(), Json.object().put("name", "mcp-gateway").put("version", version));
      return GatewayResponse.json(200, Json.bytes(response));
    });
  }

  /** @param span the list request's span: each page's call to the backend is a child of it */
  private CompletableFuture<Void> page(LiveSession session, ServerConfig server, Identity identity, String method, String field,
      String cursor, java.util.List<JsonNode> items, int pages, TraceSpan span) {
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
    return BackendCall.ask(session.backend(), request, runtime, span).thenCompose(response -> {
      ObjectNode answer = call == null ? response : chain.response(call, response);
      if ("tools/list".equals(method)) {
        paramHeaders.learn(identity.sessionKey(), server.name(), answer.path("result"));
      }
      for (JsonNode item : answer.path("result").path(field)) {
        if (item.isObject() && item.path("name").isTextual()) {
          ObjectNode named = ((ObjectNode) item).deepCopy();
          named.put("name", server.name() + UnifiedEndpoint.SEPARATOR + item.get("name").asText());
          items.add(named);
        }
      }
      String next = answer.path("result").path("nextCursor").asText(null);
      if (next != null && pages + 1 < 20) {
        return page(session, server, identity, method, field, next, items, pages + 1, span);
      }
      return CompletableFuture.completedFuture(null);
    });
  }

  private CompletionStage<GatewayResponse> discover(StatelessRequest r, ServerConfig server, Identity identity, long epoch) {
    return bridge.acquire(identity, server, r.capabilities(), r.clientInfo(), r.id(), epoch).thenApply(acquired -> {
      if (acquired.refusal() != null) {
        return acquired.refusal();
      }
      bridge.release(acquired.session(), r.capabilities());
      JsonNode init = acquired.initialized();
      ObjectNode response = Json.object();
      response.put("jsonrpc", "2.0");
      response.set("id", r.id());
      ObjectNode result = response.putObject("result");
      ArrayNode versions = result.putArray("supportedVersions");
      StatelessRequest.ALL_VERSIONS.forEach(versions::add);
      JsonNode capabilities = init.get("capabilities");
      result.set("capabilities", capabilities != null && capabilities.isObject() ? capabilities.deepCopy() : Json.object());
      if (init.path("instructions").isTextual()) {
        result.set("instructions", init.get("instructions"));
      }
      StatelessResults.decorate(result, "server/discover", init.get("serverInfo"));
      return GatewayResponse.json(200, Json.bytes(response));
    });
  }

  private CompletionStage<GatewayResponse> call(GatewayRequest request, StatelessRequest r, Http.Accept accept, ServerConfig server,
      Identity identity, long epoch, RoundSpan span) {
    if ("tools/call".equals(r.method())) {
      String mismatch = paramHeaders.mismatch(request, identity.sessionKey(), server.name(), r.params());
      if (mismatch != null) {
        return done(StatelessRequest.error(400, r.id(), StatelessRequest.HEADER_MISMATCH, "Header mismatch: " + mismatch, null));
      }
    }
    boolean mrtr = MULTI_ROUND.contains(r.method());
    JsonNode stateNode = mrtr ? r.params().get("requestState") : null;
    JsonNode responses = mrtr ? r.params().get("inputResponses") : null;
    if (responses != null && !validResponses(responses)) {
      return done(StatelessRequest.error(400, r.id(), GatewayException.INVALID_PARAMS,
          "invalid params: inputResponses must be an object whose values are the results of the input requests (objects)", null));
    }
    if (stateNode != null && !stateNode.isTextual()) {
      return done(StatelessRequest.error(400, r.id(), GatewayException.INVALID_PARAMS,
          "invalid params: requestState must be the string the gateway sent", null));
    }
    String digest = digest(r);
    JsonNode progressToken = r.params().path("_meta").get("progressToken");
    if (stateNode != null) {
      RequestStates.Opened opened = states.open(stateNode.asText());
      if (opened.state() == null || opened.state().inner() == null) {
        return resume(r, accept, server, identity, opened, responses, digest, progressToken, true, span);
      }
      String refusal = refusal(opened.state(), identity, server, digest);
      if (refusal != null) {
        return done(StatelessRequest.error(400, r.id(), GatewayException.INVALID_PARAMS, "invalid params: " + refusal, null));
      }
      return start(r, accept, server, identity, epoch, mrtr, responses, digest, progressToken, opened.state().inner(), span);
    }
    return start(r, accept, server, identity, epoch, mrtr, responses, digest, progressToken, null, span);
  }

  /**
   * A call through a bridge session; {@code innerState} is the state of a backend of the stateless
   * revision that a retry continues (null for a first request).
   */
  private CompletionStage<GatewayResponse> start(StatelessRequest r, Http.Accept accept, ServerConfig server, Identity identity,
      long epoch, boolean mrtr, JsonNode responses, String digest, JsonNode progressToken, String innerState, RoundSpan span) {
    return bridge.acquire(identity, server, r.capabilities(), r.clientInfo(), r.id(), epoch).thenCompose(acquired -> {
      if (acquired.refusal() != null) {
        return done(acquired.refusal());
      }
      LiveSession session = acquired.session();
      boolean nativeRelay = VERSION.equals(acquired.initialized().path("protocolVersion").asText());
      Leg leg = new Leg(r.id(), accept, r.logLevel(), progressToken, session, span);
      BridgeExchange exchange = new BridgeExchange(this, states.newId(), session, r.capabilities(),
          acquired.initialized().get("serverInfo"), r.method(), r.params(), digest, mrtr, nativeRelay, leg,
          nativeRelay ? null : responses);
      ObjectNode message = nativeRelay ? relayedMessage(r, innerState) : backendMessage(r);
      exchange.started(r.id(), null);
      // the call's backend span is a child of this request's and lasts as long as the call, across its rounds
      CallForwarder.Started started = forwarder.start(session, message, r.id(), r.method(), exchange, span.parent());
      if (started.refusal() != null) {
        bridge.release(session, r.capabilities());
        return done(GatewayResponse.json(200, started.refusal()));
      }
      exchange.started(r.id(), started.intercepted());
      keepAlive(leg);
      return leg.response();
    });
  }

  /**
   * A retry that carries a {@code requestState}: the parked call it names goes on, here or, when
   * another replica holds it and {@code mayForward}, there; or the state is refused.
   */
  private CompletionStage<GatewayResponse> resume(StatelessRequest r, Http.Accept accept, ServerConfig server, Identity identity,
      RequestStates.Opened opened, JsonNode responses, String digest, JsonNode progressToken, boolean mayForward, RoundSpan span) {
    BridgeExchange exchange = opened.claimed() == null ? null : parked.get(opened.claimed());
    RequestStates.State state = opened.state();
    String refusal = null;
    boolean cancel = true;
    if (state == null) {
      refusal = "requestState was not issued by this gateway or was altered";
      cancel = exchange != null && exchange.callerKey.equals(identity.sessionKey());
      if (exchange == null && relay != null && opened.claimed() != null && opened.claimed().length() <= 64) {
        // the call it claims may wait on another replica: its holder cancels it if it is the caller's
        relay.cancel(null, opened.claimed(), identity.sessionKey(), "its requestState was refused: " + refusal);
      }
    } else if ((refusal = refusal(state, identity, server, digest)) != null) {
      cancel = true;
      if (exchange == null && relay != null && elsewhere(state)) {
        relay.cancel(state.holder(), state.parked(), null, "its requestState was refused: " + refusal);
      }
    } else if (exchange == null) {
      if (mayForward && relay != null && elsewhere(state)) {
        return relay.forward(r, accept, server, identity, state);
      }
      refusal = "the call this requestState continues has ended (it finished, was cancelled, or waited too long); send the request again";
      cancel = false;
    } else if (state.round() != exchange.round() || !exchange.isParked()) {
      refusal = "requestState was used already: each one continues its call once";
    }
    if (refusal != null) {
      if (cancel && exchange != null) {
        exchange.cancel("its requestState was refused: " + refusal);
      }
      return done(StatelessRequest.error(400, r.id(), GatewayException.INVALID_PARAMS, "invalid params: " + refusal, null));
    }
    InterceptorChain.Call intercepted = null;
    if (!chain.isEmpty()) {
      // each round is a request of its own: the request phase sees it, input responses included
      // the request as the first round showed it, with the input responses; the gateway's state is its own
      ObjectNode view = backendMessage(r);
      if (responses != null) {
        ((ObjectNode) view.get("params")).set("inputResponses", responses);
      }
      intercepted = new InterceptorChain.Call(server.name(), identity, r.method(), view);
      String denial = chain.request(intercepted);
      if (denial != null) {
        exchange.cancel("its retry was denied: " + denial);
        return done(GatewayResponse.json(200, Json.bytes(Json.rpcError(r.id(), GatewayException.DENIED, denial))));
      }
    }
    Leg leg = new Leg(r.id(), accept, r.logLevel(), progressToken, exchange.session(), span);
    if (!exchange.resume(leg, intercepted, responses)) {
      return done(StatelessRequest.error(400, r.id(), GatewayException.INVALID_PARAMS,
          "invalid params: requestState was used already: each one continues its call once", null));
    }
    keepAlive(leg);
    return leg.response();
  }

  /** Whether another replica sealed {@code state} for a call it holds. */
  private boolean elsewhere(RequestStates.State state) {
    return state.holder() != null && !state.holder().equals(relay.node);
  }

  /**
   * A retry that another replica received, checked and sent here, to the replica its state
   * names: it goes on as if it had come here, but is never sent on again.
   */
  CompletionStage<GatewayResponse> resumeForwarded(StatelessRequest r, Http.Accept accept, String serverName, Identity identity) {
    ServerConfig server = config.servers().get(serverName);
    if (server == null) {
      return done(StatelessRequest.error(404, r.id(), GatewayException.INVALID_PARAMS, "invalid params: server '"
          + Json.truncate(serverName) + "' is not configured on the replica that holds the call", null));
    }
    JsonNode stateNode = r.params().get("requestState");
    RequestStates.Opened opened = states.open(stateNode == null ? null : stateNode.asText(null));
    return resume(r, accept, server, identity, opened, r.params().get("inputResponses"), digest(r),
        r.params().path("_meta").get("progressToken"), false, RoundSpan.NONE);
  }

  /**
   * Another replica refused a state that names {@code parkedId}: the call is cancelled here when it
   * is {@code caller}'s (any caller's when null).
   */
  void cancelParked(String parkedId, String caller, String reason) {
    BridgeExchange exchange = parked.get(parkedId);
    if (exchange != null && (caller == null || exchange.callerKey.equals(caller))) {
      exchange.cancel(reason);
    }
  }

  /** Why a state that passed its seal does not continue this request; null when it does. */
  private String refusal(RequestStates.State state, Identity identity, ServerConfig server, String digest) {
    if (!state.caller().equals(identity.sessionKey()) || !state.server().equals(server.name())) {
      return "requestState belongs to another caller or server";
    }
    if (state.expiresAtMillis() < System.currentTimeMillis()) {
      return "requestState expired: the call waited for input longer than " + parkTimeout().toSeconds() + " s";
    }
    if (!state.digest().equals(digest)) {
      return "requestState belongs to another request: a retry repeats the method and params of the request it continues";
    }
    return null;
  }

  /** The request as a backend of the stateless revision takes it: as the client sent it, with the backend's own state back. */
  static ObjectNode relayedMessage(StatelessRequest r, String innerState) {
    ObjectNode message = r.message().deepCopy();
    ObjectNode params = (ObjectNode) message.get("params");
    if (innerState != null) {
      params.put("requestState", innerState);
    } else {
      params.remove("requestState");
    }
    return message;
  }

  private void keepAlive(Leg leg) {
    if (leg.accept.sse()) {
      runtime.scheduler().schedule(leg::keepAlive, streams.interval().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** An object whose members are objects (the results of input requests). */
  private static boolean validResponses(JsonNode responses) {
    if (!responses.isObject()) {
      return false;
    }
    for (Iterator<JsonNode> it = responses.elements(); it.hasNext(); ) {
      if (!it.next().isObject()) {
        return false;
      }
    }
    return true;
  }

  /** The request as a session-based backend takes it: no stateless {@code _meta} fields, no input responses, no state. */
  static ObjectNode backendMessage(StatelessRequest r) {
    ObjectNode message = r.message().deepCopy();
    ObjectNode params = (ObjectNode) message.get("params");
    params.remove("requestState");
    params.remove("inputResponses");
    JsonNode meta = params.get("_meta");
    if (meta != null && meta.isObject()) {
      ((ObjectNode) meta).properties().removeIf(e -> e.getKey().startsWith("io.modelcontextprotocol/"));
      if (meta.isEmpty()) {
        params.remove("_meta");
      }
    }
    return message;
  }

  /** What a retry must repeat of the request it continues: the method and the params but for _meta, state and responses. */
  static String digest(StatelessRequest r) {
    ObjectNode params = r.params().deepCopy();
    params.remove("_meta");
    params.remove("requestState");
    params.remove("inputResponses");
    String canonical = r.method() + '\n' + BridgeSessions.canonical(params);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- what the exchanges use ---

  ScheduledExecutorService scheduler() {
    return runtime.scheduler();
  }

  /** How long a parked call waits for its retry: the tool timeout, which bounds the whole call anyway. */
  Duration parkTimeout() {
    return config.toolTimeout();
  }

  long stateExpiry() {
    return System.currentTimeMillis() + parkTimeout().toMillis();
  }

  String seal(BridgeExchange exchange, int round, long expiresAtMillis) {
    return states.seal(new RequestStates.State(exchange.parkedId, exchange.callerKey, exchange.server, exchange.digest,
        expiresAtMillis, round, null, relay == null ? null : relay.node));
  }

  /** The gateway's state around the state a backend of the stateless revision made; null when that is too large. */
  String sealRelayed(BridgeExchange exchange, String inner) {
    if (inner.length() > RequestStates.MAX_INNER) {
      return null;
    }
    return states.seal(new RequestStates.State(states.newId(), exchange.callerKey, exchange.server, exchange.digest,
        stateExpiry(), 0, inner, null));
  }

  /** The gateway closes: calls waiting for their client's input are cancelled, since no retry can reach them now. */
  public void closing() {
    for (BridgeExchange exchange : List.copyOf(parked.values())) {
      exchange.cancel("the gateway is closing");
    }
  }

  /** The gateway closed: it stops taking the other replicas' retries; the retries it sent on end with an error. */
  public void close() {
    if (relay != null) {
      relay.close();
    }
  }

  /** The chain's answer phase on {@code message} for {@code call} (none when null); the answer keeps {@code id}. */
  ObjectNode answerPhase(InterceptorChain.Call call, ObjectNode message, JsonNode id) {
    if (call == null) {
      return message;
    }
    try {
      ObjectNode answered = chain.response(call, message);
      answered.set("id", id);
      return answered;
    } catch (RuntimeException | Error e) {
      org.slf4j.LoggerFactory.getLogger(StatelessEndpoint.class).error("Handling the answer to {} of server '{}' failed; the client gets an error",
          call.method(), call.server(), e);
      return Json.rpcError(id, GatewayException.INTERNAL_ERROR, "the answer of server '" + call.server()
          + "' could not be delivered: the gateway failed on it (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** A {@code tools/list} answer relayed to a caller: its {@code x-mcp-header} annotations are learned. */
  void listed(BridgeExchange exchange, JsonNode result) {
    paramHeaders.learn(exchange.callerKey, exchange.server, result);
  }

  void parked(BridgeExchange exchange) {
    parked.put(exchange.parkedId, exchange);
    int round = exchange.round();
    long delay = Math.max(0, exchange.expiresAtMillis() - System.currentTimeMillis());
    runtime.scheduler().schedule(() -> {
      if (exchange.isParked() && exchange.round() == round) {
        exchange.cancel("the client did not send the input within " + parkTimeout().toSeconds() + " s");
      }
    }, delay + 1, TimeUnit.MILLISECONDS);
  }

  void unparked(BridgeExchange exchange) {
    parked.remove(exchange.parkedId, exchange);
  }

  void release(LiveSession session, ObjectNode capabilities) {
    bridge.release(session, capabilities);
  }

  private static CompletionStage<GatewayResponse> done(GatewayResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
