package dev.mcpgateway.servlet;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request body bytes all exchanges of one servlet may hold at once while bodies arrive and
 * until the gateway has answered them. An exchange reserves what the client announced (or,
 * for a body of unknown length, what arrives) before it keeps it, and gives it back when it
 * ends, however it ends. Thread-safe; lock-free.
 */
final class BodyBudget {
  private static final long WARN_INTERVAL_NANOS = 60_000_000_000L;

  private final long capacity;
  private final AtomicLong used = new AtomicLong();
  /** When a refusal was last logged at WARN; refusals in between are logged at DEBUG. */
  private final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

  BodyBudget(long capacity) {
    this.capacity = capacity;
  }

  /** Takes {@code bytes} from the budget; false, taking nothing, when fewer are left. */
  boolean tryReserve(long bytes) {
    long current;
    do {
      current = used.get();
      if (bytes > capacity - current) {
        return false;
      }
    } while (!used.compareAndSet(current, current + bytes));
    return true;
  }

  /** Gives back {@code bytes} taken with {@link #tryReserve(long)}. */
  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Whether a refusal now should be logged at WARN: at most once a minute, so that a flood does not flood the log. */
  boolean warnNow() {
    long now = System.nanoTime();
    long last = lastWarned.get();
    return now - last >= WARN_INTERVAL_NANOS && lastWarned.compareAndSet(last, now);
  }

  long capacity() {
    return capacity;
  }

  /** The bytes reserved now. */
  long used() {
    return used.get();
  }
}
