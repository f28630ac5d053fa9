package dev.mcpgateway.auth;

/**
 * Decides who is calling from the headers of a request.
 *
 * <p>Called for every request except {@code GET /health}, on the transport's thread, so it
 * must not block on I/O, apart from a round trip to a store the replicas of a cluster share,
 * bounded by its timeout (as the API-key authenticator with shared failure counts makes). Expected outcomes are results, not exceptions: an implementation
 * answers {@link AuthResult#success(Identity)}, {@link AuthResult#denied(int, String)} or
 * {@link AuthResult#throttled(java.time.Duration)}. An exception thrown here is logged and
 * the request is denied (fail closed).
 *
 * <p>The spec 7.1 API-key authenticator lives in {@code gateway-auth}. A custom one:
 *
 * <pre>{@code
 * Authenticator byToken = request -> request.authorization()
 *     .map(tokens::get)
 *     .map(name -> AuthResult.success(Identity.of(name, request.authorization().get())))
 *     .orElse(AuthResult.denied(401, "authentication failed: invalid token"));
 * }</pre>
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * Authenticates one request. Never returns {@code null}.
   *
   * @param request the request's head, as the authenticator sees it
   * @return success, denial or throttle
   */
  AuthResult authenticate(AuthRequest request);

  /**
   * Lets everyone in, as one anonymous identity: for development only. The gateway logs a
   * WARN at start when it runs with this authenticator.
   *
   * @return the open authenticator
   */
  static Authenticator none() {
    return NoAuthenticator.INSTANCE;
  }

  /**
   * Whether this authenticator lets everyone in; the gateway warns at start when it does.
   * Implementations that check credentials keep the default.
   *
   * @return {@code true} when every caller is let in
   */
  default boolean isOpen() {
    return false;
  }

  /**
   * Registers a callback that the authenticator calls when an identity's credentials are
   * revoked, so that the gateway ends that identity's sessions. The default does nothing,
   * for authenticators whose credentials never change.
   *
   * @param listener called with the revoked credential's session key
   */
  default void onRevoked(RevocationListener listener) {}

  /** Told when credentials are revoked at runtime. */
  @FunctionalInterface
  interface RevocationListener {
    /**
     * The credential whose session key is {@code sessionKey} no longer authenticates.
     *
     * @param sessionKey the {@link Identity#sessionKey()} of the revoked credential
     */
    void revoked(String sessionKey);
  }
}
