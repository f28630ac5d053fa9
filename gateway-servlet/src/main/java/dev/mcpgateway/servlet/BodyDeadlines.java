package dev.mcpgateway.servlet;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Ends body uploads that take longer than the servlet allows: one daemon thread, started when
 * a body first fails to arrive in one piece and gone again after ten idle seconds. A body that
 * arrives with its headers, the common case, never schedules anything. Thread-safe.
 */
final class BodyDeadlines {
  private final ScheduledThreadPoolExecutor timer;

  BodyDeadlines() {
    timer = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "mcp-gateway-body-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true); // a cancelled deadline does not keep its exchange reachable
    timer.setKeepAliveTime(10, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
  }

  /** Runs {@code task} after {@code delayNanos}; null when the servlet was destroyed (nothing is scheduled). */
  Future<?> schedule(Runnable task, long delayNanos) {
    try {
      return timer.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /** Stops the thread; deadlines not yet reached are dropped. */
  void shutdown() {
    timer.shutdownNow();
  }
}
