package dev.mcpgateway.internal.connection;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call's hold on a backend instance, from a {@link LeaseRequest}: while any call of a session
 * holds a lease on a {@link BackendSlot.Sharing#LEASED} instance, that instance serves only this
 * session, and its server requests go only to it. The session's last release frees the instance
 * for the next waiting session. A lease on a shared instance holds nothing exclusively.
 *
 * <p>Whatever must stay with the session that caused it (a call in flight, a parked call waiting
 * for the client's input) holds a lease until it ends. Thread-safe; {@link #release()} is idempotent.
 */
public final class BackendLease {
  private final SessionBackend holder;
  private final BackendSlot slot;
  private final AtomicBoolean released = new AtomicBoolean();

  BackendLease(SessionBackend holder, BackendSlot slot) {
    this.holder = holder;
    this.slot = slot;
  }

  /** The instance held. */
  public BackendSlot slot() {
    return slot;
  }

  /** The session's use of its server's backends that this lease is part of. */
  SessionBackend holder() {
    return holder;
  }

  /** The instance's usable connection, started when needed; null when the instance was closed meanwhile. */
  public BackendConnection connection() {
    return slot.connection();
  }

  /** Ends this hold; the instance is free once the session holds it by no other lease. */
  public void release() {
    if (released.compareAndSet(false, true)) {
      holder.group().release(this);
    }
  }

  @Override
  public String toString() {
    return "lease of " + slot;
  }
}
