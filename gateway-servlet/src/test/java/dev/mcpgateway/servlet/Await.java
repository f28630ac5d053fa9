package dev.mcpgateway.servlet;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Polls for something asynchronous with a deadline, instead of sleeping. */
final class Await {
  private Await() {}

  interface Step {
    /** Does one round of work and says whether the wait is over. */
    boolean done() throws Exception;
  }

  static void until(Duration timeout, String what, Step step) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!step.done()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeout + " waiting until " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }
}
