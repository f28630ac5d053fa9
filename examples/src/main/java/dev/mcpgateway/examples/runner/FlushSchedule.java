package dev.mcpgateway.examples.runner;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Flushes a buffered log stream shortly after its first unflushed line: under load one system
 * call carries many lines, and a quiet gateway's last line still shows within {@link #DELAY_MILLIS}.
 */
final class FlushSchedule {
  /** How long a line may wait in the buffer. */
  static final long DELAY_MILLIS = 100;

  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "mcp-gateway-log-flush");
    thread.setDaemon(true);
    return thread;
  });

  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable flush;

  FlushSchedule(Runnable flush) {
    this.flush = flush;
  }

  /** A line went into the buffer: make sure a flush follows. */
  void written() {
    if (scheduled.compareAndSet(false, true)) {
      TIMER.schedule(this::run, DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void run() {
    scheduled.set(false);
    flush.run();
  }

  /** Flushes an appender's stream under its write lock; a failure goes to the appender's status. */
  static void flush(java.io.OutputStream out, java.util.concurrent.locks.Lock lock, ch.qos.logback.core.spi.ContextAware owner,
      String what) {
    lock.lock();
    try {
      if (out != null) {
        out.flush();
      }
    } catch (java.io.IOException e) {
      owner.addError("Could not flush " + what, e);
    } finally {
      lock.unlock();
    }
  }
}
