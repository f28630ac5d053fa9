package dev.mcpgateway.internal.session;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/** The SSE connections that are open, so that idle ones get keep-alive comments. */
public final class StreamRegistry {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StreamRegistry.class);
  private final Set<SseStream.Connection> connections = ConcurrentHashMap.newKeySet();
  /** What else wants the time at every check: streams followed from another replica. */
  private final Set<LongConsumer> watchers = ConcurrentHashMap.newKeySet();
  private final Duration interval;
  private final LongSupplier ticker;

  /** @param ticker the time source, as {@link System#nanoTime()} */
  public StreamRegistry(ScheduledExecutorService scheduler, Duration interval, LongSupplier ticker) {
    this.interval = interval;
    this.ticker = ticker;
    long idle = interval.toNanos();
    long period = Math.max(100, interval.toMillis() / 2);
    scheduler.scheduleAtFixedRate(() -> {
      long now = ticker.getAsLong();
      for (SseStream.Connection connection : connections) {
        connection.keepAlive(now, idle);
      }
      for (LongConsumer watcher : watchers) {
        try {
          watcher.accept(now);
        } catch (RuntimeException e) {
          LOG.error("A stream deadline check failed", e); // and the next ones still run
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  /** How long a stream may stay silent before it gets a keep-alive comment. */
  public Duration interval() {
    return interval;
  }

  /** The time now, from the gateway's ticker. */
  public long nanoTime() {
    return ticker.getAsLong();
  }

  public void add(SseStream.Connection connection) {
    connections.add(connection);
  }

  public void remove(SseStream.Connection connection) {
    connections.remove(connection);
  }

  /**
   * Calls {@code watcher} with the time at each check (every half keep-alive interval, at least
   * every 100 ms) until {@link #unwatch}: for deadlines that need no timer of their own.
   */
  public void watch(LongConsumer watcher) {
    watchers.add(watcher);
  }

  public void unwatch(LongConsumer watcher) {
    watchers.remove(watcher);
  }

  public int size() {
    return connections.size();
  }
}
