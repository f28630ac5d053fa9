package dev.mcpgateway.await;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Waits in tests for something asynchronous with a deadline, instead of sleeping and hoping:
 * polls a condition until it holds, or waits for a future's result.
 *
 * <p>Polling starts at once and backs off from 1 ms to {@link #MAX_POLL_INTERVAL}, so a wait
 * that is over soon costs little and a long one does not spin. The timeout only bounds a wait
 * that went wrong; it is never what a test measures. A wait that times out fails with an
 * {@link AssertionError} naming what was awaited (and, for {@link #until(Duration, String,
 * Attempt, Predicate)}, the last value seen). An exception thrown by a condition ends the wait at
 * once: unchecked ones as they are, checked ones wrapped in an {@link AssertionError}. An
 * interrupted wait fails, with the thread's interrupt flag set again.
 *
 * <pre>{@code
 * Await.until(Duration.ofSeconds(10), "the backend is stopped", () -> !backend.isAlive());
 * String text = Await.until(WAIT, "calls work again", () -> client.callTool("echo", args), t -> t.startsWith("Echo"));
 * GatewayResponse response = Await.result(gateway.handle(request));
 * }</pre>
 *
 * <p>Thread-safe: holds no state.
 */
public final class Await {
  /** How long {@link #result(CompletionStage)} waits: 30 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** The longest pause between two polls: 50 ms. */
  public static final Duration MAX_POLL_INTERVAL = Duration.ofMillis(50);

  private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private Await() {}

  /** A condition polled until it holds. */
  @FunctionalInterface
  public interface Condition {
    /** Whether the wait is over; may do a round of work first (read a socket, call a tool). */
    boolean holds() throws Exception;
  }

  /** Something tried again until its result is accepted. */
  @FunctionalInterface
  public interface Attempt<T> {
    /** One try; its result goes to the acceptance test. */
    T get() throws Exception;
  }

  /**
   * Polls {@code condition} until it holds.
   *
   * @param what what is awaited, for the failure message, such as {@code "the backend is stopped"}
   * @throws AssertionError when it does not hold within {@code timeout}
   */
  public static void until(Duration timeout, String what, Condition condition) {
    Objects.requireNonNull(condition, "condition");
    until(timeout, what, condition::holds, Boolean::booleanValue);
  }

  /**
   * Calls {@code attempt} until {@code done} accepts its result, and returns that result.
   *
   * @param what what is awaited, for the failure message
   * @throws AssertionError when no result is accepted within {@code timeout}; the message shows the last one
   */
  public static <T> T until(Duration timeout, String what, Attempt<T> attempt, Predicate<? super T> done) {
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(attempt, "attempt");
    Objects.requireNonNull(done, "done");
    long deadline = System.nanoTime() + positive(timeout).toNanos();
    long pause = FIRST_PAUSE_NANOS;
    while (true) {
      T last = call(attempt, what);
      if (done.test(last)) {
        return last;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what + "; last seen: " + last);
      }
      pause(pause, what);
      pause = Math.min(pause * 2, MAX_POLL_INTERVAL.toNanos());
    }
  }

  /**
   * Polls {@code condition} until it holds or {@code timeout} passes, and says which: for a test
   * that reports what it saw before it asserts. Prefer {@link #until(Duration, String, Condition)}.
   */
  public static boolean holdsWithin(Duration timeout, Condition condition) {
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + positive(timeout).toNanos();
    long pause = FIRST_PAUSE_NANOS;
    while (!call(condition::holds, "a condition holds")) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      pause(pause, "a condition holds");
      pause = Math.min(pause * 2, MAX_POLL_INTERVAL.toNanos());
    }
    return true;
  }

  /** The result of {@code stage}, waiting at most {@link #DEFAULT_TIMEOUT}; see {@link #result(CompletionStage, Duration)}. */
  public static <T> T result(CompletionStage<T> stage) {
    return result(stage, DEFAULT_TIMEOUT);
  }

  /**
   * The result of {@code stage}, waiting at most {@code timeout}.
   *
   * @throws AssertionError when it does not complete in time, or completes exceptionally (the
   *     exception is the cause)
   */
  public static <T> T result(CompletionStage<T> stage, Duration timeout) {
    Objects.requireNonNull(stage, "stage");
    try {
      return stage.toCompletableFuture().get(positive(timeout).toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + timeout, e);
    } catch (ExecutionException e) {
      throw new AssertionError("completed exceptionally: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a result", e);
    }
  }

  private static <T> T call(Attempt<T> attempt, String what) {
    try {
      return attempt.get();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting until " + what, e);
    } catch (Exception e) {
      throw new AssertionError("failed while waiting until " + what + ": " + e, e);
    }
  }

  private static void pause(long nanos, String what) {
    LockSupport.parkNanos(nanos);
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting until " + what);
    }
  }

  private static Duration positive(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return timeout;
  }
}
