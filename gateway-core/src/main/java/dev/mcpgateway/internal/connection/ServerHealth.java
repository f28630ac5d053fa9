package dev.mcpgateway.internal.connection;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** What the gateway knows of one server's backends over time, for {@code /health} and stats. */
public final class ServerHealth {
  private final AtomicInteger starts = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger unexpectedExits = new AtomicInteger();
  private final AtomicInteger restarts = new AtomicInteger();
  private volatile String lastError;
  private volatile String lastErrorCode;
  private volatile String lastExit;
  private volatile Instant lastStartedAt;

  /** A backend started; {@code replacedCrashed} when it replaces one that stopped unexpectedly. */
  public void started(boolean replacedCrashed) {
    starts.incrementAndGet();
    if (replacedCrashed) {
      restarts.incrementAndGet();
    }
    lastError = null;
    lastErrorCode = null;
    lastStartedAt = Instant.now();
  }

  public void startFailed(String message) {
    failures.incrementAndGet();
    lastError = message;
    lastErrorCode = "start_failed";
  }

  /** A running backend lost its remote; shown as the error until a start succeeds. */
  public void unreachable(String message) {
    lastError = message;
    lastErrorCode = "unreachable";
  }

  public void exitedUnexpectedly(String reason) {
    unexpectedExits.incrementAndGet();
    lastExit = reason;
  }

  /** The error of the latest start attempt, when it failed; null after a successful start. */
  public String lastError() {
    return lastError;
  }

  /** A code for {@link #lastError()} that carries no text of the backend's: {@code start_failed} or {@code unreachable}. */
  public String lastErrorCode() {
    return lastErrorCode;
  }

  /** Why the latest backend that stopped unexpectedly stopped; null when none did. */
  public String lastExit() {
    return lastExit;
  }

  public int starts() {
    return starts.get();
  }

  public int failures() {
    return failures.get();
  }

  /** Backends that were started again after their predecessor stopped without being asked to. */
  public int restarts() {
    return restarts.get();
  }

  /** Backends that stopped without being asked to (crashed, or exited on their own). */
  public int unexpectedExits() {
    return unexpectedExits.get();
  }

  public Instant lastStartedAt() {
    return lastStartedAt;
  }
}
