package dev.mcpgateway.redis;

import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.testing.SessionStoreContract;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;

/** Sharing removals on the bus changes nothing for one store: it keeps the contract, and hears nothing twice. */
class RedisSessionStoreWithNoticesContractTest extends SessionStoreContract {
  private final TestClusters clusters = new TestClusters(RedisServer.shared());

  @Override
  protected SessionStore newStore(Duration idleTimeout, int maximumSessions, LongSupplier ticker) {
    RedisCluster cluster = clusters.cluster();
    return RedisSessionStore.builder(cluster).idleTimeout(idleTimeout).maximumSessions(maximumSessions).ticker(ticker)
        .removalNotices(cluster.bus()).build();
  }

  @AfterEach
  void closeClusters() {
    clusters.close();
  }
}
