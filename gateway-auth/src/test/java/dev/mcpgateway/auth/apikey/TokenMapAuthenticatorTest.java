package dev.mcpgateway.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Shows that any authenticator plugs in through the SPI: here one that maps tokens to identities. */
class TokenMapAuthenticatorTest {

  /** A custom authenticator: a fixed map from token to identity, with the Bearer scheme. */
  static Authenticator tokenMap(Map<String, Identity> identities) {
    return request -> request.authorization()
        .filter(value -> value.startsWith("Bearer "))
        .map(value -> identities.get(value.substring("Bearer ".length())))
        .map(AuthResult::success)
        .orElse(AuthResult.denied(401, "authentication failed: unknown token"));
  }

  static final Authenticator TOKENS = tokenMap(Map.of(
      "token-alice", Identity.of("alice", "token-alice"),
      "token-bot", Identity.of("bot", "token-bot").withAllowedServers(Set.of("demo"))));

  private static AuthRequest request(String authorization) {
    return AuthRequest.of(authorization, "/mcp/demo", "127.0.0.1:1", name -> Optional.empty());
  }

  @Test
  void mapsEachTokenToItsIdentity() {
    assertThat(TOKENS.authenticate(request("Bearer token-alice")).identity().map(Identity::name)).contains("alice");
    assertThat(TOKENS.authenticate(request("Bearer token-bot")).identity().map(Identity::name)).contains("bot");
  }

  @Test
  void carriesTheServerRestrictionOfTheMappedIdentity() {
    Identity bot = TOKENS.authenticate(request("Bearer token-bot")).identity().orElseThrow();

    assertThat(bot.mayUse("demo")).isTrue();
    assertThat(bot.mayUse("other")).isFalse();
  }

  @Test
  void deniesUnknownAndMissingTokens() {
    assertThat(TOKENS.authenticate(request("Bearer nope")).status()).isEqualTo(401);
    assertThat(TOKENS.authenticate(request(null)).message()).contains("authentication failed: unknown token");
  }

  @Test
  void keepsTheSpisDefaults() {
    assertThat(TOKENS.isOpen()).isFalse();
    TOKENS.onRevoked(sessionKey -> { });
  }
}
