package dev.mcpgateway.internal.connection;

import java.util.concurrent.CompletableFuture;

/**
 * A session's request for a backend instance for one call: granted at once when the session holds
 * one already, one is free or another may start; otherwise it waits, first come first served,
 * until one frees. Whoever asked bounds the wait and {@link #withdraw()}s when it gives up.
 */
public final class LeaseRequest {
  private final SessionBackend requester;
  private final CompletableFuture<BackendLease> granted = new CompletableFuture<>();

  LeaseRequest(SessionBackend requester) {
    this.requester = requester;
  }

  /**
   * Completes with the lease once granted, or exceptionally (a {@link dev.mcpgateway.GatewayException})
   * when the session ended while it waited; never completes once {@link #withdraw() withdrawn}.
   */
  public CompletableFuture<BackendLease> granted() {
    return granted;
  }

  /** Gives up waiting: true when the request was still waiting, and so will never be granted. */
  public boolean withdraw() {
    return requester.group().withdraw(this);
  }

  SessionBackend requester() {
    return requester;
  }
}
