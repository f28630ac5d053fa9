package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SessionStore} keeps, as JUnit 5 tests: extend it and implement
 * {@link #newStore}.
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
  private final List<String> removals = Collections.synchronizedList(new ArrayList<>());
  private SessionStore store;

  /** For subclasses, one per store implementation. */
  protected SessionStoreContract() {
  }

  /**
   * A new, empty store.
   *
   * @param ticker nanosecond time the store must use for expiry; tests move it instead of sleeping
   */
  protected abstract SessionStore newStore(Duration idleTimeout, int maximumSessions, LongSupplier ticker);

  private SessionStore store(Duration idle, int max) {
    store = newStore(idle, max, now::get);
    store.onRemoval((session, cause) -> removals.add(session.id() + ":" + cause));
    return store;
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void returnsTheVeryInstanceItWasGiven() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession session = FakeSession.on("github", "key");
    assertThat(s.add(session)).isTrue();
    assertThat(s.get(session.id())).containsSame(session);
    assertThat(s.sessions()).containsExactly(session);
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.get("unknown")).isEmpty();
  }

  @Test
  void refusesNewSessionsWhenFullAndKeepsTheLiveOnes() {
    SessionStore s = store(Duration.ofMinutes(30), 2);
    McpSession first = FakeSession.on("a", "k");
    assertThat(s.add(first)).isTrue();
    assertThat(s.add(FakeSession.on("a", "k"))).isTrue();
    assertThat(s.add(FakeSession.on("a", "k"))).isFalse();
    assertThat(s.get(first.id())).isPresent();
    assertThat(removals).isEmpty();
  }

  @Test
  void removalIsHeardOnceAsExplicit() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession session = FakeSession.on("a", "k");
    s.add(session);
    s.remove(session.id());
    s.remove(session.id());
    s.cleanUp();
    assertThat(removals).containsExactly(session.id() + ":EXPLICIT");
    assertThat(s.get(session.id())).isEmpty();
  }

  @Test
  void idleSessionsExpireOnTheTickerAndActiveOnesStay() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession idle = FakeSession.on("a", "k");
    McpSession active = FakeSession.on("a", "k");
    s.add(idle);
    s.add(active);
    now.addAndGet(Duration.ofMinutes(20).toNanos());
    s.get(active.id());
    now.addAndGet(Duration.ofMinutes(15).toNanos());
    s.cleanUp();
    assertThat(removals).containsExactly(idle.id() + ":EXPIRED");
    assertThat(s.get(active.id())).isPresent();
  }

  @Test
  void closingRemovesEverySessionAsClosedAndRefusesNewOnes() {
    SessionStore s = store(Duration.ofMinutes(30), 10);
    McpSession a = FakeSession.on("a", "k");
    McpSession b = FakeSession.on("b", "k");
    s.add(a);
    s.add(b);
    s.close();
    s.close();
    assertThat(removals).containsExactlyInAnyOrder(a.id() + ":CLOSED", b.id() + ":CLOSED");
    assertThat(s.add(FakeSession.on("a", "k"))).isFalse();
  }
}
