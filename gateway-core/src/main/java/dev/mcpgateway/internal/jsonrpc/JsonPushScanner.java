package dev.mcpgateway.internal.jsonrpc;

import java.nio.charset.StandardCharsets;

/**
 * A JSON tokenizer that is pushed bytes as they arrive and tells its {@link Handler} about the
 * structure: containers, keys and the type of each scalar, with the byte position where each
 * value starts and ends. String values are stepped over, never held: memory stays the same
 * however long a string runs. Keys and scalars other than strings are kept up to
 * {@link #MAX_TOKEN_BYTES} (longer keys are cut), so that a handler can read names and ids.
 *
 * <p>It checks structure (brackets, commas, colons, quotes), not every detail of the grammar
 * (the characters of a number, say): the parser the message is handed to afterwards does.
 * A message it cannot follow makes it {@link #failed()} and it reads no further. Not
 * thread-safe: one scanner per message.
 */
public final class JsonPushScanner {
  /** The most bytes of a key or a literal kept for the handler. */
  public static final int MAX_TOKEN_BYTES = 1024;
  /** Nesting deeper than this is refused, as Jackson's default does. */
  public static final int MAX_DEPTH = 1000;

  /** The kinds of scalar values. */
  public enum Scalar { STRING, NUMBER, TRUE, FALSE, NULL }

  /** What the scanner found; positions count bytes from the message's first. */
  public interface Handler {
    /** A value starts at {@code position}: a container is given its contents next. */
    void startContainer(boolean object, long position);

    /** A container ends; its last byte is at {@code position - 1}. */
    void endContainer(boolean object, long position);

    /** A key of the object being read; the handler reads it with {@link #keyEquals} or {@link #key()}. */
    void key(JsonPushScanner scanner);

    /** A scalar ran from {@code start} to {@code end} (exclusive); {@link #literal()} holds a non-string one. */
    void scalar(Scalar type, long start, long end, JsonPushScanner scanner);
  }

  private static final int VALUE = 0;
  private static final int KEY_OR_END = 1;
  private static final int KEY = 2;
  private static final int COLON = 3;
  private static final int AFTER_VALUE = 4;
  private static final int IN_STRING = 5;
  private static final int IN_KEY = 6;
  private static final int IN_LITERAL = 7;
  private static final int VALUE_OR_END = 8;
  private static final int DONE = 9;
  private static final int FAILED = 10;

  private final Handler handler;
  /** Per open container: true for an object. */
  private final boolean[] objects = new boolean[MAX_DEPTH];
  private int depth;
  private int state = VALUE;
  private long position;
  private boolean escape;
  private long valueStart;
  private final byte[] token = new byte[MAX_TOKEN_BYTES];
  private int tokenLength;
  private boolean tokenEscaped;

  public JsonPushScanner(Handler handler) {
    this.handler = handler;
  }

  /** Whether the bytes so far are not JSON this scanner can follow. */
  public boolean failed() {
    return state == FAILED;
  }

  /** Whether one whole value was read (only whitespace may follow). */
  public boolean complete() {
    return state == DONE;
  }

  /** Bytes read so far. */
  public long position() {
    return position;
  }

  /** Depth of the containers open now: 1 inside the top-level object. */
  public int depth() {
    return depth;
  }

  /** The stream ended: a number at the very end is finished. */
  public void finish() {
    if (state == IN_LITERAL) {
      endLiteral();
    }
  }

