package dev.mcpgateway.auth.apikey;

import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.testing.AuthenticatorContract;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The API-key authenticator keeps the authenticator contract, with a plain, a limited and an admin key. */
class ApiKeyAuthenticatorContractTest extends AuthenticatorContract {
  private static final String ALICE = "alice-Key-0123456789-abcdefghijklmnop";
  private static final String CI = "ci-Key-9876543210-qrstuvwxyzABCDEFGHIJ";
  private static final String ADMIN = "admin-Key-5647382910-KLMNOPQRSTuvwxyz";

  @Override
  protected Authenticator newAuthenticator() {
    return ApiKeyAuthenticator.builder()
        .key("alice", ALICE)
        .key("ci", CI, Set.of("github"))
        .adminKey("admin", ADMIN)
        .weakKeys(WeakKeyPolicy.REFUSE)
        .build();
  }

  @Override
  protected List<String> validAuthorizations() {
    return List.of(ALICE, CI, ADMIN);
  }

  /** The Bearer scheme around a valid key is refused (with a hint), and so is a key of another case. */
  @Override
  protected List<String> invalidAuthorizations() {
    return List.of("Bearer " + ALICE, ALICE.toUpperCase(Locale.ROOT), " " + CI, CI + " ");
  }
}
