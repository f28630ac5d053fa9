package dev.mcpgateway.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** The SSE connections that are open, so that idle ones get keep-alive comments. */
final class StreamRegistry {
  private final Set<SseStream.Connection> connections = ConcurrentHashMap.newKeySet();
  private final Duration interval;
  private final LongSupplier ticker;

  /** @param ticker the time source, as {@link System#nanoTime()} */
  StreamRegistry(ScheduledExecutorService scheduler, Duration interval, LongSupplier ticker) {
    this.interval = interval;
    this.ticker = ticker;
    long idle = interval.toNanos();
    long period = Math.max(100, interval.toMillis() / 2);
    scheduler.scheduleAtFixedRate(() -> {
      long now = ticker.getAsLong();
      for (SseStream.Connection connection : connections) {
        connection.keepAlive(now, idle);
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  /** How long a stream may stay silent before it gets a keep-alive comment. */
  Duration interval() {
    return interval;
  }

  /** The time now, from the gateway's ticker. */
  long nanoTime() {
    return ticker.getAsLong();
  }

  void add(SseStream.Connection connection) {
    connections.add(connection);
  }

  void remove(SseStream.Connection connection) {
    connections.remove(connection);
  }

  int size() {
    return connections.size();
  }
}
