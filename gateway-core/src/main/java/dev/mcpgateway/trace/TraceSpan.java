package dev.mcpgateway.trace;

import java.util.Map;

/**
 * One traced operation of the gateway, from {@link RequestTracing}: a client's request, the
 * call to a backend made for it, or a request a backend sends to the client during that call.
 *
 * <p>The gateway ends each span exactly once ({@link #end}); it may do so on another thread
 * than the one that started it. Implementations must be thread-safe, must not block and should
 * not throw (a span that throws is logged).
 */
public interface TraceSpan {

  /** A span that records nothing and propagates nothing. */
  TraceSpan NONE = new TraceSpan() {
    @Override
    public String toString() {
      return "TraceSpan.NONE";
    }
  };

  /**
   * Starts the child span of the call to the backend made for this client request. Its
   * {@link #propagation()} goes into {@code params._meta} of the request the backend receives.
   *
   * @param call the call to the backend
   * @return the child span, or {@link #NONE}
   */
  default TraceSpan backendCall(TracedCall call) {
    return NONE;
  }

  /**
   * Starts the span of a request the backend sends to the client during this backend call
   * (sampling, elicitation, roots). {@code call.propagation()} holds the backend's own
   * propagation fields from the request's {@code params._meta}, when it sent any. Its
   * {@link #propagation()} goes into {@code params._meta} of the request the client receives.
   *
   * @param call the backend's request
   * @return the span, or {@link #NONE}
   */
  default TraceSpan serverRequest(TracedCall call) {
    return NONE;
  }

  /**
   * The propagation fields (such as {@code traceparent}) that carry this span to the next hop,
   * written into the forwarded message's {@code params._meta} over any the sender put there;
   * empty to leave the message as it is.
   *
   * @return the fields by name
   */
  default Map<String, String> propagation() {
    return Map.of();
  }

  /**
   * Ends the span with what came of it.
   *
   * @param outcome the outcome
   */
  default void end(TraceOutcome outcome) {}
}
