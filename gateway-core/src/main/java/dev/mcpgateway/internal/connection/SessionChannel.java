package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Where a backend's messages for one session go, and what the session tracks of its calls:
 * implemented by the session side, so that backend connections need not know it.
 */
public interface SessionChannel {

  /**
   * A request a backend sent to this session's client: the id the client sees, where the answer
   * goes, the backend's own id, and the client call whose stream carried it (null when it went to
   * the session's {@code GET} stream), and its span (ended with the client's answer).
   */
  record ServerRequest(long clientId, BackendConnection connection, JsonNode backendId, BackendCall call,
      dev.mcpgateway.trace.TraceSpan span) {}

  /** When the session was created. */
  Instant createdAt();

  /** Whether the client declared {@code capability} (such as {@code sampling}) in its {@code initialize}. */
  boolean declares(String capability);

  /**
   * The client's {@code initialize} params as recorded (capabilities, client info) at
   * {@code protocolVersion}: what a backend of this session is started with; a new tree each call.
   */
  ObjectNode initializeParams(String protocolVersion);

  /**
   * Records a call of this session's client, by the client's id as JSON text; false, recording
   * nothing, when a call with that id is in flight already (ids are unique per session).
   */
  boolean track(String clientIdJson, BackendCall call);

  /** Forgets a call that has its answer. */
  void untrack(String clientIdJson, BackendCall call);

  /**
   * Registers a backend's request to this client and returns the id the client sees.
   *
   * @param call the client call whose stream carries the request; null for the {@code GET} stream
   * @param span the request's span, {@link dev.mcpgateway.trace.TraceSpan#NONE} when untraced
   */
  long registerServerRequest(BackendConnection connection, JsonNode backendId, BackendCall call,
      java.util.function.LongFunction<dev.mcpgateway.trace.TraceSpan> span);

  /** Takes the server request the client answers with {@code id}; null when unknown. */
  ServerRequest takeServerRequest(JsonNode id);

  /**
   * Takes the server request that {@code connection} sent with its id {@code backendId}, which
   * the backend cancelled; null when this session has no such request waiting.
   */
  ServerRequest withdrawServerRequest(BackendConnection connection, JsonNode backendId);

  /** Drops pending server requests of a connection that ended. */
  void forgetServerRequests(BackendConnection connection);

  /** Sends a message on the session's {@code GET} stream; {@code false} when none is open. */
  boolean sendStandalone(byte[] json);

  /** Whether a client connection is attached to the {@code GET} stream right now. */
  boolean hasStandaloneStream();
}
