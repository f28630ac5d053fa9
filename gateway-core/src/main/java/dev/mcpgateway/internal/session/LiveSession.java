package dev.mcpgateway.internal.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.internal.connection.BackendCall;
import dev.mcpgateway.internal.connection.BackendConnection;
import dev.mcpgateway.internal.connection.SessionBackend;
import dev.mcpgateway.internal.connection.SessionChannel;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.stream.EventStore;
import java.time.Instant;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What this node holds for one session beside its record: the caller, the backend it uses, its
 * streams, its calls in flight and the server-to-client requests waiting for its answer.
 * The record ({@link McpSession}) is data, kept by the session store; this is not.
 *
 * <p>Most sessions sit idle most of the time, and a node may hold many of them: the maps of
 * calls, streams, server requests and children are made when the first one comes, and the
 * {@code initialize} params are built from the record each time a backend needs them.
 */
public final class LiveSession implements SessionChannel {
  private static final VarHandle STREAMS;
  private static final VarHandle SERVER_REQUEST_IDS;
  private static final VarHandle IN_FLIGHT;
  private static final VarHandle SERVER_REQUESTS;
  private static final VarHandle STREAMS_BY_ID;
  private static final VarHandle CHILDREN;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STREAMS = lookup.findVarHandle(LiveSession.class, "streams", long.class);
      SERVER_REQUEST_IDS = lookup.findVarHandle(LiveSession.class, "serverRequestIds", long.class);
      IN_FLIGHT = lookup.findVarHandle(LiveSession.class, "inFlight", ConcurrentHashMap.class);
      SERVER_REQUESTS = lookup.findVarHandle(LiveSession.class, "serverRequests", ConcurrentHashMap.class);
      STREAMS_BY_ID = lookup.findVarHandle(LiveSession.class, "streamsById", ConcurrentHashMap.class);
      CHILDREN = lookup.findVarHandle(LiveSession.class, "children", ConcurrentHashMap.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile McpSession record;
  private final Identity identity;
  private volatile SessionBackend backend;
  /** The last stream id given out (through {@link #STREAMS}). */
  private volatile long streams;
  /** The last server-request id given out (through {@link #SERVER_REQUEST_IDS}). */
  private volatile long serverRequestIds;
  /** Client requests in flight, by the client's id as JSON text; null before the first. */
  private volatile ConcurrentHashMap<String, BackendCall> inFlight;
  /** Server-to-client requests awaiting this client's answer, by the id the client sees; null before the first. */
  private volatile ConcurrentHashMap<Long, ServerRequest> serverRequests;
  /** Streams that have not ended, by stream id; null before the first. */
  private volatile ConcurrentHashMap<String, SseStream> streamsById;
  private final EventStore eventStore;
  private final StreamRegistry registry;
  private SseStream standaloneStream;
  /** The node's sessions (their relay to other replicas); null when made on its own. */
  private final SessionRegistry sessions;
  private java.util.function.UnaryOperator<byte[]> standaloneRewrite;
  private volatile boolean closed;
  /** When the shared store last confirmed this session ({@link System#nanoTime()}); 0 before. */
  private volatile long confirmedAt;
  /** In unified mode: the client's session, which owns streams and server-request ids; null otherwise. */
  private final LiveSession parent;
  /** In unified mode: one child session per server, created on first use; null before the first. */
  private volatile ConcurrentHashMap<String, LiveSession> children;

  public LiveSession(McpSession record, Identity identity, EventStore eventStore, StreamRegistry registry) {
    this(record, identity, eventStore, registry, null, 0, null);
  }

  /**
   * @param idBase what the ids of this session's streams and server requests start from on this node
   * @param sessions the node's sessions, for the relay to other replicas
   */
  public LiveSession(McpSession record, Identity identity, EventStore eventStore, StreamRegistry registry, long idBase,
      SessionRegistry sessions) {
    this(record, identity, eventStore, registry, null, idBase, sessions);
  }

  private LiveSession(McpSession record, Identity identity, EventStore eventStore, StreamRegistry registry, LiveSession parent,
      long idBase, SessionRegistry sessions) {
    this.record = record;
    this.identity = identity;
    this.eventStore = eventStore;
    this.registry = registry;
    this.parent = parent;
    this.sessions = sessions;
    this.streams = idBase;
    this.serverRequestIds = idBase;
  }

  /** The map in {@code field}, made by the first that needs it. */
  @SuppressWarnings("unchecked")
  private <K, V> ConcurrentHashMap<K, V> map(VarHandle field) {
    ConcurrentHashMap<K, V> map = (ConcurrentHashMap<K, V>) field.getVolatile(this);
    if (map != null) {
      return map;
    }
    ConcurrentHashMap<K, V> made = new ConcurrentHashMap<>();
    ConcurrentHashMap<K, V> witness = (ConcurrentHashMap<K, V>) field.compareAndExchange(this, null, made);
    return witness == null ? made : witness;
  }

  /** What {@code map} holds, or an empty map while it has not been made. */
  private static <K, V> Map<K, V> orEmpty(ConcurrentHashMap<K, V> map) {
    return map != null ? map : Map.of();
  }

  /** The record of this session as the store keeps it. */
  public McpSession record() {
    return record;
  }

  /** Notes that the session store has just confirmed this session (and counted the request as activity). */
  public void confirmed() {
    long now = System.nanoTime();
    confirmedAt = now == 0 ? 1 : now;
  }

  /** Whether the session store confirmed this session less than {@code nanos} ago. */
  public boolean confirmedWithin(long nanos) {
    long at = confirmedAt;
    return at != 0 && System.nanoTime() - at < nanos;
  }

  /** Takes the record's new version (same id), for example once the protocol version is negotiated. */
  public void record(McpSession updated) {
    this.record = updated;
  }

  public String id() {
    return record.id();
  }

  public String server() {
    return record.server();
  }

  public Identity identity() {
    return identity;
  }

  public String protocolVersion() {
    return parent != null ? parent.protocolVersion() : record.protocolVersion();
  }

  @Override
  public Instant createdAt() {
    return record.createdAt();
  }

  @Override
  public boolean declares(String capability) {
    return record.clientCapabilities().containsKey(capability);
  }

  @Override
  public ObjectNode initializeParams(String protocolVersion) {
    if (parent != null) {
      return parent.initializeParams(protocolVersion);
    }
    McpSession r = record;
    ObjectNode params = Json.object();
    params.put("protocolVersion", protocolVersion);
    params.set("capabilities", Json.mapper().valueToTree(r.clientCapabilities()));
    params.set("clientInfo", Json.mapper().valueToTree(r.clientInfo()));
    return params;
  }

  /** The unified session this one belongs to; null for an ordinary session. */
  public LiveSession parent() {
    return parent;
  }

  /** The child session for {@code server}, made by {@code factory} (from {@link #newChild}) on first use. */
  public LiveSession child(String server, Function<String, LiveSession> factory) {
    return this.<String, LiveSession>map(CHILDREN).computeIfAbsent(server, factory);
  }

  /** A child of this unified session for one server; its streams and server requests go through this one. */
  public LiveSession newChild(String server, dev.mcpgateway.config.ServerConfig.Isolation isolation) {
    McpSession r = record;
    McpSession childRecord = new McpSession(r.id() + "/" + server, r.callerDigest(), server, r.protocolVersion(),
        r.clientCapabilities(), r.clientInfo(), isolation, r.createdAt());
    return new LiveSession(childRecord, identity, eventStore, registry, this, 0, sessions);
  }

  /** The child sessions of a unified session. */
  public Collection<LiveSession> children() {
    return List.copyOf(orEmpty(children).values());
  }

  /** The session's use of its server's backends; null before it joined them (and for a unified session, which uses its children's). */
  public SessionBackend backend() {
    return backend;
  }

  public void backend(SessionBackend backend) {
    this.backend = backend;
  }

  public boolean isClosed() {
    return closed;
  }

  /** Starts a new logical stream of this session; 2025-11-25 sessions get a priming event first. */
  public SseStream newStream() {
    return newStream(protocolVersion().compareTo("2025-11-25") >= 0);
  }

  /**
   * A new stream of this session; {@code priming}: whether it starts with an event that has an id
   * and no data, which lets a 2025-11-25 client resume it (clients of the stateless revision have
   * no resumption).
   */
  public SseStream newStream(boolean priming) {
    if (parent != null) {
      return parent.newStream(priming);
    }
    String streamId = Long.toString((long) STREAMS.getAndAdd(this, 1L) + 1);
    ConcurrentHashMap<String, SseStream> open = map(STREAMS_BY_ID);
    SseStream stream = new SseStream(id(), streamId, eventStore, registry, priming, () -> open.remove(streamId));
    open.put(streamId, stream);
    return stream;
  }

  /** A stream that has not ended, by id; null when unknown or ended. */
  public SseStream stream(String streamId) {
    ConcurrentHashMap<String, SseStream> open = streamsById;
    return open == null ? null : open.get(streamId);
  }

  /** A stream that ended, for replaying what the event store still holds. */
  public SseStream endedStream(String streamId) {
    SseStream stream = new SseStream(id(), streamId, eventStore, registry, false, () -> {});
    stream.close();
    return stream;
  }

  @Override
  public boolean track(String clientIdJson, BackendCall call) {
    if (this.<String, BackendCall>map(IN_FLIGHT).putIfAbsent(clientIdJson, call) != null) {
      return false;
    }
    if (closed) {
      // The session ended while the call started: its end may not have seen the call.
      call.sessionEnded("ended");
    }
    return true;
  }

  @Override
  public void untrack(String clientIdJson, BackendCall call) {
    ConcurrentHashMap<String, BackendCall> calls = inFlight;
    if (calls != null) {
      calls.remove(clientIdJson, call);
    }
  }

  /** The call of this session's client with this id, while it is in flight; null otherwise. */
  public BackendCall inFlight(String clientIdJson) {
    ConcurrentHashMap<String, BackendCall> calls = inFlight;
    return calls == null ? null : calls.get(clientIdJson);
  }

  /**
   * Whether the session is in use right now, though no request may come for a long while: a
   * call of its client is in flight (in a unified session, at any of its servers), or a client
   * holds one of its streams open (a {@code GET}, a POST answered as a stream).
   */
  public boolean isBusy() {
    if (!orEmpty(inFlight).isEmpty()) {
      return true;
    }
    ConcurrentHashMap<String, LiveSession> kids = children;
    if (kids != null) {
      for (LiveSession child : kids.values()) {
        if (!orEmpty(child.inFlight).isEmpty()) {
          return true;
        }
      }
    }
    ConcurrentHashMap<String, SseStream> open = streamsById;
    if (open != null) {
      for (SseStream stream : open.values()) {
        if (stream.isAttached()) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public long registerServerRequest(BackendConnection connection, JsonNode backendId, BackendCall call,
      java.util.function.LongFunction<dev.mcpgateway.trace.TraceSpan> span) {
    if (parent != null) {
      return parent.registerServerRequest(connection, backendId, call, span);
    }
    long clientId = (long) SERVER_REQUEST_IDS.getAndAdd(this, 1L) + 1;
    this.<Long, ServerRequest>map(SERVER_REQUESTS).put(clientId, new ServerRequest(clientId, connection, backendId, call, span.apply(clientId)));
    return clientId;
  }

  @Override
  public ServerRequest takeServerRequest(JsonNode id) {
    if (parent != null) {
      return parent.takeServerRequest(id);
    }
    ConcurrentHashMap<Long, ServerRequest> waiting = serverRequests;
    if (waiting == null || id == null || !id.canConvertToLong()) {
      return null;
    }
    return waiting.remove(id.longValue());
  }

  /** The server request waiting for this client's answer under {@code clientId}, left waiting; null when none. */
  public ServerRequest serverRequest(long clientId) {
    if (parent != null) {
      return parent.serverRequest(clientId);
    }
    ConcurrentHashMap<Long, ServerRequest> waiting = serverRequests;
    return waiting == null ? null : waiting.get(clientId);
  }

  @Override
  public ServerRequest withdrawServerRequest(BackendConnection connection, JsonNode backendId) {
    if (parent != null) {
      return parent.withdrawServerRequest(connection, backendId);
    }
    ConcurrentHashMap<Long, ServerRequest> waiting = serverRequests;
    if (waiting == null || backendId == null) {
      return null;
    }
    String wanted = Json.idText(backendId);
    for (ServerRequest request : waiting.values()) {
      // Another backend may use the same id: the request is this connection's only.
      if (request.connection() == connection && Json.idText(request.backendId()).equals(wanted)
          && waiting.remove(request.clientId(), request)) {
        return request;
      }
    }
    return null;
  }

  @Override
  public void forgetServerRequests(BackendConnection connection) {
    if (parent != null) {
      parent.forgetServerRequests(connection);
      return;
    }
    ConcurrentHashMap<Long, ServerRequest> waiting = serverRequests;
    if (waiting != null) {
      waiting.values().removeIf(request -> request.connection() == connection);
    }
  }

  /** Installs the stream of a {@code GET}, ending the one it replaces; a session that ended ends it at once. */
  public void standaloneStream(SseStream stream) {
    SseStream previous = null;
    boolean ended;
    synchronized (this) {
      ended = closed;
      if (!ended) {
        previous = standaloneStream;
        standaloneStream = stream;
      }
    }
    if (ended) {
      stream.close(); // the session ended meanwhile
    } else if (previous != null && previous != stream) {
      previous.close();
    }
  }

  /**
   * Installs a stream that takes what this session's standalone stream would, each message first
   * passed through {@code rewrite} (null drops it): a stateless client's {@code subscriptions/listen}.
   */
  public void listenStream(SseStream stream, java.util.function.UnaryOperator<byte[]> rewrite) {
    synchronized (this) {
      standaloneRewrite = rewrite;
    }
    standaloneStream(stream);
  }

  /** Removes {@code stream} if it is still this session's standalone stream, and its rewrite. */
  public void endListenStream(SseStream stream) {
    synchronized (this) {
      if (standaloneStream == stream) {
        standaloneStream = null;
        standaloneRewrite = null;
      }
    }
  }

  @Override
  public boolean sendStandalone(byte[] json) {
    return sendStandalone(json, true);
  }

  /** As {@link #sendStandalone(byte[])}, on this node's stream only: what another replica relayed here. */
  public boolean sendStandaloneHere(byte[] json) {
    return sendStandalone(json, false);
  }

  private boolean sendStandalone(byte[] json, boolean mayRelay) {
    if (parent != null) {
      return parent.sendStandalone(json, mayRelay);
    }
    SseStream stream;
    java.util.function.UnaryOperator<byte[]> rewrite;
    synchronized (this) {
      stream = standaloneStream;
      rewrite = standaloneRewrite;
    }
    if (stream == null) {
      ClusterRelay relay = !mayRelay || sessions == null ? null : sessions.relay();
      // a notification for a session whose GET stream another replica may hold goes there
      return relay != null && relay.standalone(id(), json);
    }
    if (rewrite != null) {
      json = rewrite.apply(json);
      if (json == null) {
        return true; // not asked for: dropped on purpose
      }
    }
    return stream.send(json);
  }

  @Override
  public boolean hasStandaloneStream() {
    if (parent != null) {
      return parent.hasStandaloneStream();
    }
    synchronized (this) {
      return standaloneStream != null && standaloneStream.isAttached();
    }
  }

  /**
   * Ends the session on this node; called once, whatever ended it ({@code DELETE}, expiry, a
   * revoked key, the gateway's close). Its calls in flight are cancelled at their backend and
   * answered with an error on their streams; the server requests waiting for its client are
   * answered to their backends with an error; then its streams end. A unified session ends its
   * children first.
   */
  public void close(SessionStore.RemovalCause cause) {
    synchronized (this) {
      closed = true; // under the lock: a GET that installs its stream now sees it
    }
    for (LiveSession child : orEmpty(children).values()) {
      child.close(cause);
    }
    for (BackendCall call : List.copyOf(orEmpty(inFlight).values())) {
      if (cause == SessionStore.RemovalCause.CLOSED) {
        call.gatewayClosing();
      } else {
        call.sessionEnded(cause == SessionStore.RemovalCause.EXPIRED ? "expired" : "ended");
      }
    }
    ConcurrentHashMap<Long, ServerRequest> waiting = serverRequests;
    for (Long clientId : waiting == null ? List.<Long>of() : List.copyOf(waiting.keySet())) {
      ServerRequest request = waiting.remove(clientId);
      if (request != null) { // else the client's answer took it meanwhile
        dev.mcpgateway.internal.intercept.Tracer.end(request.span(),
            dev.mcpgateway.trace.TraceOutcome.error(dev.mcpgateway.GatewayException.INTERNAL_ERROR));
        request.connection().refuse(request.backendId(), "the client's session ended before it answered");
      }
    }
    SseStream stream;
    synchronized (this) {
      stream = standaloneStream;
      standaloneStream = null;
    }
    if (stream != null) {
      stream.close();
    }
    for (SseStream open : List.copyOf(orEmpty(streamsById).values())) {
      open.close();
    }
    ClusterRelay relay = sessions == null ? null : sessions.relay();
    if (parent == null && relay != null) {
      relay.sessionEnded(id());
    }
    // A replica that closes leaves the session to the others, with its events for their resumptions.
    if (parent == null && !(relay != null && cause == SessionStore.RemovalCause.CLOSED)) {
      eventStore.removeSession(id());
    }
  }

  @Override
  public String toString() {
    return "session of '" + identity.name() + "' on '" + (server().isEmpty() ? "(unified)" : server()) + "'";
  }
}
