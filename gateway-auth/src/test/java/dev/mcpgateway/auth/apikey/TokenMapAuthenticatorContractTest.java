package dev.mcpgateway.auth.apikey;

import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.testing.AuthenticatorContract;
import java.util.List;

/** A custom authenticator written as the SPI's Javadoc shows (a token map) keeps the contract too. */
class TokenMapAuthenticatorContractTest extends AuthenticatorContract {
  @Override
  protected Authenticator newAuthenticator() {
    return TokenMapAuthenticatorTest.TOKENS;
  }

  @Override
  protected List<String> validAuthorizations() {
    return List.of("Bearer token-alice", "Bearer token-bot");
  }
}
