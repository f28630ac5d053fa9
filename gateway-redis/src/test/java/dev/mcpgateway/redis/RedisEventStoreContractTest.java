package dev.mcpgateway.redis;

import dev.mcpgateway.stream.EventStore;
import dev.mcpgateway.testing.EventStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The Redis event store keeps the contract, against a real redis-server. */
class RedisEventStoreContractTest extends EventStoreContract {
  private final TestClusters clusters = new TestClusters(RedisServer.shared());

  @Override
  protected EventStore newStore() {
    return clusters.cluster().eventStore();
  }

  @AfterEach
  void closeClusters() {
    clusters.close();
  }
}
