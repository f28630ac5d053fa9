package dev.mcpgateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.session.McpSession;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's state of one MCP session: its streams, its requests in flight and the
 * server-to-client requests waiting for its answer.
 */
final class SessionState implements McpSession {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String id;
  private final String server;
  private final Identity identity;
  private final Instant createdAt;
  private volatile String protocolVersion;
  private volatile BackendSlot slot;
  private final AtomicLong streams = new AtomicLong();
  private final AtomicLong serverRequestIds = new AtomicLong();
  /** Client requests in flight, by the client's id as JSON text. */
  private final ConcurrentHashMap<String, Exchange> inFlight = new ConcurrentHashMap<>();
  /** Server-to-client requests awaiting this client's answer, by the id the client sees. */
  private final ConcurrentHashMap<Long, ServerRequest> serverRequests = new ConcurrentHashMap<>();
  /** Streams that have not ended, by stream id. */
  private final ConcurrentHashMap<String, SseStream> streamsById = new ConcurrentHashMap<>();
  private final dev.mcpgateway.stream.EventStore eventStore;
  private final StreamRegistry registry;
  private SseStream standaloneStream;
  private volatile boolean closed;
  /** In unified mode: the client's session, which owns streams and server-request ids; null otherwise. */
  private final SessionState parent;
  /** In unified mode: the client's initialize params, used to initialize each server's backend. */
  private volatile com.fasterxml.jackson.databind.node.ObjectNode initializeParams;
  /** In unified mode: one child session per server, created on first use. */
  private final ConcurrentHashMap<String, SessionState> children = new ConcurrentHashMap<>();

  /** A request a backend sent to this client: where the answer goes, and the backend's own id. */
  record ServerRequest(BackendConnection connection, JsonNode backendId) {}

  SessionState(String server, Identity identity, String protocolVersion, dev.mcpgateway.stream.EventStore eventStore,
      StreamRegistry registry) {
    this(server, identity, protocolVersion, eventStore, registry, null);
  }

  /** A child of a unified session, for one server; streams and server requests go through {@code parent}. */
  SessionState(String server, SessionState parent) {
    this(server, parent.identity, parent.protocolVersion, parent.eventStore, parent.registry, parent);
  }

  private SessionState(String server, Identity identity, String protocolVersion, dev.mcpgateway.stream.EventStore eventStore,
      StreamRegistry registry, SessionState parent) {
    this.parent = parent;
    this.eventStore = eventStore;
    this.registry = registry;
    this.id = parent == null ? newId() : parent.id + "/" + server;
    this.server = server;
    this.identity = identity;
    this.protocolVersion = protocolVersion;
    this.createdAt = Instant.now();
  }

  private static String newId() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String server() {
    return server;
  }

  @Override
  public Identity identity() {
    return identity;
  }

  @Override
  public String protocolVersion() {
    return parent != null ? parent.protocolVersion() : protocolVersion;
  }

  com.fasterxml.jackson.databind.node.ObjectNode initializeParams() {
    return parent != null ? parent.initializeParams() : initializeParams;
  }

  void initializeParams(com.fasterxml.jackson.databind.node.ObjectNode params) {
    this.initializeParams = params;
  }

  /** The unified session this one belongs to; null for an ordinary session. */
  SessionState parent() {
    return parent;
  }

  /** The child session for {@code server}, created by {@code factory} on first use. */
  SessionState child(String server, java.util.function.Function<String, SessionState> factory) {
    return children.computeIfAbsent(server, factory);
  }

  /** The child sessions of a unified session. */
  Collection<SessionState> children() {
    return List.copyOf(children.values());
  }

  void protocolVersion(String version) {
    this.protocolVersion = version;
  }

  @Override
  public Instant createdAt() {
    return createdAt;
  }

  BackendSlot slot() {
    return slot;
  }

  void slot(BackendSlot slot) {
    this.slot = slot;
  }

