package dev.mcpgateway.examples.support;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Finds a process's descendants by command line and waits for their number to change. */
public final class Children {
  private Children() {}

  /** Live descendants of {@code parent} whose command line contains {@code marker}. */
  public static List<ProcessHandle> matching(ProcessHandle parent, String marker) {
    return parent.descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().orElse("").contains(marker))
        .toList();
  }

  /** Live descendants of this JVM whose command line contains {@code marker}. */
  public static List<ProcessHandle> ofThisJvm(String marker) {
    return matching(ProcessHandle.current(), marker);
  }

  /**
   * Polls (every 50 ms, up to {@code timeout}) until {@code condition} holds for the matching
   * descendants of {@code parent}; returns them, or fails naming what was seen last.
   */
  public static List<ProcessHandle> await(ProcessHandle parent, String marker, Predicate<List<ProcessHandle>> condition,
      String description, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> seen = matching(parent, marker);
    while (!condition.test(seen)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("after " + timeout + ", expected " + description + " ('" + marker + "') but found pids "
            + seen.stream().map(ProcessHandle::pid).toList());
      }
      pause();
      seen = matching(parent, marker);
    }
    return seen;
  }

  /** {@link #await} on this JVM's descendants. */
  public static List<ProcessHandle> await(String marker, Predicate<List<ProcessHandle>> condition, String description,
      Duration timeout) {
    return await(ProcessHandle.current(), marker, condition, description, timeout);
  }

  /** Polls {@code condition} every 50 ms until it holds or {@code timeout} passes (then fails with {@code description}). */
  public static void awaitTrue(java.util.function.BooleanSupplier condition, String description, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("after " + timeout + ": " + description);
      }
      pause();
    }
  }

  private static void pause() {
    // a poll interval, not a sleep that a test's outcome depends on
    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
  }
}
