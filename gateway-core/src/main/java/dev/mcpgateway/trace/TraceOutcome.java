package dev.mcpgateway.trace;

/**
 * How a traced operation ended: a result, a tool's result with {@code isError: true}, or a
 * JSON-RPC error with its code (from the peer, or the gateway's own: a timeout, a denial, a
 * backend that stopped). The error's message is not carried: a backend's message may echo an
 * argument.
 *
 * @param errorCode the JSON-RPC error code; null when the answer is a result
 * @param toolError whether the result is a tool's error ({@code isError: true})
 */
public record TraceOutcome(Integer errorCode, boolean toolError) {
  private static final TraceOutcome SUCCESS = new TraceOutcome(null, false);
  private static final TraceOutcome TOOL_ERROR = new TraceOutcome(null, true);

  /**
   * A result.
   *
   * @return the outcome of a result
   */
  public static TraceOutcome success() {
    return SUCCESS;
  }

  /**
   * A tool's result with {@code isError: true}.
   *
   * @return the outcome of a tool error
   */
  public static TraceOutcome toolFailed() {
    return TOOL_ERROR;
  }

  /**
   * A JSON-RPC error answer with {@code code}.
   *
   * @param code the JSON-RPC error code
   * @return the outcome
   */
  public static TraceOutcome error(int code) {
    return new TraceOutcome(code, false);
  }

  /**
   * Whether the operation failed: an error answer or a tool's error.
   *
   * @return {@code true} for an error answer or a tool's error
   */
  public boolean failed() {
    return errorCode != null || toolError;
  }
}
