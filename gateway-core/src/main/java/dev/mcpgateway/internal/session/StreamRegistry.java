package dev.mcpgateway.internal.session;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** The SSE connections that are open, so that idle ones get keep-alive comments. */
public final class StreamRegistry {
  private final Set<SseStream.Connection> connections = ConcurrentHashMap.newKeySet();
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

  public int size() {
    return connections.size();
  }
}
