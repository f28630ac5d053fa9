package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Something waiting for a backend's response to a request the gateway sent. */
public interface PendingCall {

  /**
   * The connection gave the request the backend-side id {@code id} and is about to write it;
   * the request's {@code id} field holds it already.
   */
  default void sending(BackendConnection connection, long id) {}

  /**
   * The request as bytes with backend-side id {@code id}, when the caller has them without
   * writing the tree again; null (the default) to have the request's tree written. Asked right
   * after {@link #sending}.
   */
  default byte[] requestBytes(long id) {
    return null;
  }

  /** The backend answered (result or error); {@code message} is the backend's response object. */
  void onResponse(ObjectNode message);

  /** No answer will come: the backend stopped, the call timed out or could not be sent. */
  void onFailure(int code, String message);

  /** No answer will come because the server's remote cannot be reached; by default a failure like any other. */
  default void onUnavailable(BackendUnavailableException e) {
    onFailure(e.jsonRpcCode(), e.getMessage());
  }
}
