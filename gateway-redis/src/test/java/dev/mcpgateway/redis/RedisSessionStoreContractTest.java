package dev.mcpgateway.redis;

import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.testing.SessionStoreContract;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;

/** The Redis session store keeps the contract, against a real redis-server. */
class RedisSessionStoreContractTest extends SessionStoreContract {
  private final TestClusters clusters = new TestClusters(RedisServer.shared());

  @Override
  protected SessionStore newStore(Duration idleTimeout, int maximumSessions, LongSupplier ticker) {
    return RedisSessionStore.builder(clusters.cluster()).idleTimeout(idleTimeout).maximumSessions(maximumSessions).ticker(ticker).build();
  }

  @AfterEach
  void closeClusters() {
    clusters.close();
  }
}
