package dev.mcpgateway.internal.connection;

import dev.mcpgateway.config.ServerConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends by (owner, server), each a {@link CallerBackends}: shared by the owner's sessions
 * as its server's {@link ServerConfig.BackendSharing} says, closed when the last of them leaves.
 */
public final class BackendPool {
  private static final Logger LOG = LoggerFactory.getLogger(BackendPool.class);

  private record Key(String owner, String server) {}

  private final ConcurrentHashMap<Key, CallerBackends> callers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<BackendSlot, CompletableFuture<Void>> closing = new ConcurrentHashMap<>();
  private final GatewayRuntime runtime;

  public BackendPool(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * Joins {@code session} to the backends of {@code owner} for {@code server}.
   *
   * @param owner the caller's session key, or a session's own key with isolation {@code SESSION}
   * @param ownerName whose backend it is, for logs and audit
   * @param capabilities the client's {@code initialize} capabilities, which pick the instances it may use
   * @param protocolVersion the protocol version the session's backends are initialized at
   *     ({@link SessionChannel#initializeParams})
   */
  public SessionBackend join(String owner, String ownerName, ServerConfig server, SessionChannel session,
      Map<String, Object> capabilities, String protocolVersion) {
    SessionBackend[] joined = new SessionBackend[1];
    callers.compute(new Key(owner, server.name()), (k, existing) -> {
      CallerBackends group = existing == null || existing.isClosed()
          ? new CallerBackends(owner, ownerName, server, runtime, this::closeLater) : existing;
      joined[0] = group.join(session, capabilities, protocolVersion);
      return group;
    });
    return joined[0];
  }

  /** Removes a session; its instances stop, off this thread, when no session needs them any more. */
  public void leave(SessionBackend backend) {
    if (backend == null) {
      return;
    }
    CallerBackends group = backend.group();
    CallerBackends.Left[] left = new CallerBackends.Left[1];
    callers.computeIfPresent(new Key(group.owner(), group.server().name()), (k, current) -> {
      if (current != group) {
        return current;
      }
      left[0] = group.leave(backend);
      return left[0].closed() ? null : group;
    });
    if (left[0] == null) {
      left[0] = group.leave(backend); // the group was replaced or closed already
    }
    left[0].after().run();
  }

  private void closeLater(BackendSlot slot) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    closing.put(slot, done);
    try {
      runtime.launchExecutor().execute(() -> {
        try {
          slot.close();
        } finally {
          done.complete(null);
          closing.remove(slot, done);
        }
      });
    } catch (RuntimeException rejected) {
      slot.close();
      done.complete(null);
      closing.remove(slot, done);
    }
  }

  /** Every backend instance, running or not. */
  public Collection<BackendSlot> slots() {
    List<BackendSlot> all = new ArrayList<>();
    for (CallerBackends group : callers.values()) {
      all.addAll(group.instances());
    }
    return all;
  }

  /** Closes every backend, in parallel, and waits until all (including those already closing) are gone. */
  public void closeAll() {
    List<CompletableFuture<Void>> waits = new ArrayList<>(closing.values());
    for (CallerBackends group : new ArrayList<>(callers.values())) {
      for (BackendSlot slot : group.closeAll()) {
        waits.add(CompletableFuture.runAsync(slot::close, runtime.launchExecutor()).exceptionally(e -> {
          LOG.error("Closing {} failed", slot, e);
          return null;
        }));
      }
    }
    callers.clear();
    try {
      CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("Not every backend closed within 60 s", e);
    }
  }
}
