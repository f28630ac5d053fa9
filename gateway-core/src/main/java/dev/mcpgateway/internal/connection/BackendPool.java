package dev.mcpgateway.internal.connection;

import dev.mcpgateway.config.ServerConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends by (owner, server): at most one per pair, shared by the owner's sessions,
 * closed when the last of them leaves.
 */
public final class BackendPool {
  private static final Logger LOG = LoggerFactory.getLogger(BackendPool.class);

  private record Key(String owner, String server) {}

  private final ConcurrentHashMap<Key, BackendSlot> slots = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<BackendSlot, CompletableFuture<Void>> closing = new ConcurrentHashMap<>();
  private final GatewayRuntime runtime;

  public BackendPool(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * Joins {@code session} to the backend slot of {@code owner} for {@code server}, creating the
   * slot if needed.
   *
   * @param ownerName whose backend it is, for logs and audit
   */
  public BackendSlot join(String owner, String ownerName, ServerConfig server, SessionChannel session) {
    Key key = new Key(owner, server.name());
    return slots.compute(key, (k, existing) -> {
      BackendSlot s = existing == null || existing.isClosed() ? new BackendSlot(owner, ownerName, server, runtime) : existing;
      s.sessions().add(session);
      return s;
    });
  }

  /** Removes {@code session} from {@code slot}; the backend closes, off this thread, when it was the last. */
  public void leave(SessionChannel session, BackendSlot slot) {
    if (slot == null) {
      return;
    }
    Key key = new Key(slot.owner(), slot.server().name());
    BackendSlot[] emptied = new BackendSlot[1];
    slots.computeIfPresent(key, (k, s) -> {
      if (s != slot) {
        return s;
      }
      s.sessions().remove(session);
      if (s.sessions().isEmpty()) {
        emptied[0] = s;
        return null;
      }
      return s;
    });
    if (emptied[0] != null) {
      closeLater(emptied[0]);
    } else {
      slot.settings().left(session); // the backend is set to what the remaining sessions need
    }
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

  public Collection<BackendSlot> slots() {
    return slots.values();
  }

  /** Closes every backend, in parallel, and waits until all (including those already closing) are gone. */
  public void closeAll() {
    List<CompletableFuture<Void>> waits = new ArrayList<>(closing.values());
    for (BackendSlot slot : new ArrayList<>(slots.values())) {
      waits.add(CompletableFuture.runAsync(slot::close, runtime.launchExecutor()).exceptionally(e -> {
        LOG.error("Closing {} failed", slot, e);
        return null;
      }));
    }
    slots.clear();
    try {
      CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("Not every backend closed within 60 s", e);
    }
  }
}
