package dev.mcpgateway.opentelemetry;

import dev.mcpgateway.trace.RequestTracing;
import dev.mcpgateway.trace.TraceSpan;
import dev.mcpgateway.trace.TracedRequest;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Traces an {@link dev.mcpgateway.McpGateway} with OpenTelemetry, after the OpenTelemetry
 * semantic conventions for MCP: a span of kind {@code SERVER} per client request, a child of kind
 * {@code CLIENT} per call to a backend, and one of kind {@code CLIENT} per request a backend sends
 * the client during a call (sampling, elicitation). Trace context reaches backends, and clients
 * receiving such requests, in {@code params._meta} ({@code traceparent}, {@code tracestate}).
 *
 * <pre>{@code
 * OpenTelemetry openTelemetry = ...;   // the host application's SDK
 * McpGateway gateway = McpGateway.builder(config)
 *     .tracing(OpenTelemetryTracing.create(openTelemetry))
 *     .build();
 * }</pre>
 *
 * <p>A client request's span continues the trace its client sent in {@code params._meta}, else
 * in the HTTP headers {@code traceparent} and {@code tracestate}; with both, the headers' context
 * becomes a link. Spans are named {@code {mcp.method.name} {target}} (the tool's or prompt's
 * name) and carry names and ids only: never an argument, a result, a resource URI, an error
 * message or a credential. Context is read and written with the propagators of
 * {@code openTelemetry}, or W3C Trace Context when it has none.
 *
 * <p>Thread-safe. The {@code OpenTelemetry} instance stays the caller's.
 */
public final class OpenTelemetryTracing implements RequestTracing {
  /** The instrumentation scope of the spans. */
  public static final String SCOPE = "dev.mcpgateway.opentelemetry";
  /** The gateway's name of the server a request goes to (our attribute, not a semantic convention). */
  public static final AttributeKey<String> GATEWAY_SERVER = AttributeKey.stringKey("mcp_gateway.server");

  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final List<String> fields;

  private OpenTelemetryTracing(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.fields = List.copyOf(propagator.fields());
  }

  /**
   * Tracing to {@code openTelemetry}'s tracer provider, with its propagators; W3C trace context
   * when it configures none.
   *
   * @param openTelemetry the SDK or API instance the host configured
   * @return the tracing, to pass to the gateway builder's {@code tracing}
   */
  public static OpenTelemetryTracing create(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    TextMapPropagator propagator = openTelemetry.getPropagators().getTextMapPropagator();
    if (propagator.fields().isEmpty()) {
      propagator = W3CTraceContextPropagator.getInstance(); // MCP's convention when the host configured none
    }
    return new OpenTelemetryTracing(openTelemetry.getTracer(SCOPE), propagator);
  }

  @Override
  public List<String> fields() {
    return fields;
  }

  @Override
  public TraceSpan clientRequest(TracedRequest request) {
    SpanContext fromMeta = remote(request.metaPropagation());
    SpanContext fromHeaders = remote(request.headerPropagation());
    Context parent;
    SpanBuilder builder;
    if (fromMeta.isValid()) {
      parent = Context.root().with(Span.wrap(fromMeta));
      builder = start(request.method(), request.target(), SpanKind.SERVER, parent);
      if (fromHeaders.isValid() && !fromHeaders.equals(fromMeta)) {
        builder.addLink(fromHeaders); // the transport's context, as the MCP conventions advise
      }
    } else {
      parent = fromHeaders.isValid() ? Context.root().with(Span.wrap(fromHeaders)) : Context.root();
      builder = start(request.method(), request.target(), SpanKind.SERVER, parent);
    }
    McpAttributes.method(builder, request.method(), request.target());
    McpAttributes.put(builder, McpAttributes.JSONRPC_REQUEST_ID, McpAttributes.requestId(request.requestId()));
    McpAttributes.put(builder, McpAttributes.MCP_SESSION_ID, request.sessionId());
    McpAttributes.put(builder, McpAttributes.MCP_PROTOCOL_VERSION, request.protocolVersion());
    McpAttributes.put(builder, McpAttributes.NETWORK_TRANSPORT, "tcp");
    McpAttributes.put(builder, McpAttributes.NETWORK_PROTOCOL_NAME, "http");
    McpAttributes.client(builder, request.clientAddress());
    if (!request.server().isEmpty()) {
      builder.setAttribute(GATEWAY_SERVER, request.server()); // empty: the unified endpoint, no single server
    }
    return new OpenTelemetrySpan(this, builder.startSpan(), request.sessionId());
  }

  /** A span builder named after the MCP conventions: {@code {method} {target}}, or the method alone. */
  SpanBuilder start(String method, String target, SpanKind kind, Context parent) {
    return tracer.spanBuilder(target == null ? method : method + " " + target).setSpanKind(kind).setParent(parent);
  }

  /** The remote span context in {@code carrier}; invalid when it holds none. */
  SpanContext remote(Map<String, String> carrier) {
    if (carrier.isEmpty()) {
      return SpanContext.getInvalid();
    }
    return Span.fromContext(propagator.extract(Context.root(), carrier, MAP_GETTER)).getSpanContext();
  }

  /** The propagation fields of {@code span}. */
  Map<String, String> inject(Span span) {
    Map<String, String> carrier = new java.util.LinkedHashMap<>();
    propagator.inject(Context.root().with(span), carrier, (map, key, value) -> map.put(key, value));
    return carrier;
  }

  @Override
  public String toString() {
    return "OpenTelemetryTracing";
  }
}
