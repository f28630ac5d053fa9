package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.await.Await;
import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.stream.EventStore;
import dev.mcpgateway.testing.TestSessions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis goes away under running stores and comes back on the same port: calls fail with a clear
 * error meanwhile, never hang, and the same objects work again afterwards.
 */
class RedisRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private RedisServer server;
  private RedisCluster cluster;

  @BeforeEach
  void start() {
    server = RedisServer.start(List.of());
    cluster = RedisCluster.builder(server.uri()).timeout(Duration.ofMillis(500)).keepAlive(Duration.ofMillis(200))
        .clusterSecret(TestClusters.SECRET).build();
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void storesAnswerAClearErrorWhileRedisIsDownAndWorkAgainWhenItIsBack() {
    SessionStore sessions = cluster.sessionStore(Duration.ofMinutes(30), 100);
    EventStore events = cluster.eventStore();
    McpSession before = TestSessions.of("a", "k");
    assertThat(sessions.add(before)).isTrue();
    events.append(before.id(), "1", 1, bytes("id: 1\n\n"));

    server.stop();

    assertThat(cluster.isReachable()).isFalse();
    assertThatThrownBy(() -> sessions.get(before.id())).isInstanceOf(RedisUnavailableException.class)
        .hasMessage("session store: Redis is unreachable")
        .satisfies(e -> assertThat(((RedisUnavailableException) e).httpStatus()).isEqualTo(503));
    assertThatThrownBy(() -> sessions.add(TestSessions.of("a", "k"))).isInstanceOf(RedisUnavailableException.class);
    events.append(before.id(), "1", 2, bytes("id: 2\n\n"));
    assertThat(events.replay(before.id(), "1", 0)).as("resumption is best effort").isEmpty();

    server.start();

    assertThat(cluster.isReachable()).isTrue();
    assertThat(sessions.get(before.id())).as("the restarted Redis persisted nothing").isEmpty();
    McpSession after = TestSessions.of("a", "k");
    assertThat(sessions.add(after)).isTrue();
    assertThat(sessions.get(after.id())).contains(after);
    Await.until(WAIT, "events are recorded again", () -> {
      events.append(after.id(), "1", 1, bytes("id: 1\n\n"));
      return !events.replay(after.id(), "1", 0).isEmpty();
    });
  }

  @Test
  void theFirstCallAfterAQuickRestartSucceeds() {
    SessionStore sessions = cluster.sessionStore(Duration.ofMinutes(30), 100);
    for (int i = 0; i < 4; i++) {
      sessions.add(TestSessions.of("a", "k")); // leaves idle connections in the pool
    }

    server.stop();
    server.start();

    McpSession session = TestSessions.of("a", "k");
    assertThat(sessions.add(session)).isTrue();
    assertThat(sessions.get(session.id())).contains(session);
  }

  @Test
  void aRedisThatHangsFailsCallsAfterTheTimeoutInsteadOfHangingThem() {
    SessionStore sessions = cluster.sessionStore(Duration.ofMinutes(30), 100);
    McpSession session = TestSessions.of("a", "k");
    sessions.add(session);

    server.pause();
    try {
      assertThatThrownBy(() -> sessions.get(session.id())).isInstanceOf(RedisUnavailableException.class)
          .hasMessage("session store: Redis did not answer within 500 ms");
      assertThat(cluster.isReachable()).isFalse();
    } finally {
      server.resume();
    }

    Await.until(WAIT, "Redis answers again", () -> cluster.isReachable());
    assertThat(sessions.get(session.id())).contains(session);
  }

  @Test
  void subscriptionsOutliveARestart() throws Exception {
    ClusterBus bus = cluster.bus();
    LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    bus.subscribe("after.restart", received::add);
    bus.publish("after.restart", bytes("before"));
    assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(bytes("before"));

    server.stop();
    assertThatThrownBy(() -> bus.publish("after.restart", bytes("lost"))).isInstanceOf(RedisUnavailableException.class)
        .hasMessage("cluster bus: Redis is unreachable");
    server.start();

    // the bus resubscribes by itself; until it has, what is published is lost, so publish until one arrives
    Await.until(WAIT, "a message published after the restart arrives", () -> {
      bus.publish("after.restart", bytes("after"));
      return received.poll(50, TimeUnit.MILLISECONDS) != null;
    });
  }

  @Test
  void aNewSubscriptionWhileRedisIsDownFailsClearly() {
    ClusterBus bus = cluster.bus();
    server.stop();

    assertThatThrownBy(() -> bus.subscribe("while.down", m -> { })).isInstanceOf(RedisUnavailableException.class)
        .hasMessage("cluster bus: Redis did not confirm the subscription within 500 ms");
  }
}
