package dev.mcpgateway.testing;

import dev.mcpgateway.session.CaffeineSessionStore;
import dev.mcpgateway.session.SessionStore;
import java.time.Duration;
import java.util.function.LongSupplier;

/** The default session store keeps the contract. */
class CaffeineSessionStoreContractTest extends SessionStoreContract {
  @Override
  protected SessionStore newStore(Duration idleTimeout, int maximumSessions, LongSupplier ticker) {
    return CaffeineSessionStore.builder().idleTimeout(idleTimeout).maximumSessions(maximumSessions).ticker(ticker).build();
  }
}
