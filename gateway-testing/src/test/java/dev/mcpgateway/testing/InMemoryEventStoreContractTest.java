package dev.mcpgateway.testing;

import dev.mcpgateway.stream.EventStore;
import java.time.Duration;

/** The default event store keeps the contract. */
class InMemoryEventStoreContractTest extends EventStoreContract {
  @Override
  protected EventStore newStore() {
    return EventStore.inMemory(1_000, 4L * 1024 * 1024, Duration.ofMinutes(5));
  }
}
