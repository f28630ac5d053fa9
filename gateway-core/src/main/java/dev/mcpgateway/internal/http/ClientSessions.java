package dev.mcpgateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.connection.SessionChannel;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.internal.session.SessionRegistry;
import dev.mcpgateway.internal.session.SseStream;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions as clients see them, shared by the routed and the unified endpoints: open one
 * (admission), find the one a request names, its {@code GET} stream, its {@code DELETE}, and
 * the client's answers to server requests.
 */
public final class ClientSessions {
  private static final Logger LOG = LoggerFactory.getLogger(ClientSessions.class);
  public static final String SESSION_HEADER = "Mcp-Session-Id";
  public static final String VERSION_HEADER = "MCP-Protocol-Version";
  /** Protocol revisions the gateway speaks, newest first. */
  public static final List<String> VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26");
  public static final String LATEST = VERSIONS.get(0);
  /** The one revision with JSON-RPC batches: they were removed after it. */
  public static final String BATCH_VERSION = "2025-03-26";

  /**
   * In a cluster, how long a session this replica holds is served from what it holds after the
   * shared store last confirmed it (and took the request as activity): a session ended on another
   * replica ends here by the bus's notice at once, and, if that notice is lost, at the next
   * confirmation at the latest. Without a cluster every request asks the store, which is in memory.
   */
  static final long RECONFIRM_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

  private final GatewayConfig config;
  private final SessionStore sessions;
  private final SessionRegistry live;
  private volatile Attacher attacher = (record, identity) -> null;

  /**
   * Serves on this node a session whose record is in the store but that this node does not hold
   * (another replica opened it, or this node restarted): what it needs is made from the record.
   */
  public interface Attacher {
    /** The session, served here from now on; null when this node cannot serve it. */
    LiveSession attach(McpSession record, Identity identity);
  }

  /** Sets how sessions of other nodes are served here (the assembly sets it once). */
  public void attacher(Attacher attacher) {
    this.attacher = attacher;
  }

  public ClientSessions(GatewayConfig config, SessionStore sessions, SessionRegistry live) {
    this.config = config;
    this.sessions = sessions;
    this.live = live;
  }

  /** The session store, for records that change (a negotiated protocol version). */
  public SessionStore store() {
    return sessions;
  }

  /** A new session's record: the client's {@code initialize} capabilities and info, as data. */
  public static McpSession newRecord(String server, Identity identity, String version, ObjectNode params,
      ServerConfig.Isolation isolation) {
    int known = VERSIONS.indexOf(version);
    String shared = known >= 0 ? VERSIONS.get(known) : version; // one string for all the sessions of a version
    return new McpSession(McpSession.newId(), identity.sessionKey(), server, shared, jsonObject(params.get("capabilities")),
        jsonObject(params.get("clientInfo")), isolation, Instant.now());
  }

  private static Map<String, Object> jsonObject(JsonNode node) {
    return node != null && node.isObject() ? Json.toMap((ObjectNode) node) : Map.of();
  }

  /** A session that was opened, or why not. */
  public record Opened(LiveSession session, GatewayResponse refusal) {}

  /**
   * Opens a new session on this node and adds its record to the store, or answers why not: the
   * caller holds its share of sessions, the gateway holds its maximum, or the caller's key was
   * revoked since {@code epoch} (a revocation that looked at the store before this session was in it).
   */
  public Opened open(McpSession record, Identity identity, long epoch) {
    int held = live.opened(identity.sessionKey());
    // A share as large as the gateway's maximum is left to the store, which answers 503 when full.
    boolean limited = config.maxSessionsPerCaller() < config.maxSessions();
    if (held > config.maxSessionsPerCaller() && limited) {
      live.closed(identity.sessionKey());
      return new Opened(null, callerFull(identity));
    }
    LiveSession session = live.open(record, identity);
    SessionStore.AddResult added;
    try {
      // a store shared by replicas also counts the caller's sessions on the other replicas
      added = sessions.add(record, limited ? config.maxSessionsPerCaller() : Integer.MAX_VALUE);
    } catch (RuntimeException e) {
      // a shared store (Redis) that cannot be reached: no new session, the ones held here go on
      live.remove(record.id());
      live.closed(identity.sessionKey());
      LOG.warn("Refused a new session: the session store failed: {}", e.getMessage());
      return new Opened(null, storeUnavailable(e));
    }
    if (added != SessionStore.AddResult.ADDED) {
      live.remove(record.id());
      live.closed(identity.sessionKey());
      return new Opened(null, added == SessionStore.AddResult.CALLER_FULL ? callerFull(identity) : Http.error(503,
          "too many MCP sessions: the gateway holds its maximum; end unused sessions (DELETE) or try later"));
    }
    if (live.revokedSince(identity.sessionKey(), epoch)) {
      sessions.remove(record.id());
      return new Opened(null, Http.error(401, "authentication failed: the key was revoked"));
    }
    return new Opened(session, null);
  }

