package dev.mcpgateway.backend;

/**
 * Receives what a {@link Backend} says. Implemented by the gateway; called by launchers.
 *
 * <p>Calls come from the backend's reader thread, one at a time, in the order the backend
 * wrote. Implementations must not block for long.
 */
public interface BackendListener {

  /**
   * One complete JSON-RPC message (one line of stdout without its newline). The array is handed over.
   *
   * @param message the message's UTF-8 bytes
   */
  void onMessage(byte[] message);

  /**
   * One complete JSON-RPC message too large to gather into one array cheaply (over 1 MiB from
   * a stdio backend), in the chunks it arrived in. The message is handed over; dropping it frees
   * it. The default gathers it and calls {@link #onMessage(byte[])}, so a listener that can use
   * the chunks (to stream a large result to the payload store, say) overrides this.
   *
   * @param message the message's chunks
   */
  default void onLargeMessage(ChunkedMessage message) {
    onMessage(message.toArray());
  }

  /**
   * The size past which a message is handed over as it arrives, through {@link #openMessage()},
   * instead of being gathered first; read once, when a launcher sets up its reader. The default,
   * {@link Long#MAX_VALUE}, gathers every message (up to the launch request's message limit).
   *
   * @return the size in bytes
   */
  default long streamMessagesOverBytes() {
    return Long.MAX_VALUE;
  }

  /**
   * Opens the sink for one message that has grown past {@link #streamMessagesOverBytes()}; the
   * launcher writes the message's bytes to it from the first and ends it. Only called when that
   * size is overridden; the default refuses.
   *
   * @return the sink for the message's bytes
   */
  default MessageSink openMessage() {
    throw new UnsupportedOperationException("this listener gathers every message");
  }

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
