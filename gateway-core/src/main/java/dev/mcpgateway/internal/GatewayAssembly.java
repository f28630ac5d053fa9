package dev.mcpgateway.internal;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.connection.BackendPool;
import dev.mcpgateway.internal.connection.BackendRedactor;
import dev.mcpgateway.internal.connection.GatewayRuntime;
import dev.mcpgateway.internal.http.CallForwarder;
import dev.mcpgateway.internal.http.ClientSessions;
import dev.mcpgateway.internal.http.McpEndpoint;
import dev.mcpgateway.internal.stateless.StatelessEndpoint;
import dev.mcpgateway.internal.http.OriginPolicy;
import dev.mcpgateway.internal.http.RateLimiter;
import dev.mcpgateway.internal.http.RequestGate;
import dev.mcpgateway.internal.http.UnifiedEndpoint;
import dev.mcpgateway.internal.intercept.InterceptorChain;
import dev.mcpgateway.internal.intercept.Listeners;
import dev.mcpgateway.internal.payload.PayloadOffloader;
import dev.mcpgateway.internal.session.BusySessions;
import dev.mcpgateway.internal.session.SessionRegistry;
import dev.mcpgateway.internal.session.StreamRegistry;
import dev.mcpgateway.payload.PayloadStore;
import dev.mcpgateway.session.SessionStore;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one gateway is made of, assembled in one step from what the builder collected:
 * checked launchers and environments, the stores, the interceptor chain, the runtime, the
 * session registry, the backend pool and the endpoints. Immutable once built.
 */
final class GatewayAssembly {
  private static final Logger LOG = LoggerFactory.getLogger(McpGateway.class);

  final GatewayConfig config;
  final Authenticator authenticator;
  final Map<BackendKind, BackendLauncher> launchers;
  final SessionStore sessions;
  final PayloadStore payloads;
  final Listeners listeners;
  final GatewayRuntime runtime;
  final SessionRegistry live;
  final BackendPool pool;
  final RateLimiter rateLimiter;
  final McpEndpoint endpoint;
  final StatelessEndpoint stateless;
  final SessionEnds ends;
  /** Null when unified mode is off. */
  final UnifiedEndpoint unified;
  final RequestGate gate;
  final List<AutoCloseable> closeables;
  final long maxRequestBytes;
  final Duration drainTimeout;

  /** @throws ConfigException when the setup cannot work, naming the configuration path */
  GatewayAssembly(GatewayParts parts, String version) {
    this.config = parts.config();
    this.launchers = parts.launchers();
    this.authenticator = chooseAuthenticator(parts);
    Map<String, Map<String, String>> environments = new HashMap<>();
    for (ServerConfig server : config.servers().values()) {
      checkLauncher(server, parts.launchers());
      environments.put(server.name(), resolveEnvironment(server, parts));
    }
    this.maxRequestBytes = parts.maxRequestBytes();
    this.drainTimeout = parts.drainTimeout();
    this.sessions = SessionStoreWrapper.apply(parts.sessionStore() != null ? parts.sessionStore() : defaultSessionStore(config));
    this.payloads = parts.payloadStore() != null ? parts.payloadStore() : defaultPayloadStore(config);
    List<dev.mcpgateway.policy.Interceptor> interceptors = parts.interceptors() != null ? parts.interceptors()
        : dev.mcpgateway.policy.Policies.defaults(config, parts.environment());
    // The chain's redaction applies to everything a backend says; the environment's values always do.
    BackendRedactor redactor = new BackendRedactor(interceptors, secrets(config, environments));
    InterceptorChain chain = new InterceptorChain(interceptors);
    this.listeners = new Listeners(interceptors.stream().filter(i -> i instanceof dev.mcpgateway.GatewayListener)
        .map(i -> (dev.mcpgateway.GatewayListener) i).toList());
    PayloadOffloader offloader = new PayloadOffloader(payloads, config.payloadSizeThreshold(), parts.payloadPreviewBytes(), redactor);
    this.runtime = new GatewayRuntime(config, launchers, environments, parts.maxMessageBytes(), redactor, offloader, listeners,
        parts.ticker(), parts.tracing() == null ? dev.mcpgateway.internal.intercept.Tracer.OFF
            : new dev.mcpgateway.internal.intercept.Tracer(parts.tracing()));
    this.live = new SessionRegistry(parts.eventStore(),
        new StreamRegistry(runtime.scheduler(), parts.keepAliveInterval(), runtime::nanoTime), parts.clusterBus() != null);
    if (parts.clusterBus() != null) {
      live.relay(new dev.mcpgateway.internal.session.ClusterRelay(parts.clusterBus(), live));
    }
    this.pool = new BackendPool(runtime);
    this.rateLimiter = new RateLimiter(config, parts.ticker(), parts.sharedRateLimits());
    ClientSessions clientSessions = new ClientSessions(config, sessions, live);
    clientSessions.attacher(new SessionAttach(config, sessions, live, pool));
    CallForwarder forwarder = new CallForwarder(config, runtime, chain, live.streams());
    this.stateless = new StatelessEndpoint(config, runtime, clientSessions, pool, forwarder, live.streams(), chain,
        rateLimiter, version, parts.clusterBus());
    this.endpoint = new McpEndpoint(clientSessions, forwarder, pool, rateLimiter, listeners, stateless, runtime.tracer());
    this.unified = parts.unified()
        ? new UnifiedEndpoint(config, clientSessions, forwarder, pool, runtime, chain, version, rateLimiter, stateless) : null;
    this.gate = new RequestGate(authenticator, new OriginPolicy(parts.allowedOrigins()), listeners, live::revocationEpoch);
    this.closeables = interceptors.stream().filter(i -> i instanceof AutoCloseable).map(i -> (AutoCloseable) i).toList();
    this.ends = new SessionEnds(sessions, live, pool, payloads);
    sessions.onRemoval(ends::removed);
    authenticator.onRevoked(ends::revoked);
    // After the removal listener, which the store hears of before anything else.
    new BusySessions(sessions, live, config.sessionTimeout(), runtime::nanoTime).start(runtime.scheduler());
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
    if (!parts.config().agentIds().isEmpty()) {
      throw new ConfigException(parts.config().agentIds().size() == 1 ? "$.gateway.agentId" : "$.gateway.agentIds",
          "agent ids are configured but the gateway has no authenticator; "
          + "add gateway-auth and call .authenticator(ApiKeyAuthenticator.fromConfig(config)) on the builder");
    }
    return Authenticator.none();
  }

  private static void checkLauncher(ServerConfig server, Map<BackendKind, BackendLauncher> launchers) {
    BackendKind kind = server.kind();
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

}