  /** Reads the next bytes of the message. */
  public void feed(byte[] bytes, int offset, int count) {
    int end = offset + count;
    int i = offset;
    long base = position - offset; // position of bytes[0]
    while (i < end) {
      switch (state) {
        case IN_STRING: {
          // the common case in a large payload: step over plain string bytes
          while (i < end) {
            byte b = bytes[i];
            if (escape) {
              escape = false;
            } else if (b == '\\') {
              escape = true;
            } else if (b == '"') {
              break;
            }
            i++;
          }
          if (i < end) {
            i++;
            position = base + i;
            state = afterValue();
            handler.scalar(Scalar.STRING, valueStart, position, this);
          }
          continue;
        }
        case IN_KEY: {
          while (i < end) {
            byte b = bytes[i];
            if (escape) {
              escape = false;
            } else if (b == '\\') {
              escape = true;
              tokenEscaped = true;
            } else if (b == '"') {
              break;
            }
            if (tokenLength < token.length) {
              token[tokenLength++] = b;
            }
            i++;
          }
          if (i < end) {
            i++;
            position = base + i;
            state = COLON;
            handler.key(this);
          }
          continue;
        }
        case IN_LITERAL: {
          byte b = bytes[i];
          if (isLiteralByte(b)) {
            if (tokenLength < token.length) {
              token[tokenLength++] = b;
            }
            i++;
            continue;
          }
          position = base + i;
          endLiteral();
          continue; // the delimiter is read in the new state
        }
        case FAILED:
          position = base + end;
          return;
        default:
          break;
      }
      byte b = bytes[i];
      position = base + i;
      i++;
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        continue;
      }
      step(b);
    }
    position = base + end;
  }

  private void step(byte b) {
    switch (state) {
      case VALUE:
      case VALUE_OR_END:
        if (b == ']' && state == VALUE_OR_END) {
          close(false);
        } else {
          startValue(b);
        }
        return;
      case KEY_OR_END:
      case KEY:
        if (b == '"') {
          state = IN_KEY;
          tokenLength = 0;
          tokenEscaped = false;
          escape = false;
        } else if (b == '}' && state == KEY_OR_END) {
          close(true);
        } else {
          state = FAILED;
        }
        return;
      case COLON:
        state = b == ':' ? VALUE : FAILED;
        return;
      case AFTER_VALUE:
        if (depth == 0) {
          state = FAILED;
        } else if (b == ',') {
          state = objects[depth - 1] ? KEY : VALUE;
        } else if (b == (objects[depth - 1] ? '}' : ']')) {
          close(objects[depth - 1]);
        } else {
          state = FAILED;
        }
        return;
      case DONE:
      default:
        state = FAILED;
    }
  }

  private void startValue(byte b) {
    valueStart = position;
    if (b == '{' || b == '[') {
      if (depth == MAX_DEPTH) {
        state = FAILED;
        return;
      }
      boolean object = b == '{';
      objects[depth++] = object;
      state = object ? KEY_OR_END : VALUE_OR_END;
      handler.startContainer(object, position);
    } else if (b == '"') {
      state = IN_STRING;
      escape = false;
    } else if (isLiteralByte(b)) {
      state = IN_LITERAL;
      token[0] = b;
      tokenLength = 1;
    } else {
      state = FAILED;
    }
  }

  private void close(boolean object) {
    depth--;
    state = afterValue();
    handler.endContainer(object, position + 1);
  }

  private void endLiteral() {
    Scalar type;
    byte first = token[0];
    if (first == 't') {
      type = literalIs("true") ? Scalar.TRUE : null;
    } else if (first == 'f') {
      type = literalIs("false") ? Scalar.FALSE : null;
    } else if (first == 'n') {
      type = literalIs("null") ? Scalar.NULL : null;
    } else {
      type = first == '-' || (first >= '0' && first <= '9') ? Scalar.NUMBER : null;
    }
    if (type == null) {
      state = FAILED;
      return;
    }
    state = afterValue();
    handler.scalar(type, valueStart, position, this);
  }

  private int afterValue() {
    return depth == 0 ? DONE : AFTER_VALUE;
  }

  private boolean literalIs(String word) {
    if (tokenLength != word.length()) {
      return false;
    }
    for (int i = 0; i < tokenLength; i++) {
      if (token[i] != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLiteralByte(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || b == '-' || b == '+' || b == '.' || b == 'E';
  }

  /** Whether the key just read is {@code name} (plain ASCII, no escapes). */
  public boolean keyEquals(String name) {
    if (tokenEscaped || tokenLength != name.length()) {
      return false;
    }
    for (int i = 0; i < tokenLength; i++) {
      if (token[i] != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The key just read, decoded (cut after {@link #MAX_TOKEN_BYTES} bytes). */
  public String key() {
    if (!tokenEscaped) {
      return new String(token, 0, tokenLength, StandardCharsets.UTF_8);
    }
    byte[] decoded = new byte[tokenLength];
    int length = 0;
    StringBuilder text = new StringBuilder(tokenLength);
    for (int i = 0; i < tokenLength; i++) {
      byte b = token[i];
      if (b != '\\' || i + 1 >= tokenLength) {
        decoded[length++] = b;
        continue;
      }
      byte e = token[++i];
      char c;
      switch (e) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u':
          if (i + 4 < tokenLength) {
            int code = 0;
            for (int k = 1; k <= 4; k++) {
              code = code * 16 + Math.max(0, Character.digit(token[i + k], 16));
            }
            c = (char) code;
            i += 4;
          } else {
            c = '\uFFFD';
            i = tokenLength;
          }
          break;
        default: c = (char) e;
      }
      text.append(new String(decoded, 0, length, StandardCharsets.UTF_8)).append(c);
      length = 0;
    }
    return text.append(new String(decoded, 0, length, StandardCharsets.UTF_8)).toString();
  }

  /** The literal just read (a number, true, false or null), cut after {@link #MAX_TOKEN_BYTES} bytes. */
  public String literal() {
    return new String(token, 0, tokenLength, StandardCharsets.US_ASCII);
  }
}
