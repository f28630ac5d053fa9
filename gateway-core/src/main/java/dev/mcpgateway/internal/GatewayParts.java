package dev.mcpgateway.internal;

import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.payload.PayloadStore;
import dev.mcpgateway.session.SessionStore;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@link dev.mcpgateway.McpGateway.Builder} collected; internal, may change without notice.
 *
 * @param authenticator may be {@code null}: chosen from the config
 * @param sessionStore may be {@code null}: the default store
 * @param payloadStore may be {@code null}: no offloading
 * @param interceptors may be {@code null}: the default chain
 * @param ticker the time source, as {@link System#nanoTime()}
 * @param clusterBus may be {@code null}: a gateway on its own
 * @param sharedRateLimits may be {@code null}: rate limits counted by this node alone
 * @param tracing may be {@code null}: no tracing
 */
public record GatewayParts(
    GatewayConfig config,
    Authenticator authenticator,
    Map<BackendKind, BackendLauncher> launchers,
    SessionStore sessionStore,
    PayloadStore payloadStore,
    Function<String, String> environment,
    long maxRequestBytes,
    int maxMessageBytes,
    boolean allowMissingEnvironment,
    dev.mcpgateway.stream.EventStore eventStore,
    java.time.Duration keepAliveInterval,
    java.util.Set<String> allowedOrigins,
    int payloadPreviewBytes,
    java.time.Duration drainTimeout,
    java.util.List<dev.mcpgateway.policy.Interceptor> interceptors,
    boolean unified,
    java.util.function.LongSupplier ticker,
    dev.mcpgateway.cluster.ClusterBus clusterBus,
    dev.mcpgateway.cluster.SharedRateLimits sharedRateLimits,
    dev.mcpgateway.trace.RequestTracing tracing) {}
