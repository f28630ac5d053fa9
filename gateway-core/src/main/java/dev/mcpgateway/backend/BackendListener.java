package dev.mcpgateway.backend;

/**
 * Receives what a {@link Backend} says. Implemented by the gateway; called by launchers.
 *
 * <p>Calls come from the backend's reader thread, one at a time, in the order the backend
 * wrote. Implementations must not block for long.
 */
public interface BackendListener {

  /** One complete JSON-RPC message (one line of stdout without its newline). The array is handed over. */
  void onMessage(byte[] message);

  /**
   * The channel has ended: the backend exited, was killed or was closed. Called exactly once.
   *
   * @param reason a short description for logs and client errors, such as {@code exited with status 1}
   */
  void onExit(String reason);

  /**
   * The backend's remote server cannot be reached right now (connection refused, connect
   * timeout, unknown host), as opposed to failing or refusing; called by launchers of remote
   * backends just before {@link #onExit(String)}. The gateway then answers the server's
   * requests with 503 {@code backend_unavailable} and tries again in the background. The
   * default does nothing.
   *
   * @param reason a short description for logs and clients, without secrets
   */
  default void onUnavailable(String reason) {}
}
