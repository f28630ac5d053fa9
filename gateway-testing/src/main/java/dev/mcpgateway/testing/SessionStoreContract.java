package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
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
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SessionStore} keeps, as JUnit 5 tests: extend it and implement
 * {@link #newStore}.
 *
 * <p>Sessions are data: a store may keep them anywhere and hand back equal copies, so these
 * tests compare records with {@code equals}, never by identity. What they check: equal records
 * back from {@code get} and {@code sessions}; a hard cap, also under concurrent adds; every
 * session that leaves (removed, expired, closed) heard exactly once with its cause and its last
 * record; {@code update} replacing a present record and counting as activity, and adding nothing
 * when the session is absent; idle expiry on the ticker the test moves.
 *
 * <pre>{@code
 * class RedisSessionStoreTest extends SessionStoreContract {
 *   protected SessionStore newStore(Duration idleTimeout, int maximumSessions, LongSupplier ticker) {
 *     return new RedisSessionStore(..., idleTimeout, maximumSessions, ticker);
 *   }
 * }
 * }</pre>
 */
public abstract class SessionStoreContract {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<Removal> removals = Collections.synchronizedList(new ArrayList<>());
  private SessionStore store;

  /** One removal the listener heard. */
  private record Removal(McpSession session, SessionStore.RemovalCause cause) {}

  /** For subclasses, one per store implementation. */
  protected SessionStoreContract() {
  }

  /**
   * A new, empty store.
   *
   * @param idleTimeout how long a session may stay idle before it expires
   * @param maximumSessions the most sessions the store may hold
   * @param ticker nanosecond time the store must use for expiry; tests move it instead of sleeping
   * @return the store under test
   */
  protected abstract SessionStore newStore(Duration idleTimeout, int maximumSessions, LongSupplier ticker);

  private SessionStore store(Duration idle, int max) {
    store = newStore(idle, max, now::get);
    store.onRemoval((session, cause) -> removals.add(new Removal(session, cause)));
    return store;
  }

  private void advance(Duration time) {
    now.addAndGet(time.toNanos());
  }

  private List<String> heard() {
    synchronized (removals) {
      return removals.stream().map(r -> r.session().id() + ":" + r.cause()).toList();
    }
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void returnsAnEqualRecordFromGetAndSessions() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession session = TestSessions.of("github", "key");
    McpSession unified = TestSessions.unified("key");

    assertThat(s.add(session)).isTrue();
    assertThat(s.add(unified)).isTrue();

    assertThat(s.get(session.id())).contains(session);
    assertThat(s.get(session.id()).orElseThrow().clientCapabilities()).isEqualTo(session.clientCapabilities());
    assertThat(s.get(unified.id())).contains(unified);
    assertThat(s.sessions()).containsExactlyInAnyOrder(session, unified);
    assertThat(s.size()).isEqualTo(2);
    assertThat(s.get("unknown")).isEmpty();
  }

  @Test
  void addWithAMaximumPerCallerAddsAndRefusesWhenFullAsAddDoes() {
    SessionStore s = store(Duration.ofMinutes(30), 2);
    McpSession first = TestSessions.of("a", "alice");

    assertThat(s.add(first, Integer.MAX_VALUE)).isEqualTo(SessionStore.AddResult.ADDED);
    assertThat(s.add(TestSessions.of("a", "bob"), 1)).isEqualTo(SessionStore.AddResult.ADDED);
    McpSession refused = TestSessions.of("a", "carol");
    assertThat(s.add(refused, 1)).isEqualTo(SessionStore.AddResult.FULL);

    assertThat(s.get(first.id())).contains(first);
    assertThat(s.get(refused.id())).isEmpty();
    assertThat(s.size()).isEqualTo(2);
  }

  @Test
  void refusesNewSessionsWhenFullAndKeepsTheLiveOnes() {
    SessionStore s = store(Duration.ofMinutes(30), 2);
    McpSession first = TestSessions.of("a", "k");
    assertThat(s.add(first)).isTrue();
    assertThat(s.add(TestSessions.of("a", "k"))).isTrue();

    McpSession refused = TestSessions.of("a", "k");
    assertThat(s.add(refused)).isFalse();

    assertThat(s.get(first.id())).contains(first);
    assertThat(s.get(refused.id())).isEmpty();
    assertThat(s.size()).isEqualTo(2);
    assertThat(removals).isEmpty();
  }

  @Test
  void concurrentAddsNeverGoOverTheCap() throws Exception {
    int max = 50;
    SessionStore s = store(Duration.ofMinutes(30), max);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> adders = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        adders.add(() -> {
          int added = 0;
          for (int i = 0; i < 25; i++) {
            added += s.add(TestSessions.of("a", "k")) ? 1 : 0;
          }
          return added;
        });
      }
      int added = 0;
      for (Future<Integer> result : threads.invokeAll(adders)) {
        added += result.get();
      }

      assertThat(added).as("sessions accepted out of 200 offered").isEqualTo(max);
      assertThat(s.size()).isEqualTo(max);
      assertThat(s.sessions()).hasSize(max);
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void removalIsHeardOnceAsExplicitWithTheRecord() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession session = TestSessions.of("a", "k");
    s.add(session);

    s.remove(session.id());
    s.remove(session.id());
    s.remove("unknown");
    s.cleanUp();

    assertThat(removals).containsExactly(new Removal(session, SessionStore.RemovalCause.EXPLICIT));
    assertThat(s.get(session.id())).isEmpty();
    assertThat(s.size()).isZero();
  }

  @Test
  void idleSessionsExpireOnTheTickerAndActiveOnesStay() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession idle = TestSessions.of("a", "k");
    McpSession active = TestSessions.of("a", "k");
    s.add(idle);
    s.add(active);

    advance(Duration.ofMinutes(20));
    s.get(active.id());
    advance(Duration.ofMinutes(15));
    s.cleanUp();

    assertThat(heard()).containsExactly(idle.id() + ":EXPIRED");
    assertThat(s.get(active.id())).contains(active);
    assertThat(s.get(idle.id())).isEmpty();
  }

  @Test
  void updateReplacesThePresentRecordWithoutAnyRemoval() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession session = TestSessions.of("a", "k");
    McpSession other = TestSessions.of("a", "k");
    s.add(session);
    s.add(other);
    McpSession negotiated = session.withProtocolVersion("2025-11-25");

    assertThat(s.update(negotiated)).isTrue();

    assertThat(s.get(session.id())).contains(negotiated);
    assertThat(s.sessions()).containsExactlyInAnyOrder(negotiated, other);
    assertThat(s.size()).isEqualTo(2);
    assertThat(removals).as("an update is not a removal").isEmpty();
  }

  @Test
  void aRemovalAfterAnUpdateCarriesTheUpdatedRecord() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession session = TestSessions.of("a", "k");
    s.add(session);
    McpSession negotiated = session.withProtocolVersion("2025-11-25");
    s.update(negotiated);

    s.remove(session.id());

    assertThat(removals).containsExactly(new Removal(negotiated, SessionStore.RemovalCause.EXPLICIT));
  }

  @Test
  void updateCountsAsActivity() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession idle = TestSessions.of("a", "k");
    McpSession updated = TestSessions.of("a", "k");
    s.add(idle);
    s.add(updated);

    advance(Duration.ofMinutes(20));
    s.update(updated.withProtocolVersion("2025-11-25"));
    advance(Duration.ofMinutes(15));
    s.cleanUp();

    assertThat(heard()).containsExactly(idle.id() + ":EXPIRED");
    assertThat(s.get(updated.id())).contains(updated.withProtocolVersion("2025-11-25"));
  }

  @Test
  void updateOfAnAbsentSessionAddsNothing() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession never = TestSessions.of("a", "k");
    McpSession removed = TestSessions.of("a", "k");
    s.add(removed);
    s.remove(removed.id());
    removals.clear();

    assertThat(s.update(never)).isFalse();
    assertThat(s.update(removed.withProtocolVersion("2025-11-25"))).isFalse();

    assertThat(s.get(never.id())).isEmpty();
    assertThat(s.get(removed.id())).isEmpty();
    assertThat(s.sessions()).isEmpty();
    assertThat(s.size()).isZero();
    assertThat(removals).isEmpty();
  }

  @Test
  void anExpiredSessionCannotBeUpdated() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession session = TestSessions.of("a", "k");
    s.add(session);

    advance(Duration.ofMinutes(31));
    s.cleanUp();

    assertThat(s.update(session.withProtocolVersion("2025-11-25"))).isFalse();
    assertThat(s.get(session.id())).isEmpty();
    assertThat(heard()).containsExactly(session.id() + ":EXPIRED");
  }

  @Test
  void closingRemovesEverySessionAsClosedAndRefusesNewOnes() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession a = TestSessions.of("a", "k");
    McpSession b = TestSessions.of("b", "k");
    s.add(a);
    s.add(b);

    s.close();
    s.close();

    assertThat(removals).containsExactlyInAnyOrder(new Removal(a, SessionStore.RemovalCause.CLOSED),
        new Removal(b, SessionStore.RemovalCause.CLOSED));
    assertThat(s.add(TestSessions.of("a", "k"))).isFalse();
  }
}
