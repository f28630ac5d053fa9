package dev.mcpgateway.internal.http;

import dev.mcpgateway.Admission;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.internal.intercept.Listeners;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request but {@code /health} passes before the gateway looks at its body: headers
 * the gateway relies on must come once, a browser's origin must be allowed, and the caller must
 * authenticate. Issues the {@link AdmissionTicket}s that spare an admitted request a second
 * authentication. Thread-safe.
 */
public final class RequestGate {
  private static final Logger LOG = LoggerFactory.getLogger(dev.mcpgateway.McpGateway.class);
  private static final Logger AUTH_LOG = LoggerFactory.getLogger("auth");

  /**
   * Headers read as one value: a second one would be ignored by some hop and obeyed by another
   * (the first value wins here; a proxy or the backend may take the last), so two are refused.
   * Lower case, as {@link GatewayRequest} keys them.
   */
  private static final List<String> SINGLE_VALUED = List.of("authorization", "mcp-session-id", "mcp-protocol-version",
      "origin", "host");
  private static final List<String> DISPLAY_NAMES = List.of("Authorization", "Mcp-Session-Id", "MCP-Protocol-Version",
      "Origin", "Host");

  private final Authenticator authenticator;
  private final OriginPolicy origins;
  private final Listeners listeners;
  /** Revocations so far (the runtime counts them), so that a ticket issued before one authenticates again. */
  private final java.util.function.LongSupplier revocations;

  public RequestGate(Authenticator authenticator, OriginPolicy origins, Listeners listeners, java.util.function.LongSupplier revocations) {
    this.revocations = revocations;
    this.authenticator = authenticator;
    this.origins = origins;
    this.listeners = listeners;
  }

  /**
   * Checks a request head: repeated single-valued headers (400), the origin and host (403),
   * then authentication (the authenticator's denial). One authentication attempt, whatever the
   * outcome.
   */
  public AdmissionTicket admit(GatewayRequest head) {
    String repeated = repeatedHeader(head);
    if (repeated != null) {
      LOG.debug("Refused {} from {}: {}", head.path(), head.remoteAddress(), repeated);
      return answered(Http.error(400, repeated));
    }
    String refused = origins.refusal(head);
    if (refused != null) {
      LOG.warn("Refused {} from {}: {}", head.path(), head.remoteAddress(), refused);
      return answered(Http.error(403, refused));
    }
    long before = revocations.getAsLong();
    AuthResult auth = authenticate(head);
    if (!auth.isSuccess()) {
      return answered(denied(auth, head));
    }
    return new AdmissionTicket(this, head.headers(), auth, null, before);
  }

  /** A ticket that answers {@code response}. */
  public AdmissionTicket answered(GatewayResponse response) {
    return new AdmissionTicket(this, null, null, response, 0);
  }

  /**
   * The ticket {@code admission} is when this gate issued it for {@code request}'s head and no
   * credential was revoked since; null otherwise, and the request is checked afresh.
   */
  public AdmissionTicket recognize(Admission admission, GatewayRequest request) {
    if (admission instanceof AdmissionTicket ticket && ticket.issuer == this) {
      if (ticket.response != null) {
        return ticket;
      }
      if (ticket.headers == request.headers() && ticket.revocations == revocations.getAsLong()) {
        return ticket;
      }
    }
    return null;
  }

  /** Why the request is refused for repeating a header, or null. */
  private static String repeatedHeader(GatewayRequest request) {
    for (int i = 0; i < SINGLE_VALUED.size(); i++) {
      int count = request.headers(SINGLE_VALUED.get(i)).size();
      if (count > 1) {
        String name = DISPLAY_NAMES.get(i);
        return "the request has " + count + " " + name + " headers; send exactly one";
      }
    }
    return null;
  }

  /** The answer to a failed authentication: its status and message, and Retry-After when throttled. */
  private GatewayResponse denied(AuthResult auth, GatewayRequest request) {
    listeners.authenticationFailed(auth.message().orElse("authentication failed"), request.remoteAddress(), request.path());
    GatewayResponse denied = Http.error(auth.status(), auth.message().orElse("authentication failed"));
    if (auth.retryAfter().isPresent()) {
      denied = denied.withHeader("Retry-After", Long.toString(Math.max(1, auth.retryAfter().get().toSeconds())));
    }
    return denied;
  }

  private AuthResult authenticate(GatewayRequest request) {
    AuthRequest authRequest = AuthRequest.of(request.header("authorization").orElse(null), request.path(),
        request.remoteAddress(), request::header);
    try {
      AuthResult result = authenticator.authenticate(authRequest);
      if (result == null) {
        throw new IllegalStateException("authenticator returned null");
      }
      return result;
    } catch (RuntimeException e) {
      AUTH_LOG.error("Authenticator failed; request denied, remote={}, path={}", request.remoteAddress(), request.path(), e);
      return AuthResult.denied(401, "authentication failed: authenticator error");
    }
  }
}
