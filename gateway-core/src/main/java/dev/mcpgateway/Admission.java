package dev.mcpgateway;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link McpGateway#admit(GatewayRequest)} decides from the head of a request (method,
 * path, headers, addresses) before its body is read: either the final answer (401, 429, 400,
 * 403, the health report...), or "read the body, then pass the request to
 * {@link McpGateway#handle(GatewayRequest, Admission)} together with this admission".
 *
 * <p>An admission that lets a request in may carry what the gateway learned from the head, such
 * as the caller's identity, so that {@code handle} does not authenticate a second time. A
 * gateway trusts only admissions it issued itself, for the very head it issued them for; with
 * any other admission (one from {@link #proceed()}, or an implementation of this interface made
 * elsewhere) {@code handle} authenticates as if it had none. An admission therefore cannot be
 * forged: it is never a header a client could send, and code cannot build one that a gateway
 * takes for its own.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface Admission {

  /**
   * {@return the final answer to the request when its head alone decided it; empty when the transport
   * should read the body and call {@link McpGateway#handle(GatewayRequest, Admission)}} An
   * answer here is always a complete response, never a stream. A transport that answers it
   * while the client still has body bytes to send should close the connection afterwards
   * rather than read them.
   */
  Optional<GatewayResponse> answer();

  /**
   * Lets the request in, vouching for nothing: {@code handle} decides everything, as without an admission.
   *
   * @return an admission that lets the request in
   */
  static Admission proceed() {
    return PlainAdmission.PROCEED;
  }

  /**
   * Answers the request with {@code response} without reading its body.
   *
   * @param response the complete response to send
   * @return an admission that answers with {@code response}
   * @throws IllegalArgumentException when {@code response} is a stream
   */
  static Admission answered(GatewayResponse response) {
    Objects.requireNonNull(response, "response");
    if (response.stream().isPresent()) {
      throw new IllegalArgumentException("an admission answers with a complete response, not a stream: " + response);
    }
    return new PlainAdmission(Optional.of(response));
  }
}
