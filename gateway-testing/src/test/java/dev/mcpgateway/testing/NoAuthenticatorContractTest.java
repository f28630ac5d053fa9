package dev.mcpgateway.testing;

import dev.mcpgateway.auth.Authenticator;
import java.util.List;

/** The open authenticator of {@link Authenticator#none()} keeps the contract: everyone in, callers kept apart by digest. */
class NoAuthenticatorContractTest extends AuthenticatorContract {
  @Override
  protected Authenticator newAuthenticator() {
    return Authenticator.none();
  }

  @Override
  protected List<String> validAuthorizations() {
    return List.of("caller-one-value", "caller-two-value");
  }
}
