package dev.mcpgateway.internal.jsonrpc;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A message object of a client's body, as {@link ClientBody} read it, that also knows the bytes
 * it was read from. A request that reaches a backend unchanged but for its id can then be written
 * as those bytes with the backend-side id spliced in ({@link #withId}), instead of writing the
 * tree again: the backend gets exactly what the client sent, for less work.
 *
 * <p>The bytes are usable only when they say nothing the tree does not: no name appears twice
 * in any object of the message (a tree keeps the last, a backend might take the first, and the
 * policies saw the tree), no raw line break separates its tokens (a stdio backend reads one
 * line per message), and the id is an integer or a string. Whoever changes the tree after the
 * read must not call {@link #withId}: it does not see the change.
 */
public final class ClientMessage extends ObjectNode {
  private static final long serialVersionUID = 1L;

  private transient byte[] source;
  private transient int start;
  private transient int end;
  private transient int idStart = -1;
  private transient int idEnd = -1;

  ClientMessage() {
    super(JsonNodeFactory.instance);
  }

  /** Records where the message and its id lie in {@code body}; called once the message is read whole. */
  void source(byte[] body, int start, int end, int idStart, int idEnd, boolean exact) {
    if (!exact || start < 0 || end > body.length || idStart <= start || idEnd <= idStart || idEnd >= end) {
      return;
    }
    for (int i = start; i < end; i++) {
      if (body[i] == '\n' || body[i] == '\r') {
        return;
      }
    }
    this.source = body;
    this.start = start;
    this.end = end;
    this.idStart = idStart;
    this.idEnd = idEnd;
  }

  /**
   * The message as the client wrote it with {@code id} in place of its id, as one JSON text;
   * null when its bytes cannot stand for it (see the class comment).
   */
  public byte[] withId(long id) {
    byte[] body = source;
    if (body == null) {
      return null;
    }
    String digits = Long.toString(id);
    int head = idStart - start;
    int tail = end - idEnd;
    byte[] out = new byte[head + digits.length() + tail];
    System.arraycopy(body, start, out, 0, head);
    for (int i = 0; i < digits.length(); i++) {
      out[head + i] = (byte) digits.charAt(i);
    }
    System.arraycopy(body, idEnd, out, head + digits.length(), tail);
    return out;
  }
}
