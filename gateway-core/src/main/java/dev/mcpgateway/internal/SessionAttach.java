package dev.mcpgateway.internal;

import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.connection.BackendPool;
import dev.mcpgateway.internal.connection.SessionBackend;
import dev.mcpgateway.internal.http.ClientSessions;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.internal.session.SessionRegistry;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves on this node a session that another node opened (several replicas share one session
 * store), or that this node held before it restarted: the caller was checked against the record
 * already; here the node makes what it holds for a session from the record alone, and joins the
 * caller's backend for the session's server, started and initialized with the recorded client
 * capabilities and info. Calls, streams and server requests then work as for a session opened here.
 */
final class SessionAttach implements ClientSessions.Attacher {
  private static final Logger LOG = LoggerFactory.getLogger(SessionAttach.class);

  private final GatewayConfig config;
  private final SessionStore sessions;
  private final SessionRegistry live;
  private final BackendPool pool;

  SessionAttach(GatewayConfig config, SessionStore sessions, SessionRegistry live, BackendPool pool) {
    this.config = config;
    this.sessions = sessions;
    this.live = live;
    this.pool = pool;
  }

  @Override
  public LiveSession attach(McpSession record, Identity identity) {
    ServerConfig server = record.server().isEmpty() ? null : config.servers().get(record.server());
    if (!record.server().isEmpty() && server == null) {
      return null; // a server this node is not configured with
    }
    SessionRegistry.Attached attached = live.attach(record, identity);
    LiveSession session = attached.session();
    if (!attached.attached()) {
      return session; // another request attached it at the same moment
    }
    live.opened(identity.sessionKey());
    if (server != null) {
      String owner = server.isolation() == ServerConfig.Isolation.SESSION ? "session-" + Identity.digest(session.id())
          : identity.sessionKey();
      SessionBackend backend = pool.join(owner, identity.name(), server, session, record.clientCapabilities(),
          session.protocolVersion());
      session.backend(backend);
    } // a unified session joins the backends of its servers as it uses them
    boolean stillThere;
    try {
      stillThere = sessions.get(record.id()).isPresent();
    } catch (RuntimeException e) {
      stillThere = true; // the store answered a moment ago; it goes on from the record
    }
    if (!stillThere) {
      // removed while it attached: whoever removed it may have looked before it was live here
      LiveSession gone = live.remove(record.id());
      if (gone != null) {
        gone.close(SessionStore.RemovalCause.EXPLICIT);
        pool.leave(gone.backend());
        live.closed(identity.sessionKey());
      }
      return null;
    }
    LOG.debug("Serving {} here, opened by another node", session);
    return session;
  }
}
