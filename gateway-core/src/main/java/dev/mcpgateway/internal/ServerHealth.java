package dev.mcpgateway.internal;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** What the gateway knows of one server's backends over time, for {@code /health} and stats. */
final class ServerHealth {
  private final AtomicInteger starts = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger unexpectedExits = new AtomicInteger();
  private final AtomicInteger restarts = new AtomicInteger();
  private volatile String lastError;
  private volatile String lastErrorCode;
  private volatile String lastExit;
  private volatile Instant lastStartedAt;

  /** A backend started; {@code replacedCrashed} when it replaces one that stopped unexpectedly. */
  void started(boolean replacedCrashed) {
    starts.incrementAndGet();
    if (replacedCrashed) {
      restarts.incrementAndGet();
    }
    lastError = null;
    lastErrorCode = null;
    lastStartedAt = Instant.now();
  }

  void startFailed(String message) {
    failures.incrementAndGet();
    lastError = message;
    lastErrorCode = "start_failed";
  }

  /** A running backend lost its remote; shown as the error until a start succeeds. */
  void unreachable(String message) {
    lastError = message;
    lastErrorCode = "unreachable";
  }

  void exitedUnexpectedly(String reason) {
    unexpectedExits.incrementAndGet();
    lastExit = reason;
  }

  /** The error of the latest start attempt, when it failed; null after a successful start. */
  String lastError() {
    return lastError;
  }

  /** A code for {@link #lastError()} that carries no text of the backend's: {@code start_failed} or {@code unreachable}. */
  String lastErrorCode() {
    return lastErrorCode;
  }

  /** Why the latest backend that stopped unexpectedly stopped; null when none did. */
  String lastExit() {
    return lastExit;
  }

  int starts() {
    return starts.get();
  }

  int failures() {
    return failures.get();
  }

  /** Backends that were started again after their predecessor stopped without being asked to. */
  int restarts() {
    return restarts.get();
  }

  /** Backends that stopped without being asked to (crashed, or exited on their own). */
  int unexpectedExits() {
    return unexpectedExits.get();
  }

  Instant lastStartedAt() {
    return lastStartedAt;
  }
}
