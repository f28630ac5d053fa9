package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.config.ServerConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The backend instances of one caller for one server (of one session, with isolation
 * {@code SESSION}), and which session holds which.
 *
 * <p>With {@link ServerConfig.BackendSharing#EXACT} (the default), sessions that declared none of
 * {@code sampling}, {@code elicitation} and {@code roots} share one instance, which takes no server
 * requests. A session that declared any of them leases an instance initialized with exactly its
 * declared capabilities ({@link CapabilityKey}) for as long as it has calls in flight; another such
 * session takes another free instance of its key (the one it used last when free), or a new one
 * while the caller runs fewer than {@link #bound()} (an idle instance of another key is stopped to
 * make room), or waits, first come first served. Idle instances beyond the first of a key stop
 * after the session timeout; all of a key's stop with its last session. With
 * {@link ServerConfig.BackendSharing#SINGLE}, the sessions that declared the same of those
 * capabilities share one instance initialized with them (one instance per declared set, so that
 * no backend believes its client can do what it cannot, nor the reverse); with isolation
 * {@code SESSION}, each session has its own.
 *
 * <p>Thread-safe: one lock guards the instances, the waiting requests and the sessions' holds;
 * backends are closed and leases granted after it is let go.
 */
final class CallerBackends {
  private final String owner;
  private final String ownerName;
  private final ServerConfig server;
  private final GatewayRuntime runtime;
  private final boolean exact;
  private final int bound;
  private final long idleNanos;
  private final Consumer<BackendSlot> closer;
  // guarded by this
  /**
   * The sessions by the key of the instances they use; with {@code exact}, the shared instance
   * serves {@link CapabilityKey#NONE}; with {@code single}, one shared instance serves each key.
   */
  private final Map<CapabilityKey, Set<SessionChannel>> members = new HashMap<>();
  /** What the sessions of each key asked of the instances that serve them (log levels, subscriptions). */
  private final Map<CapabilityKey, BackendSettings> settings = new HashMap<>();
  private final Map<CapabilityKey, BackendSlot> shared = new HashMap<>();
  private final List<BackendSlot> leased = new ArrayList<>();
  private final ArrayDeque<LeaseRequest> waiting = new ArrayDeque<>();
  private ScheduledFuture<?> reaper;
  private boolean closed;

  /** What a change under the lock leaves to do after it: leases to grant, requests to fail, backends to stop. */
  private static final class Changes {
    final List<Map.Entry<LeaseRequest, BackendLease>> grants = new ArrayList<>();
    final List<LeaseRequest> ended = new ArrayList<>();
    final List<BackendSlot> toClose = new ArrayList<>();
    /** The settings the leaving session leaves, when others of its key remain. */
    BackendSettings settingsLeft;
  }

  /**
   * @param closer stops an instance off the caller's thread
   */
  CallerBackends(String owner, String ownerName, ServerConfig server, GatewayRuntime runtime, Consumer<BackendSlot> closer) {
    this.owner = owner;
    this.ownerName = ownerName;
    this.server = server;
    this.runtime = runtime;
    this.closer = closer;
    this.exact = server.isolation() == ServerConfig.Isolation.KEY && server.backendSharing() == ServerConfig.BackendSharing.EXACT;
    this.bound = server.maxBackendsPerCaller().orElse(runtime.config().maxBackendsPerCaller());
    this.idleNanos = runtime.config().sessionTimeout().orElse(dev.mcpgateway.config.GatewayConfig.DEFAULT_SESSION_TIMEOUT).toNanos();
  }

  ServerConfig server() {
    return server;
  }

  String owner() {
    return owner;
  }

  GatewayRuntime runtime() {
    return runtime;
  }

  /** Whether instances are initialized with exactly the capabilities of their key (else with those of the session that started them). */
  boolean exact() {
    return exact;
  }

  int bound() {
    return bound;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** Adds a session, whose backends are initialized at {@code protocolVersion}. */
  synchronized SessionBackend join(SessionChannel session, Map<String, Object> capabilities, String protocolVersion) {
    CapabilityKey declared = CapabilityKey.of(capabilities);
    boolean leases = exact && !declared.isEmpty();
    // exact: sessions that declared nothing share the instance that takes no server requests;
    // single: the sessions of one declared set share one instance, initialized with that set
    CapabilityKey key = leases || !exact ? declared : CapabilityKey.NONE;
    sessionsOf(key).add(session);
    return new SessionBackend(this, session, key, leases, protocolVersion);
  }

  /** The sessions of {@code key}, a live set, with the settings they share: made with the key's first session. */
  private Set<SessionChannel> sessionsOf(CapabilityKey key) {
    return members.computeIfAbsent(key, k -> {
      Set<SessionChannel> sessions = ConcurrentHashMap.newKeySet();
      settings.put(k, new BackendSettings(server, runtime, sessions, () -> instancesOf(k)));
      return sessions;
    });
  }

  /** What the sessions of {@code backend}'s key asked of the instances that serve them. */
  synchronized BackendSettings settings(SessionBackend backend) {
    BackendSettings kept = backend.left ? null : settings.get(backend.key());
    // a session that left has no settings: a request finds it is no session of theirs
    return kept != null ? kept : new BackendSettings(server, runtime, Set.of(), List::of);
  }

  /** The instances that serve the sessions of {@code key}, oldest first. */
  private synchronized List<BackendSlot> instancesOf(CapabilityKey key) {
    List<BackendSlot> instances = new ArrayList<>();
    BackendSlot sharedOfKey = shared.get(key);
    if (sharedOfKey != null) {
      instances.add(sharedOfKey);
    }
    for (BackendSlot slot : leased) {
      if (slot.key().equals(key)) {
        instances.add(slot);
      }
    }
    return instances;
  }

  synchronized boolean hasEnded(SessionBackend backend) {
    return backend.left || closed;
  }

  LeaseRequest request(SessionBackend backend) {
    LeaseRequest request = new LeaseRequest(backend);
    Changes changes = new Changes();
    synchronized (this) {
      if (backend.left || closed) {
        changes.ended.add(request);
      } else if (!backend.leases()) {
        changes.grants.add(Map.entry(request, new BackendLease(backend, sharedSlot(backend))));
      } else if (backend.held != null) {
        backend.calls++;
        changes.grants.add(Map.entry(request, new BackendLease(backend, backend.held)));
      } else {
        waiting.add(request);
        dispatch(changes);
      }
    }
    apply(changes);
    return request;
  }

  synchronized boolean withdraw(LeaseRequest request) {
    return waiting.remove(request);
  }

  void release(BackendLease lease) {
    SessionBackend backend = lease.holder();
    if (!backend.leases()) {
      return;
    }
    Changes changes = new Changes();
    synchronized (this) {
      if (backend.held != lease.slot() || --backend.calls > 0) {
        return;
      }
      backend.held = null;
      lease.slot().holder(null);
      dispatch(changes);
      scheduleReaper();
    }
    if (!changes.grants.isEmpty() || !changes.toClose.isEmpty()) {
      // A release comes at a call's end, often on a backend's reader: the next call starts elsewhere.
      runtime.answer(() -> apply(changes));
    }
  }

  /** The ready future of an instance this session may read its {@code initialize} result from; null when there is none yet or the pool closed. */
  synchronized CompletableFuture<JsonNode> readyInstance(SessionBackend backend) {
    if (backend.left || closed) {
      return null;
    }
    BackendSlot slot = null;
    if (!backend.leases()) {
      slot = sharedSlot(backend);
    } else {
      for (BackendSlot instance : leased) {
        if (instance.key().equals(backend.key()) && (slot == null || instance.isRunning() && !slot.isRunning())) {
          slot = instance;
        }
      }
    }
    BackendConnection connection = slot == null ? null : slot.connection();
    return connection == null ? null : connection.ready();
  }

  synchronized BackendSlot notificationTarget(SessionBackend backend) {
    if (backend.left || closed) {
      return null;
    }
    if (!backend.leases()) {
      return sharedSlot(backend);
    }
    if (backend.held != null) {
      return backend.held;
    }
    BackendSlot last = backend.lastUsed;
    return last != null && leased.contains(last) && last.holder() == null ? last : null;
  }

  /**
   * Removes a session under the lock: its waiting requests are to fail, and the instances of its
   * key to stop when it was the key's last session. When it was the caller's last session here,
   * the whole group closes. The returned work is done by the caller after that, outside any lock.
   */
  Left leave(SessionBackend backend) {
    Changes changes = new Changes();
    boolean empty;
    synchronized (this) {
      if (!backend.left) {
        backend.left = true;
        for (Iterator<LeaseRequest> it = waiting.iterator(); it.hasNext();) {
          LeaseRequest request = it.next();
          if (request.requester() == backend) {
            it.remove();
            changes.ended.add(request);
          }
        }
        Set<SessionChannel> sessions = members.get(backend.key());
        if (sessions != null) {
          sessions.remove(backend.session());
          if (sessions.isEmpty()) {
            members.remove(backend.key());
            settings.remove(backend.key());
            stopKey(backend.key(), changes);
          } else {
            changes.settingsLeft = settings.get(backend.key()); // the instances are set to what the others need
          }
        }
      }
      empty = members.isEmpty();
      if (empty) {
        close(changes);
      } else {
        dispatch(changes);
      }
    }
    return new Left(empty, () -> {
      apply(changes);
      if (changes.settingsLeft != null) {
        changes.settingsLeft.left(backend.session());
      }
    });
  }

  /** What {@link #leave} decided: whether the group is now closed, and what is left to do. */
  record Left(boolean closed, Runnable after) {}

  /** Closes every instance (the gateway closes); returns them, for the caller to stop and wait for. */
  List<BackendSlot> closeAll() {
    Changes changes = new Changes();
    synchronized (this) {
      close(changes);
    }
    for (LeaseRequest request : changes.ended) {
      request.granted().completeExceptionally(ended());
    }
    return changes.toClose;
  }

  /** The instances, running or not. */
  synchronized List<BackendSlot> instances() {
    List<BackendSlot> all = new ArrayList<>(leased);
    all.addAll(shared.values());
    return all;
  }

  private void close(Changes changes) {
    closed = true;
    changes.ended.addAll(waiting);
    waiting.clear();
    changes.toClose.addAll(leased);
    leased.clear();
    changes.toClose.addAll(shared.values());
    shared.clear();
    if (reaper != null) {
      reaper.cancel(false);
      reaper = null;
    }
  }

  private void stopKey(CapabilityKey key, Changes changes) {
    BackendSlot sharedOfKey = shared.remove(key);
    if (sharedOfKey != null) {
      changes.toClose.add(sharedOfKey);
    }
    for (Iterator<BackendSlot> it = leased.iterator(); it.hasNext();) {
      BackendSlot slot = it.next();
      if (slot.key().equals(key)) {
        it.remove();
        changes.toClose.add(slot);
      }
    }
  }

  private BackendSlot sharedSlot(SessionBackend backend) {
    return shared.computeIfAbsent(backend.key(), key -> new BackendSlot(owner, ownerName, server, runtime,
        exact ? BackendSlot.Sharing.NO_SERVER_REQUESTS : BackendSlot.Sharing.SINGLE, key, sessionsOf(key), settings.get(key),
        backend.initializeParams()));
  }

  /** Grants waiting requests, first come first served, while instances are free or may start. */
  private void dispatch(Changes changes) {
    for (Iterator<LeaseRequest> it = waiting.iterator(); it.hasNext();) {
      LeaseRequest request = it.next();
      SessionBackend backend = request.requester();
      BackendSlot slot = backend.held;
      if (slot != null) {
        backend.calls++; // an earlier request of the same session was granted in this pass
      } else {
        slot = freeInstance(backend);
        if (slot == null) {
          slot = newInstance(backend, changes);
        }
        if (slot == null) {
          continue;
        }
        slot.holder(backend.session());
        backend.held = slot;
        backend.calls = 1;
        backend.lastUsed = slot;
      }
      it.remove();
      changes.grants.add(Map.entry(request, new BackendLease(backend, slot)));
    }
  }

  /** A free instance of the session's key: the one it used last when free, else the longest-running. */
  private BackendSlot freeInstance(SessionBackend backend) {
    BackendSlot last = backend.lastUsed;
    if (last != null && last.holder() == null && leased.contains(last)) {
      return last;
    }
    for (BackendSlot slot : leased) {
      if (slot.holder() == null && slot.key().equals(backend.key())) {
        return slot;
      }
    }
    return null;
  }

  /** A new instance of the session's key, when the bound allows one or an idle instance of another key can make room. */
  private BackendSlot newInstance(SessionBackend backend, Changes changes) {
    if (leased.size() >= bound) {
      BackendSlot idlest = null;
      for (BackendSlot slot : leased) {
        if (slot.holder() == null && (idlest == null || slot.freeSinceNanos() < idlest.freeSinceNanos())) {
          idlest = slot;
        }
      }
      if (idlest == null) {
        return null;
      }
      leased.remove(idlest);
      changes.toClose.add(idlest);
    }
    BackendSlot slot = new BackendSlot(owner, ownerName, server, runtime, BackendSlot.Sharing.LEASED, backend.key(),
        sessionsOf(backend.key()), settings.get(backend.key()), backend.initializeParams());
    leased.add(slot);
    return slot;
  }

  /** Schedules a look for idle instances beyond the first of their key, at the earliest time one can be due. */
  private void scheduleReaper() {
    if (reaper != null || closed) {
      return;
    }
    long earliest = Long.MAX_VALUE;
    for (BackendSlot slot : leased) {
      if (slot.holder() == null && countOf(slot.key()) > 1) {
        earliest = Math.min(earliest, slot.freeSinceNanos() + idleNanos);
      }
    }
    if (earliest == Long.MAX_VALUE) {
      return;
    }
    try {
      reaper = runtime.scheduler().schedule(this::reap, Math.max(0, earliest - runtime.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the gateway is closing
    }
  }

  private void reap() {
    Changes changes = new Changes();
    synchronized (this) {
      reaper = null;
      long now = runtime.nanoTime();
      for (Iterator<BackendSlot> it = leased.iterator(); it.hasNext();) {
        BackendSlot slot = it.next();
        if (slot.holder() == null && now - slot.freeSinceNanos() >= idleNanos && countOf(slot.key()) > 1) {
          it.remove();
          changes.toClose.add(slot);
        }
      }
      scheduleReaper();
    }
    apply(changes);
  }

  private int countOf(CapabilityKey key) {
    int count = 0;
    for (BackendSlot slot : leased) {
      if (slot.key().equals(key)) {
        count++;
      }
    }
    return count;
  }

  private void apply(Changes changes) {
    for (BackendSlot slot : changes.toClose) {
      closer.accept(slot);
    }
    for (LeaseRequest request : changes.ended) {
      request.granted().completeExceptionally(ended());
    }
    for (Map.Entry<LeaseRequest, BackendLease> grant : changes.grants) {
      if (!grant.getKey().granted().complete(grant.getValue())) {
        grant.getValue().release();
      }
    }
  }

  private GatewayException ended() {
    return new GatewayException(404, GatewayException.INVALID_REQUEST, "session has ended; send initialize again");
  }

  @Override
  public String toString() {
    return "backends of '" + server.name() + "' for " + owner;
  }
}
