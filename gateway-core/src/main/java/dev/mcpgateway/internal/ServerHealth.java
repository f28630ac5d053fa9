package dev.mcpgateway.internal;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** What the gateway knows of one server's backends over time, for {@code /health}. */
final class ServerHealth {
  private final AtomicInteger starts = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger unexpectedExits = new AtomicInteger();
  private volatile String lastError;
  private volatile Instant lastStartedAt;

  void started() {
    starts.incrementAndGet();
    lastError = null;
    lastStartedAt = Instant.now();
  }

  void startFailed(String message) {
    failures.incrementAndGet();
    lastError = message;
  }

  /** A running backend lost its remote; shown as the error until a start succeeds. */
  void unreachable(String message) {
    lastError = message;
  }

  void exitedUnexpectedly() {
    unexpectedExits.incrementAndGet();
  }

  /** The error of the latest start attempt, when it failed; null after a successful start. */
  String lastError() {
    return lastError;
  }

  int starts() {
    return starts.get();
  }

  int failures() {
    return failures.get();
  }

  /** Backends that stopped without being asked to (and were or will be replaced on next use). */
  int restarts() {
    return unexpectedExits.get();
  }

  Instant lastStartedAt() {
    return lastStartedAt;
  }
}
