package dev.mcpgateway.internal.http;

import dev.mcpgateway.Admission;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.AuthResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An admission the gateway issued itself: the final answer, or the caller's successful
 * authentication for one request head. Only {@link RequestGate} makes them, so code outside
 * the gateway cannot build one the gateway would trust.
 */
public final class AdmissionTicket implements Admission {
  public final RequestGate issuer;
  /** The head's header map: {@code head.withBody(body)} shares it, any other request has its own. */
  public final Map<String, List<String>> headers;
  /** The successful authentication; null when {@link #answer} is set. */
  public final AuthResult auth;
  /** The final answer; null when the request may go on. */
  public final GatewayResponse response;
  /** The gate's revocation count when the caller was authenticated. */
  public final long revocations;

  public AdmissionTicket(RequestGate issuer, Map<String, List<String>> headers, AuthResult auth, GatewayResponse response,
      long revocations) {
    this.issuer = issuer;
    this.headers = headers;
    this.auth = auth;
    this.response = response;
    this.revocations = revocations;
  }

  @Override
  public Optional<GatewayResponse> answer() {
    return Optional.ofNullable(response);
  }

  @Override
  public String toString() {
    return response != null ? "Admission{answered " + response.status() + "}"
        : "Admission{" + auth.identity().map(identity -> identity.name()).orElse("?") + "}";
  }
}
