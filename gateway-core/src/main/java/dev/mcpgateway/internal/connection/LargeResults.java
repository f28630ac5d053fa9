package dev.mcpgateway.internal.connection;

import dev.mcpgateway.backend.ChunkedMessage;
import dev.mcpgateway.backend.MessageSink;

/**
 * Where a backend's large tool results go instead of the client's answer: to the payload
 * store, the client getting a reference. Implemented by the payload side, so that connections
 * need not know it.
 */
public interface LargeResults {

  /** Messages past this many bytes may be results to take away. */
  long threshold();

  /** Whether a message of {@code messageBytes} is large enough to take away. */
  boolean mayOffload(int messageBytes);

  /** Takes {@code message} away when it answers a tool call of {@code connection}; false to handle it as usual. */
  boolean tryOffload(BackendConnection connection, byte[] message);

  /** As {@link #tryOffload(BackendConnection, byte[])}, reading the message from its chunks. */
  boolean tryOffload(BackendConnection connection, ChunkedMessage message);

  /** A sink that takes a large message in as it arrives, spooling it; see {@link dev.mcpgateway.backend.BackendListener#openMessage()}. */
  MessageSink spool(BackendConnection connection, String server);
}
