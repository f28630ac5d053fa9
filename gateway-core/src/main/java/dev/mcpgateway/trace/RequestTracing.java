package dev.mcpgateway.trace;

import java.util.List;

/**
 * Traces the requests that pass the gateway: asked for a span when a client's request arrives,
 * it hands back the {@link TraceSpan} that the gateway then tells of the backend call made for
 * the request, of the requests the backend sends the client meanwhile, and of the outcome.
 *
 * <p>Set on {@link dev.mcpgateway.McpGateway.Builder#tracing(RequestTracing)}; without it the
 * gateway traces nothing ({@link #none()}). Called on the gateway's request threads: it must be
 * thread-safe and must not block; one that throws is logged and the request goes on untraced.
 *
 * <pre>{@code
 * McpGateway gateway = McpGateway.builder(config)
 *     .tracing(OpenTelemetryTracing.create(openTelemetry))   // gateway-opentelemetry
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface RequestTracing {

  /** The W3C Trace Context and Baggage fields, the keys MCP reserves in {@code params._meta}. */
  List<String> W3C_FIELDS = List.of("traceparent", "tracestate", "baggage");

  /**
   * Starts the span of a client's request; {@link TraceSpan#NONE} to leave it untraced. The
   * span is ended exactly once, with the answer the client gets.
   *
   * @param request what the gateway knows of the request
   * @return the span, or {@link TraceSpan#NONE}
   */
  TraceSpan clientRequest(TracedRequest request);

  /**
   * The propagation fields this tracing reads: the gateway copies these HTTP headers and
   * {@code params._meta} entries, and no others, into {@link TracedRequest}. The W3C fields by
   * default.
   *
   * @return the header and {@code _meta} names
   */
  default List<String> fields() {
    return W3C_FIELDS;
  }

  /**
   * Traces nothing.
   *
   * @return the tracing that traces nothing
   */
  static RequestTracing none() {
    return request -> TraceSpan.NONE;
  }
}