  /** 429 for a caller that holds its share of sessions (on this node, or with a shared store on all). */
  private GatewayResponse callerFull(Identity identity) {
    LOG.warn("Refused a new session of '{}': it holds {} session(s), its maximum", identity.name(), config.maxSessionsPerCaller());
    return Http.error(429, "too many MCP sessions for '" + identity.name() + "': at most "
        + config.maxSessionsPerCaller() + " at once; end unused sessions (DELETE) or let them expire");
  }

  /** One complete message, as JSON when accepted, else as a one-event stream. */
  public static GatewayResponse single(Http.Accept accept, LiveSession session, byte[] json) {
    if (accept.json()) {
      return GatewayResponse.json(200, json);
    }
    SseStream stream = session.newStream();
    stream.send(json);
    stream.close();
    return GatewayResponse.stream(200, stream.connect(-1));
  }

  public GatewayResponse stream(GatewayRequest request, String serverName, Identity identity) {
    Http.Accept accept = Http.accept(request);
    boolean acceptsSse = request.headers("accept").stream().anyMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream"));
    if (!acceptsSse) {
      return Http.error(406, "GET opens a server-sent event stream: Accept must include text/event-stream");
    }
    SessionLookup lookup = find(request, serverName, identity);
    if (lookup.error() != null) {
      return lookup.error();
    }
    LiveSession session = lookup.session();
    String lastEventId = request.header("last-event-id").orElse(null);
    if (lastEventId != null) {
      return resume(session, lastEventId);
    }
    SseStream stream = session.newStream();
    session.standaloneStream(stream);
    return GatewayResponse.stream(200, stream.connect(-1));
  }

  /** Resumes the stream named by {@code Last-Event-ID} ({@code <stream>_<sequence>}), replaying what was missed. */
  private GatewayResponse resume(LiveSession session, String lastEventId) {
    int separator = lastEventId.lastIndexOf('_');
    long after;
    try {
      after = separator > 0 ? Long.parseLong(lastEventId.substring(separator + 1)) : -1;
    } catch (NumberFormatException e) {
      after = -1;
    }
    if (after < 0) {
      return Http.error(400, "Last-Event-ID '" + Json.truncate(lastEventId)
          + "' was not issued by this gateway; reconnect without it");
    }
    String streamId = lastEventId.substring(0, separator);
    SseStream held = session.stream(streamId);
    if (held != null) {
      return GatewayResponse.stream(200, held.connect(after));
    }
    dev.mcpgateway.internal.session.ClusterRelay relay = live.relay();
    if (relay != null && relay.heldElsewhere(streamId)) {
      // another replica gave the stream: the stored events, then what it still sends if the stream is live there
      return GatewayResponse.stream(200, relay.follow(session.id(), streamId, after));
    }
    return GatewayResponse.stream(200, session.endedStream(streamId).connect(after));
  }

  public GatewayResponse delete(GatewayRequest request, String serverName, Identity identity) {
    SessionLookup lookup = find(request, serverName, identity);
    if (lookup.error() != null) {
      return lookup.error();
    }
    try {
      sessions.remove(lookup.session().id());
    } catch (RuntimeException e) {
      return storeUnavailable(e);
    }
    return GatewayResponse.empty(200);
  }

  public record SessionLookup(LiveSession session, GatewayResponse error) {}

