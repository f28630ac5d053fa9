package dev.mcpgateway.internal;

import dev.mcpgateway.Admission;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.GatewayStats;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.connection.BackendPool;
import dev.mcpgateway.internal.connection.BackendSlot;
import dev.mcpgateway.internal.connection.GatewayRuntime;
import dev.mcpgateway.internal.connection.ServerHealth;
import dev.mcpgateway.internal.http.AdmissionTicket;
import dev.mcpgateway.internal.http.Http;
import dev.mcpgateway.internal.http.McpEndpoint;
import dev.mcpgateway.internal.http.RateLimiter;
import dev.mcpgateway.internal.http.RequestGate;
import dev.mcpgateway.internal.http.UnifiedEndpoint;
import dev.mcpgateway.internal.intercept.Listeners;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.session.SessionRegistry;
import dev.mcpgateway.payload.PayloadStore;
import dev.mcpgateway.session.SessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway built by {@link McpGateway#builder(GatewayConfig)}: admits each request
 * (origin, authentication), routes it to its endpoint, and closes what it assembled.
 */
public final class DefaultMcpGateway implements McpGateway {
  private static final Logger LOG = LoggerFactory.getLogger(McpGateway.class);
  private static final String VERSION = readVersion();

  private final GatewayConfig config;
  private final Authenticator authenticator;
  private final SessionStore sessions;
  private final PayloadStore payloads;
  private final GatewayRuntime runtime;
  private final BackendPool pool;
  private final SessionRegistry live;
  private final AdminEndpoints admin;
  private final McpEndpoint endpoint;
  private final dev.mcpgateway.internal.stateless.StatelessEndpoint stateless;
  private final SessionEnds ends;
  private final UnifiedEndpoint unified;
  private final long maxRequestBytes;
  private final Map<BackendKind, BackendLauncher> launchers;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Listeners listeners;
  private final java.util.List<AutoCloseable> closeables;
  private final java.time.Duration drainTimeout;
  private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  private volatile int serversTerminated;
  private final RateLimiter rateLimiter;
  private final long startedNanos;
  private final RequestGate gate;

  /** Builds the gateway from what the builder collected; use {@link McpGateway#builder(GatewayConfig)}. */
  public DefaultMcpGateway(GatewayParts parts) {
    GatewayAssembly assembly = new GatewayAssembly(parts, VERSION);
    this.config = assembly.config;
    this.launchers = assembly.launchers;
    this.authenticator = assembly.authenticator;
    this.maxRequestBytes = assembly.maxRequestBytes;
    this.sessions = assembly.sessions;
    this.payloads = assembly.payloads;
    this.drainTimeout = assembly.drainTimeout;
    this.listeners = assembly.listeners;
    this.runtime = assembly.runtime;
    this.live = assembly.live;
    this.pool = assembly.pool;
    this.rateLimiter = assembly.rateLimiter;
    this.endpoint = assembly.endpoint;
    this.stateless = assembly.stateless;
    this.ends = assembly.ends;
    this.unified = assembly.unified;
    this.gate = assembly.gate;
    this.closeables = assembly.closeables;
    this.startedNanos = runtime.nanoTime();
    this.admin = new AdminEndpoints(this, config, authenticator, runtime, VERSION);
    if (authenticator.isOpen()) {
      LOG.warn("Authentication is off: the gateway is open to anyone who can reach it (development only); "
          + "set gateway.apiKey or MCP_GATEWAY_API_KEY");
    }
    LOG.info("MCP gateway {} ready with servers {}", VERSION, config.servers().keySet());
    listeners.configLoaded(config);
    listeners.gatewayStarted(this);
  }

  @Override
  public CompletionStage<GatewayResponse> handle(GatewayRequest request) {
    return handle(request, null);
  }

  @Override
  public CompletionStage<GatewayResponse> handle(GatewayRequest request, Admission admission) {
    try {
      return route(request, admission == null ? null : gate.recognize(admission, request));
    } catch (RuntimeException e) {
      LOG.error("Unexpected failure handling {}", request, e);
      return CompletableFuture.completedFuture(Http.error(500, "internal error"));
    }
  }

  @Override
  public Admission admit(GatewayRequest head) {
    try {
      return admission(head);
    } catch (RuntimeException e) {
      LOG.error("Unexpected failure admitting {}", head, e);
      return Admission.answered(Http.error(500, "internal error"));
    }
  }

  /**
   * What the head of a request decides, before its body: {@code /health} is answered, every
   * other request passes the gate (repeated headers, origin, authentication). Shared by
   * {@link #admit} and {@link #route}, so a request is authenticated once whichever way it came.
   */
  private AdmissionTicket admission(GatewayRequest head) {
    String path = head.path();
    if (path.equals("/health")) {
      if (!head.method().equals("GET") && !head.method().equals("HEAD")) {
        return gate.answered(Http.error(405, "use GET for /health").withHeader("Allow", "GET, HEAD"));
      }
      return gate.answered(admin.health());
    }
    if (path.equals("/close")) {
      if (!head.method().equals("POST")) {
        return gate.answered(Http.error(405, "use POST for /close").withHeader("Allow", "POST"));
      }
    }
    // Origin and Host checks, then authentication, for every endpoint but /health (/close
    // included): an unauthenticated caller learns nothing, not even which servers exist.
    return gate.admit(head);
  }

  private CompletionStage<GatewayResponse> route(GatewayRequest request, AdmissionTicket admitted) {
    AdmissionTicket ticket = admitted != null ? admitted : admission(request);
    if (ticket.response != null) {
      return done(ticket.response);
    }
    AuthResult auth = ticket.auth;
    long epoch = ticket.revocations;
    String path = request.path();
    if (path.equals("/close")) {
      return admin.close(request, auth.identity().orElseThrow());
    }
    if (path.equals("/mcp")) {
      return unifiedRoute(request, auth.identity().orElseThrow(), epoch);
    }
    if (!path.startsWith("/mcp/")) {
      return done(Http.error(404, "not found: " + Json.truncate(path) + "; MCP endpoints are /mcp/{server}"));
    }
    String name = path.substring("/mcp/".length());
    ServerConfig server = config.servers().get(name);
    if (server == null) {
      Identity caller = auth.identity().orElseThrow();
      return done(Http.error(404, "unknown server '" + Json.truncate(name) + "'; available servers: "
          + config.servers().keySet().stream().filter(caller::mayUse).toList()));
    }
    Identity identity = auth.identity().orElseThrow();
    if (!identity.mayUse(server.name())) {
      return done(Http.error(403, "access denied: '" + identity.name() + "' may not use server '" + server.name() + "'"));
    }
    if (closed.get()) {
      return done(Http.error(503, "gateway is shutting down"));
    }
    if (request.body().length > maxRequestBytes) {
      return done(Http.error(413, "request body exceeds " + maxRequestBytes + " bytes"));
    }
    // Every request takes a token, whatever its method; a batch pays one per call (see McpEndpoint).
    java.util.Optional<java.time.Duration> wait = rateLimiter.acquire(identity.sessionKey(), server);
    if (wait.isPresent()) {
      return done(rateLimited(identity, server.name(), rateLimiter.limitFor(server).orElseThrow(), wait.get()));
    }
    switch (request.method()) {
      case "POST":
        return endpoint.post(request, server, identity, epoch);
      case "GET":
        return done(endpoint.get(request, server.name(), identity));
      case "DELETE":
        return done(endpoint.delete(request, server.name(), identity));
      default:
        return done(Http.error(405, "method " + request.method() + " is not allowed; use POST, GET or DELETE")
            .withHeader("Allow", "POST, GET, DELETE"));
    }
  }

  private CompletionStage<GatewayResponse> unifiedRoute(GatewayRequest request, Identity identity, long epoch) {
    if (unified == null) {
      return done(Http.error(404, "the unified endpoint /mcp is off; use /mcp/{server}, or turn on unified mode"));
    }
    if (closed.get()) {
      return done(Http.error(503, "gateway is shutting down"));
    }
    if (request.body().length > maxRequestBytes) {
      return done(Http.error(413, "request body exceeds " + maxRequestBytes + " bytes"));
    }
    java.util.Optional<java.time.Duration> wait = rateLimiter.acquire(identity.sessionKey());
    if (wait.isPresent()) {
      return done(rateLimited(identity, UnifiedEndpoint.UNIFIED, config.rateLimit().orElseThrow(), wait.get()));
    }
    switch (request.method()) {
      case "POST":
        return unified.post(request, identity, epoch);
      case "GET":
        return done(unified.get(request, identity));
      case "DELETE":
        return done(unified.delete(request, identity));
      default:
        return done(Http.error(405, "method " + request.method() + " is not allowed; use POST, GET or DELETE")
            .withHeader("Allow", "POST, GET, DELETE"));
    }
  }

  private GatewayResponse rateLimited(Identity identity, String server, dev.mcpgateway.config.RateLimit limit,
      java.time.Duration wait) {
    listeners.rateLimited(server, identity.name());
    LOG.debug("Rate limited '{}' on '{}' for {}", identity.name(), server, wait);
    return Http.rateLimited(identity.name(), server, limit, wait);
  }

  @Override
  public GatewayStats stats() {
    long now = runtime.nanoTime();
    Map<String, GatewayStats.ServerStats> servers = new LinkedHashMap<>();
    int backends = 0;
    for (ServerConfig server : config.servers().values()) {
      int running = 0;
      long oldest = Long.MAX_VALUE;
      for (BackendSlot slot : pool.slots()) {
        if (slot.server().name().equals(server.name()) && slot.isRunning()) {
          running++;
          oldest = Math.min(oldest, slot.startedNanos());
        }
      }
      backends += running;
      ServerHealth record = runtime.health(server.name());
      String error = running == 0 ? record.lastError() : null;
      GatewayStats.ServerStatus status = running > 0 ? GatewayStats.ServerStatus.RUNNING
          : error != null ? GatewayStats.ServerStatus.ERROR : GatewayStats.ServerStatus.STOPPED;
      servers.put(server.name(), new GatewayStats.ServerStats(status, running, record.starts(), record.restarts(),
          record.failures(), record.unexpectedExits(),
          running > 0 ? java.util.Optional.of(java.time.Duration.ofNanos(Math.max(0, now - oldest))) : java.util.Optional.empty(),
          java.util.Optional.ofNullable(record.lastStartedAt()), java.util.Optional.ofNullable(error)));
    }
    return new GatewayStats(java.time.Duration.ofNanos(Math.max(0, now - startedNanos)), sessions.size(), backends,
        runtime.callsInFlight(), servers);
  }

  /** How many backends the gateway's close stopped; 0 before it closed. */
  int serversTerminated() {
    return serversTerminated;
  }

  @Override
  public GatewayConfig config() {
    return config;
  }

  @Override
  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.info("Closing the MCP gateway: {} session(s), {} request(s) in flight", sessions.size(), runtime.callsInFlight());
    // a call waiting for a stateless client's input cannot go on: the retry would find the gateway closed
    stateless.closing();
    try {
      if (!runtime.awaitNoCalls(drainTimeout)) {
        LOG.warn("{} request(s) still in flight after {} s; they end with an error", runtime.callsInFlight(), drainTimeout.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int running = 0;
    for (BackendSlot slot : pool.slots()) {
      if (slot.isRunning()) {
        running++;
      }
    }
    serversTerminated = running;
    sessions.close();
    ends.endAll();
    pool.closeAll();
    for (BackendLauncher launcher : launchers.values()) {
      try {
        launcher.close();
      } catch (RuntimeException e) {
        LOG.error("Closing launcher {} failed", launcher, e);
      }
    }
    if (payloads != null) {
      try {
        payloads.close();
      } catch (Exception e) {
        LOG.error("Closing the payload store failed", e);
      }
    }
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.error("Closing {} failed", closeable, e);
      }
    }
    stateless.close();
    if (live.relay() != null) {
      live.relay().close();
    }
    runtime.shutdown();
    LOG.info("MCP gateway closed: {} server process(es) terminated", running);
    closedFuture.complete(null);
  }

  @Override
  public CompletionStage<Void> closed() {
    return closedFuture;
  }

  private static CompletionStage<GatewayResponse> done(GatewayResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  private static String readVersion() {
    try (InputStream in = DefaultMcpGateway.class.getResourceAsStream("/dev/mcpgateway/version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
