package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls for something asynchronous with a deadline, instead of sleeping. */
final class Await {
  private Await() {}

  /** Calls {@code attempt} until {@code done} accepts its result, and returns that result. */
  static <T> T until(Duration timeout, String what, Supplier<T> attempt, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (true) {
      last = attempt.get();
      if (done.test(last)) {
        return last;
      }
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeout + " waiting until " + what + "; last: " + last);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }
}
