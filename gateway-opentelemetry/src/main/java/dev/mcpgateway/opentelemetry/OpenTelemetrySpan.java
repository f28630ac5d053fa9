package dev.mcpgateway.opentelemetry;

import dev.mcpgateway.trace.TraceOutcome;
import dev.mcpgateway.trace.TraceSpan;
import dev.mcpgateway.trace.TracedCall;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.util.Map;

/** One OpenTelemetry span the gateway started; its children are the calls made on its behalf. */
final class OpenTelemetrySpan implements TraceSpan {
  private final OpenTelemetryTracing tracing;
  private final Span span;
  /** The client's MCP session, which a backend's request to the client also belongs to; may be null. */
  private final String sessionId;

  OpenTelemetrySpan(OpenTelemetryTracing tracing, Span span, String sessionId) {
    this.tracing = tracing;
    this.span = span;
    this.sessionId = sessionId;
  }

  Span span() {
    return span;
  }

  @Override
  public TraceSpan backendCall(TracedCall call) {
    SpanBuilder builder = tracing.start(call.method(), call.target(), SpanKind.CLIENT, Context.root().with(span));
    McpAttributes.method(builder, call.method(), call.target());
    McpAttributes.put(builder, McpAttributes.JSONRPC_REQUEST_ID, call.requestId());
    McpAttributes.put(builder, McpAttributes.NETWORK_TRANSPORT, call.transport());
    if (call.address() != null) {
      builder.setAttribute(McpAttributes.SERVER_ADDRESS, call.address());
      builder.setAttribute(McpAttributes.SERVER_PORT, (long) call.port());
    }
    builder.setAttribute(OpenTelemetryTracing.GATEWAY_SERVER, call.server());
    return new OpenTelemetrySpan(tracing, builder.startSpan(), sessionId);
  }

  @Override
  public TraceSpan serverRequest(TracedCall call) {
    // the backend's own span, when it sent its context, else the backend call it came during
    SpanContext fromBackend = tracing.remote(call.propagation());
    Context parent = Context.root().with(fromBackend.isValid() ? Span.wrap(fromBackend) : span);
    SpanBuilder builder = tracing.start(call.method(), null, SpanKind.CLIENT, parent);
    McpAttributes.method(builder, call.method(), null);
    McpAttributes.put(builder, McpAttributes.JSONRPC_REQUEST_ID, call.requestId());
    McpAttributes.put(builder, McpAttributes.NETWORK_TRANSPORT, call.transport());
    McpAttributes.put(builder, McpAttributes.MCP_SESSION_ID, sessionId);
    builder.setAttribute(OpenTelemetryTracing.GATEWAY_SERVER, call.server());
    return new OpenTelemetrySpan(tracing, builder.startSpan(), sessionId);
  }

  @Override
  public Map<String, String> propagation() {
    return tracing.inject(span);
  }

  @Override
  public void end(TraceOutcome outcome) {
    if (outcome != null && outcome.errorCode() != null) {
      String code = Integer.toString(outcome.errorCode());
      span.setAttribute(McpAttributes.ERROR_TYPE, code);
      span.setAttribute(McpAttributes.RPC_RESPONSE_STATUS_CODE, code);
      span.setStatus(StatusCode.ERROR);
    } else if (outcome != null && outcome.toolError()) {
      span.setAttribute(McpAttributes.ERROR_TYPE, "tool_error");
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  @Override
  public String toString() {
    return "OpenTelemetrySpan " + span.getSpanContext().getSpanId();
  }
}
