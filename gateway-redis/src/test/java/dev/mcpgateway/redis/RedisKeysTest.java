package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.await.Await;
import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.stream.EventStore;
import dev.mcpgateway.testing.TestSessions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * What the stores leave in Redis: every key under the prefix, every key with a TTL, no credential
 * in any record, and nothing at all once the sessions are gone.
 */
class RedisKeysTest {
  private static final String CREDENTIAL = "alice-secret-api-key";
  private final TestClusters clusters = new TestClusters(RedisServer.shared());

  @AfterEach
  void closeClusters() {
    clusters.close();
  }

  private static byte[] event(long sequence) {
    return ("id: " + sequence + "\ndata: {}\n\n").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyKeyHasATtlAndNoneIsLeftOnceTheSessionsAreGone() {
    String prefix = TestClusters.newPrefix();
    RedisCluster cluster = clusters.cluster(prefix);
    AtomicLong now = new AtomicLong(1_000_000_000L);
    RedisSessionStore sessions = RedisSessionStore.builder(cluster).idleTimeout(Duration.ofMinutes(30)).ticker(now::get).build();
    EventStore events = cluster.eventStore();
    UnifiedJedis redis = clusters.plain();

    List<McpSession> added = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      McpSession session = TestSessions.of("github", CREDENTIAL);
      assertThat(sessions.add(session)).isTrue();
      added.add(session);
      for (String stream : List.of("_GET_stream", "42")) {
        for (long seq = 1; seq <= 3; seq++) {
          events.append(session.id(), stream, seq, event(seq));
        }
      }
    }
    sessions.get(added.get(0).id());
    sessions.update(added.get(1).withProtocolVersion("2025-11-25"));

    List<String> keys = TestClusters.keys(redis, prefix);
    String caller = added.get(0).callerDigest();
    assertThat(keys).contains(prefix + "sessions", prefix + "session:" + added.get(0).id(),
        prefix + "events:" + added.get(0).id() + ":streams", prefix + "events:" + added.get(0).id() + ":bytes",
        prefix + "events:" + added.get(0).id() + ":stream:42", prefix + "callers", prefix + "caller:" + caller);
    assertThat(keys).hasSize(3 + 5 * (1 + 2 + 2));
    assertThat(redis.hgetAll(prefix + "callers")).hasSize(5).allSatisfy((id, digest) -> assertThat(digest).isEqualTo(caller));
    assertThat(redis.zcard(prefix + "caller:" + caller)).isEqualTo(5);
    for (String key : keys) {
      assertThat(redis.pttl(key)).as("the TTL of " + key).isPositive();
    }
    for (String key : keys) {
      if (redis.type(key).equals("string")) {
        assertThat(redis.get(key)).as(key).doesNotContain(CREDENTIAL).contains(added.get(0).callerDigest());
      }
    }

    // one ends by remove, the others by expiry; the gateway removes the events of each
    sessions.remove(added.get(0).id());
    now.addAndGet(Duration.ofMinutes(31).toNanos());
    for (McpSession session : added) {
      events.removeSession(session.id());
    }
    sessions.cleanUp();

    assertThat(TestClusters.keys(redis, prefix)).isEmpty();
  }

  @Test
  void theBusLeavesNoKey() throws Exception {
    String prefix = TestClusters.newPrefix();
    ClusterBus bus = clusters.cluster(prefix).bus();
    LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    bus.subscribe("keys.test", received::add);
    bus.publish("keys.test", new byte[] {1});
    Await.until(Duration.ofSeconds(10), "the message arrives", () -> !received.isEmpty());

    assertThat(TestClusters.keys(clusters.plain(), prefix)).isEmpty();
  }

  @Test
  void aSessionRecordIsTheSessionsJson() {
    String prefix = TestClusters.newPrefix();
    SessionStore sessions = clusters.cluster(prefix).sessionStore(Duration.ofMinutes(30), 10);
    McpSession session = TestSessions.of("github", CREDENTIAL);
    sessions.add(session);

    assertThat(clusters.plain().get(prefix + "session:" + session.id())).isEqualTo(session.toJson());
  }
}
