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
}
