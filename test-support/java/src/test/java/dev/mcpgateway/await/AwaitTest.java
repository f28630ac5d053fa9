package dev.mcpgateway.await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Duration SHORT = Duration.ofMillis(20);

  @Test
  void returnsOnceTheConditionHolds() {
    AtomicInteger polls = new AtomicInteger();

    Await.until(LONG, "the third poll", () -> polls.incrementAndGet() == 3);

    assertThat(polls).hasValue(3);
  }

  @Test
  void returnsTheFirstAcceptedResult() {
    AtomicInteger polls = new AtomicInteger();

    int result = Await.until(LONG, "a result over 4", polls::incrementAndGet, n -> n > 4);

    assertThat(result).isEqualTo(5);
  }

  @Test
  void failsNamingWhatWasAwaitedAndTheLastResult() {
    assertThatThrownBy(() -> Await.until(SHORT, "the answer is 42", () -> 41, n -> n == 42))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("timed out after PT0.02S waiting until the answer is 42")
        .hasMessageContaining("last seen: 41");
  }

  @Test
  void anExceptionOfTheConditionEndsTheWait() {
    AtomicInteger polls = new AtomicInteger();

    assertThatThrownBy(() -> Await.until(LONG, "never", () -> {
      polls.incrementAndGet();
      throw new IllegalStateException("broken");
    })).isInstanceOf(IllegalStateException.class).hasMessage("broken");
    assertThatThrownBy(() -> Await.until(LONG, "a file appears", () -> {
      throw new IOException("disk gone");
    })).isInstanceOf(AssertionError.class).hasMessageContaining("a file appears").hasRootCauseInstanceOf(IOException.class);
    assertThat(polls).hasValue(1);
  }

  @Test
  void holdsWithinSaysWhetherTheConditionHeld() {
    AtomicInteger polls = new AtomicInteger();

    assertThat(Await.holdsWithin(LONG, () -> polls.incrementAndGet() == 2)).isTrue();
    assertThat(Await.holdsWithin(SHORT, () -> false)).isFalse();
  }

  @Test
  void resultIsTheValueOrTheFailureOfTheStage() {
    assertThat(Await.result(CompletableFuture.completedFuture("done"))).isEqualTo("done");
    assertThatThrownBy(() -> Await.result(CompletableFuture.failedFuture(new IOException("refused"))))
        .isInstanceOf(AssertionError.class).hasCauseInstanceOf(IOException.class).hasMessageContaining("refused");
    assertThatThrownBy(() -> Await.result(new CompletableFuture<>(), SHORT))
        .isInstanceOf(AssertionError.class).hasMessage("no result within PT0.02S");
  }

  @Test
  void anInterruptedWaitFailsAndKeepsTheFlag() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Await.until(LONG, "never", () -> false))
          .isInstanceOf(AssertionError.class).hasMessageContaining("interrupted");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void refusesATimeoutThatIsNotPositive() {
    assertThatThrownBy(() -> Await.until(Duration.ZERO, "x", () -> true))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive: PT0S");
  }
}
