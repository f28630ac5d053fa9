package dev.mcpgateway.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The SSE connections that are open, so that idle ones get keep-alive comments. */
final class StreamRegistry {
  private final Set<SseStream.Connection> connections = ConcurrentHashMap.newKeySet();
  private final Duration interval;

  StreamRegistry(ScheduledExecutorService scheduler, Duration interval) {
    this.interval = interval;
    long idle = interval.toNanos();
    long period = Math.max(100, interval.toMillis() / 2);
    scheduler.scheduleAtFixedRate(() -> {
      long now = System.nanoTime();
      for (SseStream.Connection connection : connections) {
        connection.keepAlive(now, idle);
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  /** How long a stream may stay silent before it gets a keep-alive comment. */
  Duration interval() {
    return interval;
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
