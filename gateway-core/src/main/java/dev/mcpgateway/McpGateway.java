package dev.mcpgateway;

import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.internal.DefaultMcpGateway;
import dev.mcpgateway.internal.GatewayParts;
import dev.mcpgateway.payload.PayloadStore;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.stream.EventStore;
import java.time.Duration;
import java.util.Collection;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.Policies;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * An MCP gateway: authenticates callers, routes {@code /mcp/{server}} to backend MCP servers
 * it starts on demand, and keeps every caller's backends and data apart.
 *
 * <p>One transport-neutral entry point, {@link #handle(GatewayRequest)}, serves every HTTP
 * request; the servlet in {@code gateway-servlet} and tests both call it. A transport that
 * reads bodies from the network first asks {@link #admit(GatewayRequest)} about the request's
 * head, so that no body is read for a caller who is not let in. The gateway never
 * blocks the calling thread on a backend: the returned stage completes when the answer is
 * ready. Thread-safe. {@link #close()} ends every session and backend; it is idempotent.
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfig.read(Path.of("gateway.json"));
 * try (McpGateway gateway = McpGateway.builder(config)
 *         .authenticator(ApiKeyAuthenticator.fromConfig(config))
 *         .launcher(BackendKind.CONTAINER, DockerBackendLauncher.create())
 *         .build()) {
 *   // mount new McpGatewayServlet(gateway) in your servlet container
 * }
 * }</pre>
 */
public interface McpGateway extends AutoCloseable {

  /**
   * Starts a builder for a gateway serving {@code config}.
   *
   * @param config the configuration to serve
   * @return a new builder
   */
  static Builder builder(GatewayConfig config) {
    return new Builder(config);
  }

  /**
   * Answers one HTTP request. Never completes exceptionally: every failure becomes a response
   * with a clear status and message.
   *
   * @param request the request, with its body
   * @return a stage that completes with the response
   */
  CompletionStage<GatewayResponse> handle(GatewayRequest request);

  /**
   * Decides what can be decided from the head of a request (method, path, headers, addresses;
   * the body is not looked at) before a transport reads its body: authentication, origin and
   * malformed headers, {@code /health}. Transports call it first so that an unauthenticated
   * caller never gets a body buffered: when the admission has an {@link Admission#answer()
   * answer}, they send it and read no body; otherwise they read the body and call
   * {@link #handle(GatewayRequest, Admission)} with the request and this admission.
   *
   * <pre>{@code
   * Admission admission = gateway.admit(head);           // head: a request without a body
   * if (admission.answer().isPresent()) {
   *   send(admission.answer().get());                    // 401, 429, 400, 403, /health...
   * } else {
   *   byte[] body = readBody();                          // bounded by maxRequestBytes()
   *   gateway.handle(head.withBody(body), admission).thenAccept(this::send);
   * }
   * }</pre>
   *
   * <p>Counts as the request's authentication attempt (a failure counts toward brute-force
   * throttling once). Never blocks and never throws; thread-safe. The default lets every
   * request in and leaves every decision to {@link #handle(GatewayRequest)}, for gateways that
   * do not decide early.
   *
   * @param head the request; its body, if any, is ignored
   * @return the admission to send or to pass on to {@code handle}
   */
  default Admission admit(GatewayRequest head) {
    return Admission.proceed();
  }

  /**
   * Answers a request that {@link #admit(GatewayRequest)} let in, now with its body. When
   * {@code admission} is one this gateway issued for this request's head (the request is
   * {@code head.withBody(body)}), the caller is not authenticated again; with any other
   * admission this is {@link #handle(GatewayRequest)}. Never completes exceptionally. The
   * default ignores the admission.
   *
   * @param request the request, with its body
   * @param admission what {@link #admit(GatewayRequest)} returned for the request's head
   * @return a stage that completes with the response
   */
  default CompletionStage<GatewayResponse> handle(GatewayRequest request, Admission admission) {
    return handle(request);
  }

  /** {@return the configuration this gateway serves} */
  GatewayConfig config();

  /** {@return the largest request body accepted} Transports answer 413 beyond it without reading the rest. */
  long maxRequestBytes();

  /** {@return the library version} */
  String version();

  /**
   * A snapshot of sessions, backends and per-server health, as {@code /health} reports it.
   * Cheap enough to poll (metrics gauges do); thread-safe.
   *
   * @return a snapshot as of now
   * @throws UnsupportedOperationException from gateways that do not keep statistics (test fakes)
   */
  default GatewayStats stats() {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no statistics");
  }

  /**
   * Whether {@link #close()} has begun.
   *
   * @return {@code true} once closing has begun
   */
  boolean isClosed();

  /** {@return a stage that completes when the gateway has closed, whether by {@link #close()} or by {@code POST /close}} */
  CompletionStage<Void> closed();

  /**
   * Stops taking requests (new ones get 503), lets requests in flight finish for up to the drain
   * timeout, then ends every MCP session, closes every backend, deletes the sessions' payloads
   * and releases the launchers and stores the gateway owns. Idempotent; blocks until backends
   * are gone. {@code POST /close} does the same over HTTP.
   */
  @Override
  void close();

  /**
   * Builds a {@link McpGateway}. Every setting may be given at most once; a repeated one fails
   * naming it. Launchers, the session store and the payload store given here are owned by the
   * gateway and closed with it.
   */
  final class Builder {
    private final GatewayConfig config;
    private Authenticator authenticator;
    private final Map<BackendKind, BackendLauncher> launchers = new EnumMap<>(BackendKind.class);
    private SessionStore sessionStore;
    private PayloadStore payloadStore;
    private Function<String, String> environment;
    private Long maxRequestBytes;
    private Integer maxMessageBytes;
    private Boolean allowMissingEnvironment;
    private EventStore eventStore;
    private Duration keepAliveInterval;
    private Set<String> allowedOrigins;
    private Integer payloadPreviewBytes;
    private Duration drainTimeout;
    private List<Interceptor> interceptors;
    private Boolean unified;
    private final List<Interceptor> outerInterceptors = new java.util.ArrayList<>();
    private java.util.function.LongSupplier ticker;
    private dev.mcpgateway.cluster.ClusterBus clusterBus;
    private dev.mcpgateway.cluster.SharedRateLimits sharedRateLimits;
    private dev.mcpgateway.trace.RequestTracing tracing;

    private Builder(GatewayConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Sets who may call. Without one, a configuration without {@code apiKey} runs open
     * ({@link Authenticator#none()}, logged as a WARN) and one with an {@code apiKey} fails to
     * build: add {@code gateway-auth}'s {@code ApiKeyAuthenticator}.
     *
     * @param authenticator decides who the caller is
     * @return this builder
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = once(this.authenticator, Objects.requireNonNull(authenticator, "authenticator"), "authenticator");
      return this;
    }

    /**
     * Registers the launcher for servers of one kind.
     *
     * @param kind the kind of server
     * @param launcher starts backends of that kind; owned by the gateway
     * @return this builder
     */
    public Builder launcher(BackendKind kind, BackendLauncher launcher) {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(launcher, "launcher");
      if (launchers.putIfAbsent(kind, launcher) != null) {
        throw new IllegalStateException("launcher for " + kind + " is set twice: " + launchers.get(kind) + " and " + launcher);
      }
      return this;
    }

    /**
     * Sets the session store; default {@code SessionStore.caffeine(30 minutes, 10,000)}.
     *
     * @param store the store; owned by the gateway
     * @return this builder
     */
    public Builder sessionStore(SessionStore store) {
      this.sessionStore = once(this.sessionStore, Objects.requireNonNull(store, "sessionStore"), "sessionStore");
      return this;
    }

    /**
     * Sets the payload store for large results; default a {@code FileSystemPayloadStore} in the
     * configured {@code payloadDir}.
     *
     * @param store the store; owned by the gateway
     * @return this builder
     */
    public Builder payloadStore(PayloadStore store) {
      this.payloadStore = once(this.payloadStore, Objects.requireNonNull(store, "payloadStore"), "payloadStore");
      return this;
    }

    /**
     * Sets where {@code env} pass-through values ({@code "NAME": ""}) come from; default
     * {@link System#getenv(String)}.
     *
     * @param environment returns a variable's value, or null when it is not set
     * @return this builder
     */
    public Builder environment(Function<String, String> environment) {
      this.environment = once(this.environment, Objects.requireNonNull(environment, "environment"), "environment");
      return this;
    }

    /**
     * The largest request body accepted (default 4 MiB).
     *
     * @param bytes the limit, at least 1024
     * @return this builder
     */
    public Builder maxRequestBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxRequestBytes must be at least 1024: " + bytes);
      }
      this.maxRequestBytes = once(this.maxRequestBytes, bytes, "maxRequestBytes");
      return this;
    }

    /**
     * The largest message accepted from a backend (default: the configuration's
     * {@code maxMessageBytes}, 64 MiB unless set); longer ones are discarded and logged.
     *
     * @param bytes the limit, at least 1024
     * @return this builder
     */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxMessageBytes must be at least 1024: " + bytes);
      }
      this.maxMessageBytes = once(this.maxMessageBytes, bytes, "maxMessageBytes");
      return this;
    }

    /**
     * Whether a pass-through variable missing from the environment only logs a WARN (and is
     * left out) instead of failing {@link #build()}. Default: it fails.
     *
     * @param allow {@code true} to only log a WARN
     * @return this builder
     */
    public Builder allowMissingEnvironment(boolean allow) {
      this.allowMissingEnvironment = once(this.allowMissingEnvironment, allow, "allowMissingEnvironment");
      return this;
    }

    /**
     * Sets where SSE events are kept for resumption with {@code Last-Event-ID}; default
     * in memory, 1,000 events and 4 MiB per session, 5 minutes.
     *
     * @param store the store
     * @return this builder
     */
    public Builder eventStore(EventStore store) {
      this.eventStore = once(this.eventStore, Objects.requireNonNull(store, "eventStore"), "eventStore");
      return this;
    }

    /**
     * How long an SSE stream may stay silent before it gets a keep-alive comment (default 15 s).
     * A request still unanswered after this long is answered as a stream when the client accepts
     * one, so that a long, silent tool call carries keep-alives too.
     *
     * @param interval the interval, at least 100 ms
     * @return this builder
     */
    public Builder keepAliveInterval(Duration interval) {
      Objects.requireNonNull(interval, "keepAliveInterval");
      if (interval.toMillis() < 100) {
        throw new IllegalArgumentException("keepAliveInterval must be at least 100 ms: " + interval);
      }
      this.keepAliveInterval = once(this.keepAliveInterval, interval, "keepAliveInterval");
      return this;
    }

    /**
     * Origins (such as {@code https://app.example.com}) allowed in the {@code Origin} header of
     * browser clients, besides loopback origins, which are always allowed. A request with
     * another Origin gets 403; requests without Origin (non-browser clients) are not affected.
     *
     * @param origins the allowed origins
     * @return this builder
     */
    public Builder allowedOrigins(Collection<String> origins) {
      this.allowedOrigins = once(this.allowedOrigins, Set.copyOf(origins), "allowedOrigins");
      return this;
    }

    /**
     * How many bytes of an offloaded payload the client sees as preview (default 1024).
     *
     * @param bytes the preview size, zero or more
     * @return this builder
     */
    public Builder payloadPreviewBytes(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("payloadPreviewBytes must not be negative: " + bytes);
      }
      this.payloadPreviewBytes = once(this.payloadPreviewBytes, bytes, "payloadPreviewBytes");
      return this;
    }

    /**
     * How long closing waits for requests in flight before it ends them (default 30 s).
     *
     * @param timeout how long to wait; zero ends them at once
     * @return this builder
     */
    public Builder drainTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "drainTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must not be negative: " + timeout);
      }
      this.drainTimeout = once(this.drainTimeout, timeout, "drainTimeout");
      return this;
    }

    /**
     * Sets the interceptor chain, in order: requests pass it first to last, answers last to
     * first. Replaces the default chain, {@link Policies#defaults(GatewayConfig, Function)};
     * include those built-ins where you want them:
     *
     * <pre>{@code
     * List<Interceptor> chain = new ArrayList<>(Policies.defaults(config));
     * chain.add(1, myPolicy); // right after the audit log
     * builder.interceptors(chain);
     * }</pre>
     *
     * <p>Interceptors that implement {@link GatewayListener} also hear the gateway's events;
     * those that implement {@link AutoCloseable} are closed with the gateway.
     *
     * @param chain the interceptors, outermost first
     * @return this builder
     */
    public Builder interceptors(List<Interceptor> chain) {
      this.interceptors = once(this.interceptors, List.copyOf(chain), "interceptors");
      return this;
    }

    /**
     * Turns on unified mode: one more endpoint, {@code /mcp}, that offers the tools and prompts
     * of every server the caller may use, named {@code {server}___{name}}, and routes each call
     * to its server. {@code /mcp/{server}} keeps working. Default off.
     *
     * @param on {@code true} to serve {@code /mcp}
     * @return this builder
     */
    public Builder unifiedEndpoint(boolean on) {
      this.unified = once(this.unified, on, "unifiedEndpoint");
      return this;
    }

    /**
     * Adds an interceptor around the chain (the default one, or the one set with
     * {@link #interceptors(List)}): it sees every request before, and every answer after, the
     * chain's members, and hears every denial. Meant for observers that should not change what
     * the chain does, such as metrics ({@code gateway-micrometer}'s {@code MicrometerMetrics}):
     *
     * <pre>{@code
     * McpGateway.builder(config).addOuterInterceptor(MicrometerMetrics.create(registry)).build();
     * }</pre>
     *
     * <p>May be called several times; the first added is outermost. An interceptor that also
     * implements {@link GatewayListener} hears gateway events; one that is {@link AutoCloseable}
     * is closed with the gateway.
     *
     * @param interceptor the interceptor to add
     * @return this builder
     */
    public Builder addOuterInterceptor(Interceptor interceptor) {
      outerInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /**
     * Sets the gateway's time source for rate limits and uptimes, as {@link System#nanoTime()};
     * for tests, which move time instead of sleeping.
     *
     * @param nanoTicker returns the current time in nanoseconds
     * @return this builder
     */
    public Builder ticker(java.util.function.LongSupplier nanoTicker) {
      this.ticker = once(this.ticker, Objects.requireNonNull(nanoTicker, "ticker"), "ticker");
      return this;
    }

    /**
     * Sets the bus the replicas of a cluster tell each other through (with a session store they
     * share): a client's answer to a server request that lands on another replica than the one
     * waiting for it, and notifications for a session whose {@code GET} stream another replica
     * holds, go to that replica; a stream resumed with {@code Last-Event-ID} on another replica
     * than the one holding it replays the stored events, then follows that replica to the
     * stream's end. The gateway does not close the bus.
     *
     * @param bus the bus; the caller closes it
     * @return this builder
     */
    public Builder clusterBus(dev.mcpgateway.cluster.ClusterBus bus) {
      this.clusterBus = once(this.clusterBus, Objects.requireNonNull(bus, "clusterBus"), "clusterBus");
      return this;
    }

    /**
     * Sets where the replicas of a cluster count rate limits together (Redis): a caller's limit
     * then holds across replicas, not per replica. Without it each replica counts on its own.
     *
     * @param limits the shared counters
     * @return this builder
     */
    public Builder sharedRateLimits(dev.mcpgateway.cluster.SharedRateLimits limits) {
      this.sharedRateLimits = once(this.sharedRateLimits, Objects.requireNonNull(limits, "sharedRateLimits"), "sharedRateLimits");
      return this;
    }

    /**
     * Sets how requests are traced: a span per client request, a child span per call to a
     * backend, whose trace context reaches the backend in {@code params._meta}
     * ({@code gateway-opentelemetry}'s {@code OpenTelemetryTracing}):
     *
     * <pre>{@code
     * McpGateway.builder(config).tracing(OpenTelemetryTracing.create(openTelemetry)).build();
     * }</pre>
     *
     * <p>Without it nothing is traced, and trace context a client sends in {@code params._meta}
     * reaches the backend unchanged. The gateway does not close it.
     *
     * @param tracing starts the spans; the caller closes it
     * @return this builder
     */
    public Builder tracing(dev.mcpgateway.trace.RequestTracing tracing) {
      this.tracing = once(this.tracing, Objects.requireNonNull(tracing, "tracing"), "tracing");
      return this;
    }

    /**
     * Validates the settings against the configuration and builds the gateway.
     *
     * @return the gateway, taking requests
     * @throws dev.mcpgateway.config.ConfigException when a server has no launcher for its
     *     kind, a pass-through variable is missing, or an API key is configured without an
     *     authenticator
     */
    public McpGateway build() {
      return new DefaultMcpGateway(new GatewayParts(config, authenticator, Map.copyOf(launchers), sessionStore,
          payloadStore, environment == null ? System::getenv : environment,
          maxRequestBytes == null ? 4L * 1024 * 1024 : maxRequestBytes,
          maxMessageBytes == null ? config.maxMessageBytes() : maxMessageBytes,
          allowMissingEnvironment != null && allowMissingEnvironment,
          eventStore != null ? eventStore : EventStore.inMemory(1_000, 4L * 1024 * 1024, Duration.ofMinutes(5)),
          keepAliveInterval != null ? keepAliveInterval : Duration.ofSeconds(15),
          allowedOrigins != null ? allowedOrigins : Set.of(),
          payloadPreviewBytes != null ? payloadPreviewBytes : 1024,
          drainTimeout != null ? drainTimeout : Duration.ofSeconds(30),
          chain(),
          unified != null && unified,
          ticker != null ? ticker : System::nanoTime,
          clusterBus,
          sharedRateLimits,
          tracing));
    }

    /** The chain: outer interceptors first, then the set chain or, when none is set, the defaults. */
    private List<Interceptor> chain() {
      if (outerInterceptors.isEmpty()) {
        return interceptors;
      }
      List<Interceptor> chain = new java.util.ArrayList<>(outerInterceptors);
      chain.addAll(interceptors != null ? interceptors
          : Policies.defaults(config, environment == null ? System::getenv : environment));
      return List.copyOf(chain);
    }

    private static <T> T once(T current, T value, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " is set twice: " + current + " and " + value);
      }
      return value;
    }
  }
}
