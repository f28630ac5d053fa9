package dev.mcpgateway.backend;

/**
 * Receives one large message from a backend as it arrives, so that it is never gathered in
 * memory: opened by {@link BackendListener#openMessage()} once a message grows past
 * {@link BackendListener#streamMessagesOverBytes()}, then given the message's bytes from its
 * first, in order, and ended exactly once, by {@link #end()} or {@link #abort(String)}.
 *
 * <p>Calls come from the thread that reads the backend, one at a time. Implementations handle
 * their own failures (a full disk, say) and do not throw; what they cannot keep they report when
 * the message ends.
 */
public interface MessageSink {

  /**
   * The next {@code count} bytes of the message; the array is not kept after this returns.
   *
   * @param bytes holds the bytes
   * @param offset where they start in {@code bytes}
   * @param count how many there are
   */
  void write(byte[] bytes, int offset, int count);

  /** The message is complete: every byte was written. */
  void end();

  /**
   * The message will not be complete (it went over the size limit, or the backend ended in the
   * middle of it): what was kept of it is dropped.
   *
   * @param reason a short description for the log, such as {@code over the limit of 1048576 bytes}
   */
  void abort(String reason);
}
