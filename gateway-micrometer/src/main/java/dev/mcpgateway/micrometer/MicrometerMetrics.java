package dev.mcpgateway.micrometer;

import dev.mcpgateway.GatewayListener;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import dev.mcpgateway.policy.McpResult;
import dev.mcpgateway.policy.Redaction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * Reports what an {@link McpGateway} does to a Micrometer {@link MeterRegistry}.
 *
 * <p>Add it around the interceptor chain, so that it sees every request, every final answer and
 * every denial, and hears gateway events:
 *
 * <pre>{@code
 * MeterRegistry registry = ...;   // the host application's registry
 * McpGateway gateway = McpGateway.builder(config)
 *     .addOuterInterceptor(MicrometerMetrics.create(registry))
 *     .build();
 * }</pre>
 *
 * <p>Meters (tags in brackets): {@code mcp.gateway.requests} timer [server, method, outcome:
 * {@code success} / {@code error} / {@code tool_error}]; {@code mcp.gateway.denials} [server,
 * method]; {@code mcp.gateway.redactions} [server, kind]; {@code mcp.gateway.rate.limited}
 * [server]; {@code mcp.gateway.auth.failures}; {@code mcp.gateway.backend.starts} [server];
 * {@code mcp.gateway.backend.failures} [server]; {@code mcp.gateway.backend.stops} [server,
 * reason: {@code gateway} / {@code unexpected}]; gauges {@code mcp.gateway.sessions.active},
 * {@code mcp.gateway.backends.active} and {@code mcp.gateway.requests.inflight}. Methods
 * outside the MCP specification are tagged {@code other}, so clients cannot grow the number of
 * meters; no tag carries an identity, key or argument.
 *
 * <p>Requests that end without a backend answer (timeouts, a backend that died) are not timed:
 * interceptors do not see them. Thread-safe. The gateway closes it with itself, which removes the
 * gauges from the registry; the registry belongs to the caller.
 */
public final class MicrometerMetrics implements Interceptor, GatewayListener, AutoCloseable {
  static final String PREFIX = "mcp.gateway.";
  private static final Set<String> METHODS = Set.of("initialize", "ping", "tools/list", "tools/call", "resources/list",
      "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe", "prompts/list",
      "prompts/get", "completion/complete", "logging/setLevel", "tasks/get", "tasks/list", "tasks/result", "tasks/cancel");

  private final MeterRegistry registry;
  private final List<Meter> gauges = new CopyOnWriteArrayList<>();

  private MicrometerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Metrics reported to {@code registry}, which stays the caller's.
   *
   * @param registry where the meters are registered
   * @return the metrics, to add as an outer interceptor
   */
  public static MicrometerMetrics create(MeterRegistry registry) {
    return new MicrometerMetrics(Objects.requireNonNull(registry, "registry"));
  }

  /** The method as a tag value: itself when the MCP specification defines it, else {@code other}. */
  static String methodTag(String method) {
    return method != null && METHODS.contains(method) ? method : "other";
  }

  @Override
  public Verdict onResponse(McpCall call, McpResult result) {
    String outcome = result.isError() ? "error" : result.isToolError() ? "tool_error" : "success";
    Duration latency = Duration.between(call.receivedAt(), Instant.now());
    Timer.builder(PREFIX + "requests")
        .description("Requests answered by backends, with their latency through the gateway")
        .tags("server", call.server(), "method", methodTag(call.method()), "outcome", outcome)
        .register(registry)
        .record(latency.isNegative() ? Duration.ZERO : latency);
    Object redactions = call.attributes().get(Redaction.ATTRIBUTE);
    if (redactions instanceof Map) {
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) redactions).entrySet()) {
        if (entry.getValue() instanceof Number) {
          counter("redactions", "Credentials and secrets redacted from answers", "server", call.server(),
              "kind", String.valueOf(entry.getKey())).increment(((Number) entry.getValue()).doubleValue());
        }
      }
    }
    return Verdict.pass();
  }

  @Override
  public void onDenied(McpCall call, String reason) {
    counter("denials", "Requests refused by a gateway policy", "server", call.server(), "method", methodTag(call.method()))
        .increment();
  }

  @Override
  public void gatewayStarted(McpGateway gateway) {
    gauge("sessions.active", "MCP sessions held", gateway, g -> g.stats().activeSessions());
    gauge("backends.active", "Backends running", gateway, g -> g.stats().activeBackends());
    gauge("requests.inflight", "Requests waiting for a backend's answer", gateway, g -> g.stats().requestsInFlight());
  }

  private void gauge(String name, String description, McpGateway gateway, ToDoubleFunction<McpGateway> value) {
    gauges.add(Gauge.builder(PREFIX + name, gateway, g -> g.isClosed() ? 0 : value.applyAsDouble(g))
        .description(description)
        .strongReference(false)
        .register(registry));
  }

  @Override
  public void authenticationFailed(String reason, String remoteAddress, String path) {
    counter("auth.failures", "Requests refused by the authenticator").increment();
  }

  @Override
  public void rateLimited(String server, String identity) {
    counter("rate.limited", "Requests refused with 429 because the caller was over its rate limit", "server", server)
        .increment();
  }

  @Override
  public void serverStarted(String server, String identity, String backend) {
    counter("backend.starts", "Backends started", "server", server).increment();
  }

  @Override
  public void serverStopped(String server, String identity, String reason) {
    counter("backend.stops", "Backends stopped", "server", server,
        "reason", "stopped by the gateway".equals(reason) ? "gateway" : "unexpected").increment();
  }

  @Override
  public void error(String server, String message) {
    if (server != null) {
      counter("backend.failures", "Backends that failed to start", "server", server).increment();
    }
  }

  private Counter counter(String name, String description, String... tags) {
    return Counter.builder(PREFIX + name).description(description).tags(tags).register(registry);
  }

  /** Removes the gauges from the registry; counters and timers stay. Idempotent. */
  @Override
  public void close() {
    for (Meter gauge : gauges) {
      registry.remove(gauge);
    }
    gauges.clear();
  }

  @Override
  public String toString() {
    return "MicrometerMetrics";
  }
}
