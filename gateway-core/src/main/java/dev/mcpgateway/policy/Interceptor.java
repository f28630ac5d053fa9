package dev.mcpgateway.policy;

/**
 * Sees every client request on its way to a backend and every answer on its way back, and may
 * pass, change or deny them.
 *
 * <p>Interceptors form an ordered chain: requests pass them first to last, answers last to
 * first, so the first interceptor sees the final answer (as an audit log should). A denial
 * stops the request before it reaches the backend and answers the client with a JSON-RPC
 * error carrying the reason; it is never a dropped request. An interceptor that throws is
 * logged and fails closed: its request is denied, or its answer replaced with an error.
 *
 * <p>Interceptors run on the gateway's request and backend threads: they must be thread-safe
 * and must not block. The built-in policies ({@link Policies}) are ordinary members of the
 * chain.
 *
 * <pre>{@code
 * Interceptor noDeletes = new Interceptor() {
 *   public Verdict onRequest(McpCall call) {
 *     return call.toolName().filter(name -> name.startsWith("delete")).isPresent()
 *         ? Verdict.deny("deleting is not allowed here") : Verdict.pass();
 *   }
 * };
 * }</pre>
 */
public interface Interceptor {

  /**
   * Inspects (and may change the params of) a request before it reaches the backend.
   *
   * @param call the request
   * @return {@link Verdict#pass()}, or a denial the client gets instead of the answer
   */
  default Verdict onRequest(McpCall call) {
    return Verdict.pass();
  }

  /**
   * Inspects (and may change) the backend's answer before it reaches the client.
   *
   * @param call the request
   * @param result the backend's answer
   * @return {@link Verdict#pass()}, or a denial the client gets instead of the answer
   */
  default Verdict onResponse(McpCall call, McpResult result) {
    return Verdict.pass();
  }

  /**
   * Told when a request was denied or its answer withheld, by any interceptor of the chain
   * (this one included) or because one failed, so that audit logs see every denial. Must not
   * throw.
   *
   * @param call the request
   * @param reason the reason, as the client got it
   */
  default void onDenied(McpCall call, String reason) {}

  /** What an interceptor decided. */
  final class Verdict {
    private static final Verdict PASS = new Verdict(null);

    private final String denial;

    private Verdict(String denial) {
      this.denial = denial;
    }

    /**
     * Let the message continue (possibly changed).
     *
     * @return the passing verdict
     */
    public static Verdict pass() {
      return PASS;
    }

    /**
     * Stop the message; the client gets a JSON-RPC error with {@code reason}.
     *
     * @param reason the reason, for the client; must not contain secrets
     * @return the denial
     */
    public static Verdict deny(String reason) {
      return new Verdict(java.util.Objects.requireNonNull(reason, "reason"));
    }

    /**
     * Whether this verdict denies.
     *
     * @return {@code true} for a denial
     */
    public boolean isDenied() {
      return denial != null;
    }

    /** {@return the reason of a denial; null when passing} */
    public String reason() {
      return denial;
    }

    @Override
    public String toString() {
      return denial == null ? "pass" : "deny: " + denial;
    }
  }
}
