package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.await.Await;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.session.SessionStore.AddResult;
import dev.mcpgateway.session.SessionStore.RemovalCause;
import dev.mcpgateway.testing.TestSessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two replicas' stores on one Redis: one maximum, one view of the sessions, each removal heard once. */
class RedisSessionStoreTest {
  private final TestClusters clusters = new TestClusters(RedisServer.shared());
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<String> heardA = Collections.synchronizedList(new ArrayList<>());
  private final List<String> heardB = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void closeClusters() {
    clusters.close();
  }

  /** The stores of two replicas of one gateway (same prefix), on the test's ticker. */
  private List<SessionStore> replicas(int maximumSessions) {
    String prefix = TestClusters.newPrefix();
    List<SessionStore> stores = new ArrayList<>();
    for (List<String> heard : List.of(heardA, heardB)) {
      SessionStore store = RedisSessionStore.builder(clusters.cluster(prefix)).idleTimeout(Duration.ofMinutes(30))
          .maximumSessions(maximumSessions).ticker(now::get).build();
      store.onRemoval((session, cause) -> heard.add(session.id() + ":" + cause));
      stores.add(store);
    }
    return stores;
  }

  @Test
  void theMaximumHoldsAcrossReplicas() {
    List<SessionStore> stores = replicas(3);
    SessionStore a = stores.get(0);
    SessionStore b = stores.get(1);
    McpSession first = TestSessions.of("a", "k");

    assertThat(a.add(first)).isTrue();
    assertThat(a.add(TestSessions.of("a", "k"))).isTrue();
    assertThat(b.add(TestSessions.of("a", "k"))).isTrue();
    assertThat(b.add(TestSessions.of("a", "k"))).as("full, counting the other replica's sessions").isFalse();
    assertThat(a.add(TestSessions.of("a", "k"))).isFalse();
    assertThat(a.size()).isEqualTo(3);
    assertThat(b.sessions()).hasSize(3).contains(first);

    b.remove(first.id());

    assertThat(heardB).containsExactly(first.id() + ":EXPLICIT");
    assertThat(heardA).as("a removal is heard by the replica that made it").isEmpty();
    assertThat(a.get(first.id())).isEmpty();
    assertThat(a.add(TestSessions.of("a", "k"))).isTrue();
  }

  @Test
  void theMaximumPerCallerHoldsAcrossReplicas() {
    List<SessionStore> stores = replicas(10);
    SessionStore a = stores.get(0);
    SessionStore b = stores.get(1);
    McpSession first = TestSessions.of("a", "alice");

    assertThat(a.add(first, 2)).isEqualTo(AddResult.ADDED);
    assertThat(b.add(TestSessions.of("a", "alice"), 2)).isEqualTo(AddResult.ADDED);
    assertThat(a.add(TestSessions.of("a", "alice"), 2)).isEqualTo(AddResult.CALLER_FULL);
    assertThat(b.add(TestSessions.of("b", "alice"), 2)).as("counted over every server").isEqualTo(AddResult.CALLER_FULL);
    assertThat(b.add(TestSessions.of("a", "bob"), 2)).isEqualTo(AddResult.ADDED);
    assertThat(a.size()).isEqualTo(3);

    b.remove(first.id());

    assertThat(a.add(TestSessions.of("a", "alice"), 2)).isEqualTo(AddResult.ADDED);
    assertThat(a.add(TestSessions.of("a", "alice"), 2)).isEqualTo(AddResult.CALLER_FULL);
  }

  @Test
  void aCallersSessionCountsWhileActivityKeepsItAliveAndNotOnceItExpired() {
    List<SessionStore> stores = replicas(10);
    McpSession session = TestSessions.of("a", "alice");
    stores.get(0).add(session, 1);

    now.addAndGet(Duration.ofMinutes(20).toNanos());
    assertThat(stores.get(1).get(session.id())).contains(session);
    now.addAndGet(Duration.ofMinutes(20).toNanos()); // past the first deadline, not the one pushed back
    assertThat(stores.get(0).add(TestSessions.of("a", "alice"), 1)).isEqualTo(AddResult.CALLER_FULL);
    assertThat(stores.get(1).update(session.withProtocolVersion("2025-11-25"))).isTrue();
    now.addAndGet(Duration.ofMinutes(20).toNanos());
    assertThat(stores.get(0).add(TestSessions.of("a", "alice"), 1)).isEqualTo(AddResult.CALLER_FULL);

    now.addAndGet(Duration.ofMinutes(11).toNanos()); // idle for 31 minutes: expired, not swept yet

    assertThat(stores.get(1).add(TestSessions.of("a", "alice"), 1)).isEqualTo(AddResult.ADDED);
  }

  @Test
  void concurrentAddsOfOneCallerOnTwoReplicasNeverGoOverItsMaximum() throws Exception {
    List<SessionStore> stores = replicas(1_000);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> adders = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        SessionStore store = stores.get(t % 2);
        adders.add(() -> {
          int added = 0;
          for (int i = 0; i < 10; i++) {
            added += store.add(TestSessions.of("a", "alice"), 5) == AddResult.ADDED ? 1 : 0;
          }
          return added;
        });
      }
      int added = 0;
      for (Future<Integer> result : threads.invokeAll(adders)) {
        added += result.get();
      }

