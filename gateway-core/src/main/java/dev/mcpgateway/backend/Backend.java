package dev.mcpgateway.backend;

import java.io.IOException;

/**
 * A running backend MCP server as a JSON-RPC message channel.
 *
 * <p>Messages from the backend reach the {@link BackendListener} given at launch, in order, on
 * the backend's own reader thread. {@link #send(byte[])} is thread-safe. {@link #close()} is
 * idempotent: it ends the backend (gracefully, then by force after a grace period) and
 * returns when it is gone; afterwards the listener has been told {@link BackendListener#onExit(String)}.
 */
public interface Backend extends AutoCloseable {

  /**
   * Writes one JSON-RPC message (a complete JSON text without a trailing newline).
   *
   * @param message the message's UTF-8 bytes
   * @throws IOException when the backend is gone or its input is closed
   */
  void send(byte[] message) throws IOException;

  /**
   * Whether the backend is still running.
   *
   * @return {@code true} while it runs
   */
  boolean isAlive();

  /** {@return a short description for logs, such as {@code pid 4711} or {@code container 3f2a9c}; never secrets} */
  String describe();

  /** Ends the backend and releases everything it holds; idempotent, may block up to its grace periods. */
  @Override
  void close();
}
