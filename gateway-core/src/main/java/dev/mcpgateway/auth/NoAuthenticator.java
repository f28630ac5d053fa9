package dev.mcpgateway.auth;

/** The authenticator of {@link Authenticator#none()}. */
enum NoAuthenticator implements Authenticator {
  INSTANCE;

  @Override
  public AuthResult authenticate(AuthRequest request) {
    // Still derive the session key from Authorization, so that two anonymous clients that send
    // different values keep apart, as the seed's session model asks.
    return AuthResult.success(request.authorization()
        .map(value -> Identity.of("anonymous", value))
        .orElse(Identity.anonymous()));
  }

  @Override
  public boolean isOpen() {
    return true;
  }
}
