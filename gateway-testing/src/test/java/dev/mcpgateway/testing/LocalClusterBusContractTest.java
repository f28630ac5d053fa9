package dev.mcpgateway.testing;

import dev.mcpgateway.cluster.ClusterBus;

/** The in-process bus keeps the contract. */
class LocalClusterBusContractTest extends ClusterBusContract {
  @Override
  protected ClusterBus newBus() {
    return ClusterBus.local();
  }
}
