package dev.mcpgateway.examples.support;

import dev.mcpgateway.await.Await;
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
   * Waits (up to {@code timeout}, with {@link Await}) until {@code condition} holds for the
   * matching descendants of {@code parent}; returns them, or fails naming the pids seen last.
   */
  public static List<ProcessHandle> await(ProcessHandle parent, String marker, Predicate<List<ProcessHandle>> condition,
      String description, Duration timeout) {
    return Await.until(timeout, description + " ('" + marker + "')", () -> matching(parent, marker), condition);
  }

  /** {@link #await} on this JVM's descendants. */
  public static List<ProcessHandle> await(String marker, Predicate<List<ProcessHandle>> condition, String description,
      Duration timeout) {
    return await(ProcessHandle.current(), marker, condition, description, timeout);
  }
}