  boolean isClosed() {
    return closed;
  }

  /** Starts a new logical stream of this session; 2025-11-25 sessions get a priming event first. */
  SseStream newStream() {
    if (parent != null) {
      return parent.newStream();
    }
    String streamId = Long.toString(streams.incrementAndGet());
    SseStream stream = new SseStream(id, streamId, eventStore, registry, protocolVersion.compareTo("2025-11-25") >= 0,
        () -> streamsById.remove(streamId));
    streamsById.put(streamId, stream);
    return stream;
  }

  /** A stream that has not ended, by id; null when unknown or ended. */
  SseStream stream(String streamId) {
    return streamsById.get(streamId);
  }

  /** A stream that ended, for replaying what the event store still holds. */
  SseStream endedStream(String streamId) {
    SseStream stream = new SseStream(id, streamId, eventStore, registry, false, () -> {});
    stream.close();
    return stream;
  }

  void track(String clientIdJson, Exchange exchange) {
    inFlight.put(clientIdJson, exchange);
  }

  void untrack(String clientIdJson, Exchange exchange) {
    inFlight.remove(clientIdJson, exchange);
  }

  Exchange inFlight(String clientIdJson) {
    return inFlight.get(clientIdJson);
  }

  Collection<Exchange> inFlight() {
    return List.copyOf(inFlight.values());
  }

  /** Registers a backend's request to this client and returns the id the client sees. */
  long registerServerRequest(BackendConnection connection, JsonNode backendId) {
    if (parent != null) {
      return parent.registerServerRequest(connection, backendId);
    }
    long clientId = serverRequestIds.incrementAndGet();
    serverRequests.put(clientId, new ServerRequest(connection, backendId));
    return clientId;
  }

  /** Takes the server request the client answers with {@code id}; null when unknown. */
  ServerRequest takeServerRequest(JsonNode id) {
    if (parent != null) {
      return parent.takeServerRequest(id);
    }
    if (id == null || !id.canConvertToLong()) {
      return null;
    }
    return serverRequests.remove(id.longValue());
  }

  /** Drops pending server requests of a connection that ended. */
  void forgetServerRequests(BackendConnection connection) {
    if (parent != null) {
      parent.forgetServerRequests(connection);
      return;
    }
    serverRequests.values().removeIf(request -> request.connection() == connection);
  }

  /** Installs the stream of a {@code GET}, ending the one it replaces. */
  void standaloneStream(SseStream stream) {
    SseStream previous;
    synchronized (this) {
      previous = standaloneStream;
      standaloneStream = stream;
    }
    if (previous != null && previous != stream) {
      previous.close();
    }
  }

  synchronized boolean isStandalone(SseStream stream) {
    return standaloneStream == stream;
  }

  /** Sends a message on the {@code GET} stream; {@code false} when none is open. */
  boolean sendStandalone(byte[] json) {
    if (parent != null) {
      return parent.sendStandalone(json);
    }
    SseStream stream;
    synchronized (this) {
      stream = standaloneStream;
    }
    return stream != null && stream.send(json);
  }

  /** Whether a client connection is attached to the {@code GET} stream right now. */
  boolean hasStandaloneStream() {
    if (parent != null) {
      return parent.hasStandaloneStream();
    }
    synchronized (this) {
      return standaloneStream != null && standaloneStream.isAttached();
    }
  }

  /** Ends the session's streams; called once when the session leaves the store. */
  void close() {
    closed = true;
    for (SessionState child : children.values()) {
      child.close();
    }
    SseStream stream;
    synchronized (this) {
      stream = standaloneStream;
      standaloneStream = null;
    }
    if (stream != null) {
      stream.close();
    }
    serverRequests.clear();
    if (parent == null) {
      eventStore.removeSession(id);
    }
  }

  @Override
  public String toString() {
    return "session of '" + identity.name() + "' on '" + server + "'";
  }
}
