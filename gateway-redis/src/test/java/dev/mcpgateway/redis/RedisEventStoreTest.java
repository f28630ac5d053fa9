package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.stream.EventStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** The event store's limits, per stream, and what it keeps in Redis. */
class RedisEventStoreTest {
  private final TestClusters clusters = new TestClusters(RedisServer.shared());

  @AfterEach
  void closeClusters() {
    clusters.close();
  }

  private static byte[] event(long sequence, int size) {
    String head = "id: " + sequence + "\n";
    return (head + "x".repeat(Math.max(0, size - head.length()))).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> ids(List<byte[]> events) {
    return events.stream().map(e -> new String(e, StandardCharsets.UTF_8).split("\n")[0]).collect(Collectors.toList());
  }

  @Test
  void keepsTheNewestEventsOfAStreamWithinTheCountLimit() {
    String prefix = TestClusters.newPrefix();
    EventStore store = RedisEventStore.builder(clusters.cluster(prefix)).maxEventsPerStream(3).build();
    for (long i = 1; i <= 10; i++) {
      store.append("s", "1", i, event(i, 20));
    }
    store.append("s", "2", 1, event(1, 20));

    assertThat(ids(store.replay("s", "1", 0))).containsExactly("id: 8", "id: 9", "id: 10");
    assertThat(ids(store.replay("s", "2", 0))).containsExactly("id: 1");
    assertThat(clusters.plain().xlen(prefix + "events:s:stream:1")).as("trimmed in Redis, not only on replay").isEqualTo(3);
  }

  @Test
  void keepsTheNewestEventsOfAStreamWithinTheByteLimitAndDropsLargerOnes() {
    String prefix = TestClusters.newPrefix();
    EventStore store = RedisEventStore.builder(clusters.cluster(prefix)).maxBytesPerStream(250).build();
    for (long i = 1; i <= 5; i++) {
      store.append("s", "1", i, event(i, 100));
    }
    store.append("s", "1", 6, event(6, 251));

    assertThat(ids(store.replay("s", "1", 0))).containsExactly("id: 4", "id: 5");
    UnifiedJedis redis = clusters.plain();
    assertThat(redis.hget(prefix + "events:s:bytes", "1")).isEqualTo("200");
  }

  @Test
  void removeSessionDeletesEveryKeyOfThatSessionOnly() {
    String prefix = TestClusters.newPrefix();
    EventStore store = clusters.cluster(prefix).eventStore();
    for (String stream : List.of("a", "b", "c")) {
      store.append("gone", stream, 1, event(1, 10));
    }
    store.append("kept", "a", 1, event(1, 10));

    store.removeSession("gone");

    assertThat(TestClusters.keys(clusters.plain(), prefix)).containsExactlyInAnyOrder(prefix + "events:kept:streams",
        prefix + "events:kept:bytes", prefix + "events:kept:stream:a");
    assertThat(store.replay("kept", "a", 0)).hasSize(1);
  }
}