  /**
   * 503 with {@code Retry-After} when the session store fails (a shared store that cannot be
   * reached): its message says so, never an address or a credential.
   */
  static GatewayResponse storeUnavailable(RuntimeException e) {
    String reason = e instanceof GatewayException && e.getMessage() != null ? e.getMessage() : "the session store failed";
    return Http.error(503, "sessions are unavailable: " + reason + "; try again shortly").withHeader("Retry-After", "1");
  }

  /**
   * The session a request names, or the answer that refuses the request: 400 without
   * {@code Mcp-Session-Id}, 404 when the session is unknown, ended, or another caller's or
   * server's, 400 when {@code MCP-Protocol-Version} is present and not a revision the gateway
   * speaks.
   *
   * <p>The header is checked, never obeyed: a request is served under the revision its session
   * negotiated, with or without the header, and whatever supported revision the header names.
   * The specification asks clients to send the negotiated revision (a SHOULD), tells servers to
   * assume 2025-03-26 without the header only when they have no other way to know (the session
   * is one), and requires 400 only for an invalid or unsupported value; the official conformance
   * suite sends {@code 2025-03-26} in sessions negotiated at 2025-11-25 and expects them served.
   */
  public SessionLookup find(GatewayRequest request, String serverName, Identity identity) {
    String id = request.header(SESSION_HEADER).orElse(null);
    if (id == null || id.isEmpty()) {
      return new SessionLookup(null, Http.rpcError(400, null, GatewayException.INVALID_REQUEST,
          "Mcp-Session-Id header is required; send initialize first to get one"));
    }
    McpSession found;
    LiveSession held = live.relay() == null ? null : live.get(id);
    if (held != null && !held.isClosed() && held.confirmedWithin(RECONFIRM_NANOS)) {
      // a cluster: its end anywhere reaches this replica as a notice; the store is asked again soon
      found = held.record();
    } else {
      try {
        found = sessions.get(id).orElse(null);
        if (held != null && found != null) {
          held.confirmed();
        }
      } catch (RuntimeException e) {
        // the store cannot answer: a session this node holds goes on from what it holds, others wait
        held = live.get(id);
        if (held == null || held.isClosed()) {
          return new SessionLookup(null, storeUnavailable(e));
        }
        found = held.record();
      }
    }
    LiveSession session = found == null ? null : live.get(found.id());
    if (found != null && session == null && found.server().equals(serverName) && found.callerDigest().equals(identity.sessionKey())) {
      session = attacher.attach(found, identity); // a session of the shared store that another node opened
    }
    // Another identity's or another server's session is reported as unknown, so ids cannot be probed.
    if (found == null || session == null || !found.server().equals(serverName)
        || !found.callerDigest().equals(identity.sessionKey()) || session.isClosed()) {
      return new SessionLookup(null, Http.rpcError(404, null, GatewayException.INVALID_REQUEST,
          "session not found: it ended or expired; send initialize to start a new one"));
    }
    String version = request.header(VERSION_HEADER).orElse(null);
    if (version != null && !VERSIONS.contains(version)) {
      return new SessionLookup(null, Http.rpcError(400, null, GatewayException.INVALID_REQUEST,
          "unsupported MCP-Protocol-Version '" + Json.truncate(version) + "'; supported: " + VERSIONS));
    }
    return new SessionLookup(session, null);
  }

  public GatewayResponse clientResponse(LiveSession session, ObjectNode message, JsonNode id) {
    SessionChannel.ServerRequest request = session.takeServerRequest(id);
    if (request == null) {
      dev.mcpgateway.internal.session.ClusterRelay relay = live.relay();
      if (relay != null && id.canConvertToLong()) {
        relay.answer(session.id(), message); // another replica may have it waiting
        return GatewayResponse.empty(202);
      }
      return Http.error(400, "no server request with id " + Json.truncate(id.toString())
          + " is waiting for an answer in this session");
    }
    dev.mcpgateway.internal.intercept.Tracer.end(request.span(), dev.mcpgateway.internal.intercept.Tracer.outcome(message));
    message.set("id", request.backendId());
    try {
      request.connection().send(message);
    } catch (IOException e) {
      return Http.error(503, "server '" + session.server() + "' stopped before it could receive the answer");
    }
    return GatewayResponse.empty(202);
  }
}
