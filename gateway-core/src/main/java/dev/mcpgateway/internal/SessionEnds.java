package dev.mcpgateway.internal;

import dev.mcpgateway.internal.connection.BackendPool;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.internal.session.SessionRegistry;
import dev.mcpgateway.payload.PayloadStore;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How sessions end on this node, whatever ended them (DELETE, expiry, a revoked key, the
 * gateway's close): what the node held for them is let go, and a caller's payloads go with its
 * last session.
 */
final class SessionEnds {
  private static final Logger LOG = LoggerFactory.getLogger(dev.mcpgateway.McpGateway.class);

  private final SessionStore sessions;
  private final SessionRegistry live;
  private final BackendPool pool;
  private final PayloadStore payloads;

  SessionEnds(SessionStore sessions, SessionRegistry live, BackendPool pool, PayloadStore payloads) {
    this.sessions = sessions;
    this.live = live;
    this.pool = pool;
    this.payloads = payloads;
  }

  /** A session left the store (ended, expired, revoked, closed): this node lets go of what it held for it. */
  void removed(McpSession record, SessionStore.RemovalCause cause) {
    LiveSession session = live.remove(record.id());
    if (session == null) {
      return;
    }
    LOG.debug("{} ended ({})", session, cause);
    session.close(cause);
    pool.leave(session.backend());
    for (LiveSession child : session.children()) {
      pool.leave(child.backend());
    }
    String key = record.callerDigest();
    if (live.closed(key)) {
      try {
        payloads.deleteAll(key);
      } catch (IOException | RuntimeException e) {
        LOG.error("Could not delete the payloads of '{}'", session.identity().name(), e);
      }
    }
  }

  /**
   * The gateway closes: what this node still holds is let go, also for sessions the store keeps
   * (a store shared by several replicas removes nothing when one of them closes: the others go on
   * serving those sessions).
   */
  void endAll() {
    for (LiveSession session : live.sessions()) {
      removed(session.record(), SessionStore.RemovalCause.CLOSED);
    }
  }

  void revoked(String sessionKey) {
    live.revoked(sessionKey); // first: an initialize racing this sees it after adding its session
    int ended = 0;
    for (McpSession session : sessions.sessions()) {
      if (session.callerDigest().equals(sessionKey)) {
        sessions.remove(session.id());
        ended++;
      }
    }
    LOG.info("Ended {} session(s) of a revoked credential", ended);
  }

}