      assertThat(added).as("sessions of one caller accepted out of 80 offered on two replicas").isEqualTo(5);
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void concurrentAddsOnTwoReplicasNeverGoOverTheMaximum() throws Exception {
    int max = 20;
    List<SessionStore> stores = replicas(max);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> adders = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        SessionStore store = stores.get(t % 2);
        adders.add(() -> {
          int added = 0;
          for (int i = 0; i < 10; i++) {
            added += store.add(TestSessions.of("a", "k")) ? 1 : 0;
          }
          return added;
        });
      }
      int added = 0;
      for (Future<Integer> result : threads.invokeAll(adders)) {
        added += result.get();
      }

      assertThat(added).as("sessions accepted out of 80 offered on two replicas").isEqualTo(max);
      assertThat(stores.get(0).size()).isEqualTo(max);
      assertThat(stores.get(1).sessions()).hasSize(max);
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void activityOnOneReplicaKeepsASessionAliveForBoth() {
    List<SessionStore> stores = replicas(10);
    McpSession session = TestSessions.of("a", "k");
    stores.get(0).add(session);

    now.addAndGet(Duration.ofMinutes(20).toNanos());
    assertThat(stores.get(1).get(session.id())).contains(session);
    now.addAndGet(Duration.ofMinutes(20).toNanos());
    stores.get(0).cleanUp();

    assertThat(stores.get(0).get(session.id())).contains(session);
    assertThat(heardA).isEmpty();
  }

  @Test
  void anExpiredSessionIsHeardByExactlyOneReplica() {
    List<SessionStore> stores = replicas(10);
    McpSession session = TestSessions.of("a", "k");
    stores.get(0).add(session);

    now.addAndGet(Duration.ofMinutes(31).toNanos());
    assertThat(stores.get(0).get(session.id())).as("gone at its deadline, before any sweep").isEmpty();
    stores.get(1).cleanUp();
    stores.get(0).cleanUp();

    assertThat(heardB).containsExactly(session.id() + ":EXPIRED");
    assertThat(heardA).isEmpty();
    assertThat(stores.get(0).size()).isZero();
  }

  @Test
  void aRemovalPastTheDeadlineBeforeAnySweepIsHeardAsExpired() {
    List<SessionStore> stores = replicas(10);
    McpSession session = TestSessions.of("a", "k");
    stores.get(0).add(session);

    now.addAndGet(Duration.ofMinutes(31).toNanos());
    stores.get(0).remove(session.id());
    stores.get(1).cleanUp();

    assertThat(heardA).containsExactly(session.id() + ":EXPIRED");
    assertThat(heardB).isEmpty();
  }

  @Test
  void closingOneReplicaTellsItsListenerAndLeavesTheSessionsToTheOthers() {
    List<SessionStore> stores = replicas(10);
    McpSession session = TestSessions.of("a", "k");
    stores.get(0).add(session);

    stores.get(0).close();

    assertThat(heardA).containsExactly(session.id() + ":CLOSED");
    assertThat(stores.get(1).get(session.id())).contains(session);
    assertThat(stores.get(0).get(session.id())).as("a closed store holds nothing").isEmpty();
  }

  @Test
  void onRedisTimeSessionsExpireByThemselves() {
    RedisSessionStore store = RedisSessionStore.builder(clusters.cluster()).idleTimeout(Duration.ofSeconds(1))
        .expiryCheckInterval(Duration.ofMillis(100)).build();
    store.onRemoval((session, cause) -> heardA.add(session.id() + ":" + cause));
    McpSession session = TestSessions.of("a", "k");
    store.add(session);
    assertThat(store.get(session.id())).contains(session);

    Await.until(Duration.ofSeconds(30), "the sweep reports the session expired", () -> !heardA.isEmpty());

    assertThat(heardA).containsExactly(session.id() + ":" + RemovalCause.EXPIRED);
    assertThat(store.size()).isZero();
  }

  @Test
  void withRemovalNoticesEveryReplicaHearsEverySessionLeaveOnce() {
    String prefix = TestClusters.newPrefix();
    List<SessionStore> stores = new ArrayList<>();
    for (List<String> heard : List.of(heardA, heardB)) {
      RedisCluster cluster = clusters.cluster(prefix);
      SessionStore store = RedisSessionStore.builder(cluster).idleTimeout(Duration.ofMinutes(30)).ticker(now::get)
          .removalNotices(cluster.bus()).build();
      store.onRemoval((session, cause) -> heard.add(session.id() + ":" + cause));
      stores.add(store);
    }
    McpSession removed = TestSessions.of("a", "k");
    McpSession expired = TestSessions.of("a", "k");
    stores.get(0).add(removed);
    stores.get(0).add(expired);

    stores.get(1).remove(removed.id());
    now.addAndGet(Duration.ofMinutes(31).toNanos());
    stores.get(0).cleanUp();

    List<String> both = List.of(removed.id() + ":EXPLICIT", expired.id() + ":EXPIRED");
    Await.until(Duration.ofSeconds(10), "replica A hears the removal made on B", () -> heardA.size() == 2);
    Await.until(Duration.ofSeconds(10), "replica B hears the expiry found on A", () -> heardB.size() == 2);
    // each once; the order is not fixed: a replica hears its own removals at once and the others' over the bus
    assertThat(heardA).containsExactlyInAnyOrderElementsOf(both);
    assertThat(heardB).containsExactlyInAnyOrderElementsOf(both);
  }

  @Test
  void refusesASecondSessionWithTheSameId() {
    SessionStore store = replicas(10).get(0);
    McpSession session = TestSessions.of("a", "k");
    store.add(session);

    assertThatThrownBy(() -> store.add(session)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exists");
  }
}
