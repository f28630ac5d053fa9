package dev.mcpgateway.internal;

import dev.mcpgateway.internal.connection.BackendPool;
import dev.mcpgateway.internal.connection.BackendRedactor;
import dev.mcpgateway.internal.connection.BackendSlot;
import dev.mcpgateway.internal.connection.GatewayRuntime;
import dev.mcpgateway.internal.connection.ServerHealth;
import dev.mcpgateway.internal.http.AdmissionTicket;
import dev.mcpgateway.internal.http.CallForwarder;
import dev.mcpgateway.internal.http.ClientSessions;
import dev.mcpgateway.internal.http.Http;
import dev.mcpgateway.internal.http.McpEndpoint;
import dev.mcpgateway.internal.http.OriginPolicy;
import dev.mcpgateway.internal.http.RateLimiter;
import dev.mcpgateway.internal.http.RequestGate;
import dev.mcpgateway.internal.http.UnifiedEndpoint;
import dev.mcpgateway.internal.intercept.InterceptorChain;
import dev.mcpgateway.internal.intercept.Listeners;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.payload.PayloadOffloader;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.internal.session.SessionRegistry;
import dev.mcpgateway.internal.session.StreamRegistry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.Admission;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayStats;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.backend.BackendKind;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.payload.PayloadStore;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway built by {@link McpGateway#builder(GatewayConfig)}: validates the setup,
 * authenticates, routes to the endpoints and owns the lifecycle of sessions and backends.
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
    this.config = parts.config();
    this.launchers = parts.launchers();
    this.authenticator = chooseAuthenticator(parts);
    Map<String, Map<String, String>> environments = new HashMap<>();
    for (ServerConfig server : config.servers().values()) {
      checkLauncher(server, parts.launchers());
      environments.put(server.name(), resolveEnvironment(server, parts));
    }
    this.maxRequestBytes = parts.maxRequestBytes();
    this.sessions = SessionStoreWrapper.apply(parts.sessionStore() != null ? parts.sessionStore() : defaultSessionStore(config));
    this.payloads = parts.payloadStore() != null ? parts.payloadStore() : defaultPayloadStore(config);
    this.drainTimeout = parts.drainTimeout();
    java.util.List<dev.mcpgateway.policy.Interceptor> interceptors = parts.interceptors() != null ? parts.interceptors()
        : dev.mcpgateway.policy.Policies.defaults(config, parts.environment());
    // The chain's redaction applies to everything a backend says; the environment's values always do.
    BackendRedactor redactor = new BackendRedactor(interceptors, secrets(config, environments));
    InterceptorChain chain = new InterceptorChain(interceptors);
    this.listeners = new Listeners(interceptors.stream().filter(i -> i instanceof dev.mcpgateway.GatewayListener)
        .map(i -> (dev.mcpgateway.GatewayListener) i).toList());
    PayloadOffloader offloader = new PayloadOffloader(payloads, config.payloadSizeThreshold(), parts.payloadPreviewBytes(), redactor);
    this.runtime = new GatewayRuntime(config, launchers, environments, parts.maxMessageBytes(), redactor, offloader, listeners,
        parts.ticker());
    this.live = new SessionRegistry(parts.eventStore(),
        new StreamRegistry(runtime.scheduler(), parts.keepAliveInterval(), runtime::nanoTime));
    this.pool = new BackendPool(runtime);
    this.rateLimiter = new RateLimiter(config, parts.ticker());
    ClientSessions clientSessions = new ClientSessions(config, sessions, live);
    CallForwarder forwarder = new CallForwarder(config, runtime, chain, live.streams());
    this.endpoint = new McpEndpoint(clientSessions, forwarder, pool, rateLimiter, listeners);
    this.unified = parts.unified()
        ? new UnifiedEndpoint(config, clientSessions, forwarder, pool, runtime, chain, VERSION, rateLimiter) : null;
    this.gate = new RequestGate(authenticator, new OriginPolicy(parts.allowedOrigins()), listeners, live::revocationEpoch);
    this.startedNanos = runtime.nanoTime();
    this.admin = new AdminEndpoints(this, config, authenticator, runtime, VERSION);
    this.closeables = interceptors.stream().filter(i -> i instanceof AutoCloseable).map(i -> (AutoCloseable) i).toList();
    sessions.onRemoval(this::sessionRemoved);
    authenticator.onRevoked(this::revoked);
    if (authenticator.isOpen()) {
      LOG.warn("Authentication is off: the gateway is open to anyone who can reach it (development only); "
          + "set gateway.apiKey or MCP_GATEWAY_API_KEY");
    }
    LOG.info("MCP gateway {} ready with servers {}", VERSION, config.servers().keySet());
    listeners.configLoaded(config);
    listeners.gatewayStarted(this);
  }

  /** Per server, the values it is given: its resolved environment and its HTTP headers. */
  private static Map<String, java.util.List<String>> secrets(GatewayConfig config, Map<String, Map<String, String>> environments) {
    Map<String, java.util.List<String>> secrets = new HashMap<>();
    for (ServerConfig server : config.servers().values()) {
      java.util.List<String> values = new java.util.ArrayList<>(environments.getOrDefault(server.name(), Map.of()).values());
      values.addAll(server.headers().values());
      secrets.put(server.name(), values);
    }
    return secrets;
  }

  private static SessionStore defaultSessionStore(GatewayConfig config) {
    dev.mcpgateway.session.CaffeineSessionStore.Builder store = dev.mcpgateway.session.CaffeineSessionStore.builder()
        .maximumSessions(config.maxSessions());
    config.sessionTimeout().ifPresentOrElse(store::idleTimeout, store::neverExpire);
    return store.build();
  }

  private static PayloadStore defaultPayloadStore(GatewayConfig config) {
    try {
      dev.mcpgateway.payload.FileSystemPayloadStore.Builder store = dev.mcpgateway.payload.FileSystemPayloadStore.builder(config.payloadDir());
      config.payloadPathPrefix().ifPresent(store::pathPrefix);
      store.quotaBytes(config.payloadQuotaBytes());
      return store.build();
    } catch (dev.mcpgateway.payload.UnsafePayloadDirectoryException e) {
      throw new ConfigException("$.gateway.payloadDir", e.getMessage());
    } catch (IOException e) {
      throw new ConfigException("$.gateway.payloadDir", "cannot use payload directory " + config.payloadDir() + ": " + e.getMessage()
          + "; choose a writable directory");
    }
  }

  private static Authenticator chooseAuthenticator(GatewayParts parts) {
    if (parts.authenticator() != null) {
      return parts.authenticator();
    }
    if (parts.config().apiKey().isPresent()) {
      throw new ConfigException("$.gateway.apiKey", "an API key is configured but the gateway has no authenticator; "
          + "add gateway-auth and call .authenticator(ApiKeyAuthenticator.fromConfig(config)) on the builder");
    }
    return Authenticator.none();
  }

  private static void checkLauncher(ServerConfig server, Map<BackendKind, BackendLauncher> launchers) {
    BackendKind kind = BackendKind.of(server);
    if (launchers.containsKey(kind)) {
      launchers.get(kind).validate(server);
      return;
    }
    String at = "$.mcpServers." + server.name();
    switch (kind) {
      case COMMAND:
        throw new ConfigException(at + ".command", "runs a command on the host without container isolation, which is off by default; "
            + "prefer \"container\", or enable host processes with McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())");
      case CONTAINER:
        throw new ConfigException(at + ".container", "needs a container launcher; add gateway-docker and call "
            + ".launcher(BackendKind.CONTAINER, DockerBackendLauncher.create()) on the builder");
      default:
        throw new ConfigException(at + ".url", "needs an HTTP launcher; register one with .launcher(BackendKind.HTTP, ...)");
    }
  }

  private static Map<String, String> resolveEnvironment(ServerConfig server, GatewayParts parts) {
    Map<String, String> resolved = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : server.env().entrySet()) {
      String value = entry.getValue();
      if (value.isEmpty()) {
        value = parts.environment().apply(entry.getKey());
        if (value == null) {
          String at = "$.mcpServers." + server.name() + ".env." + entry.getKey();
          if (!parts.allowMissingEnvironment()) {
            throw new ConfigException(at, "environment variable '" + entry.getKey()
                + "' is not defined in the gateway's environment; export it before starting, or remove it from env");
          }
          LOG.warn("{}: environment variable '{}' is not defined; server '{}' starts without it", at, entry.getKey(), server.name());
          continue;
        }
      }
      resolved.put(entry.getKey(), value);
    }
    return resolved;
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

  /** A session left the store (ended, expired, revoked, closed): this node lets go of what it held for it. */
  private void sessionRemoved(McpSession record, SessionStore.RemovalCause cause) {
    LiveSession session = live.remove(record.id());
    if (session == null) {
      return;
    }
    LOG.debug("{} ended ({})", session, cause);
    session.close();
    pool.leave(session, session.slot());
    for (LiveSession child : session.children()) {
      pool.leave(child, child.slot());
    }
    String key = record.callerDigest();
    if (live.closed(key)) {
      try {
        payloads.deleteAll(key);
      } catch (IOException | RuntimeException e) {
        LOG.error("Could not delete the payloads of '{}'", session.identity().name(), e);
      }
    }
  }

  private void revoked(String sessionKey) {
    live.revoked(sessionKey); // first: an initialize racing this sees it after adding its session
    int ended = 0;
    for (McpSession session : sessions.sessions()) {
      if (session.callerDigest().equals(sessionKey)) {
        sessions.remove(session.id());
        ended++;
      }
    }
    LOG.info("Ended {} session(s) of a revoked credential", ended);
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
