package dev.mcpgateway.internal.connection;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which session a backend's own message belongs to, by the rules of the instance it came from;
 * stdio relates nothing, so these rules never guess:
 *
 * <ul>
 *   <li>a leased instance: the session holding it, which alone has calls in flight on it; none while it is free;
 *   <li>an instance shared by sessions that declared no capability for server requests: none, for requests;
 *   <li>a single shared instance: the one session with calls in flight on it, or, with none in
 *       flight, the one session it serves; none when that is more than one.
 * </ul>
 *
 * A server request also needs the capability its method asks for declared by that session.
 */
final class Attribution {
  /** Where a message goes: a session, or why none can take it (said to the backend). */
  record Target(SessionChannel session, int code, String refusal) {
    static Target of(SessionChannel session) {
      return new Target(session, 0, null);
    }

    static Target refused(int code, String refusal) {
      return new Target(null, code, refusal);
    }
  }

  /** JSON-RPC error of a request no session can take. */
  static final int UNATTRIBUTED = -32603;
  /** JSON-RPC error of a request for a capability the client did not declare: what such a client answers. */
  static final int NOT_DECLARED = -32601;

  private Attribution() {}

  /** The session a server request of {@code method} (redacted) goes to, or why none. */
  static Target request(BackendSlot slot, BackendConnection connection, String method) {
    String server = slot.server().name();
    SessionChannel session;
    switch (slot.sharing()) {
      case LEASED:
        session = slot.holder();
        if (session == null) {
          return Target.refused(UNATTRIBUTED, "server '" + server + "' sent " + method + " while no call was in flight on "
              + "its backend instance: a server request goes only to the session whose call is running there");
        }
        break;
      case NO_SERVER_REQUESTS:
        String capability = CapabilityKey.neededBy(method);
        return Target.refused(capability != null ? NOT_DECLARED : UNATTRIBUTED, capability != null
            ? "the client did not declare the '" + capability + "' capability, so it cannot answer " + method
            : "the clients of this backend declared no capability for server requests, so none receives " + method);
      default:
        Set<SessionChannel> calling = callingSessions(connection);
        List<SessionChannel> serving = slot.liveSessions();
        if (calling.size() == 1) {
          session = calling.iterator().next();
        } else if (calling.isEmpty() && serving.size() == 1) {
          session = serving.get(0);
        } else {
          return Target.refused(UNATTRIBUTED, "server '" + server + "' sent " + method + " while "
              + (calling.isEmpty() ? serving.size() + " sessions share its backend and none has a call in flight"
                  : calling.size() + " sessions have calls in flight on its backend")
              + ": with backendSharing \"single\" the gateway cannot tell which session it is for, and does not guess");
        }
    }
    String capability = CapabilityKey.neededBy(method);
    if (capability != null && !session.declares(capability)) {
      return Target.refused(NOT_DECLARED, "the client did not declare the '" + capability + "' capability, so it cannot answer "
          + method);
    }
    return Target.of(session);
  }

  /**
   * The session a notification that relates to a request (a log message) goes to: the holder of a
   * leased instance; on a shared one, the one session with calls in flight; else null (then it is
   * not related to any one request).
   */
  static SessionChannel notification(BackendSlot slot, BackendConnection connection) {
    if (slot.sharing() == BackendSlot.Sharing.LEASED) {
      return slot.holder();
    }
    Set<SessionChannel> calling = callingSessions(connection);
    return calling.size() == 1 ? calling.iterator().next() : null;
  }

  /**
   * The one call a server request of this instance can only have come from: the latest call of
   * the session holding a leased instance, else the only call in flight on it; null when that is
   * not one call.
   */
  static BackendCall soleCall(BackendSlot slot, BackendConnection connection) {
    SessionChannel holder = slot.sharing() == BackendSlot.Sharing.LEASED ? slot.holder() : null;
    BackendCall sole = null;
    for (BackendCall call : connection.callsInFlight()) {
      if (call.isDone() || call.session() == null || (holder != null && call.session() != holder)) {
        continue;
      }
      if (holder != null) {
        sole = sole == null || call.startedNanos() > sole.startedNanos() ? call : sole;
      } else if (sole != null) {
        return null;
      } else {
        sole = call;
      }
    }
    return sole;
  }

  private static Set<SessionChannel> callingSessions(BackendConnection connection) {
    Set<SessionChannel> sessions = new HashSet<>();
    for (BackendCall call : connection.callsInFlight()) {
      if (!call.isDone() && call.session() != null) {
        sessions.add(call.session());
      }
    }
    return sessions;
  }
}
