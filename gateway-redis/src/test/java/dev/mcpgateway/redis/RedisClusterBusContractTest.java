package dev.mcpgateway.redis;

import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.testing.ClusterBusContract;
import org.junit.jupiter.api.AfterEach;

/** The Redis bus keeps the contract, against a real redis-server. */
class RedisClusterBusContractTest extends ClusterBusContract {
  private final TestClusters clusters = new TestClusters(RedisServer.shared());

  @Override
  protected ClusterBus newBus() {
    return clusters.cluster().bus();
  }

  @AfterEach
  void closeClusters() {
    clusters.close();
  }
}
