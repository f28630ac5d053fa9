package dev.mcpgateway.internal.connection;

import dev.mcpgateway.policy.Redaction;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.Function;

/**
 * Writes JSON through to another stream with every string (keys and values) redacted as it
 * passes, in bounded memory: the bytes of a large offloaded result are never gathered. Outside
 * strings the bytes pass unchanged; a string is decoded (escapes, UTF-8), streamed through a
 * {@link Redaction.TextStream} (so a secret split between two writes is still found) and
 * written back with the minimal JSON escaping. Malformed UTF-8 becomes U+FFFD. Not
 * thread-safe; {@link #finish()} ends the output (it does not close the target).
 */
public final class RedactingJsonOutput extends OutputStream {
  private final OutputStream out;
  private final Function<Appendable, Redaction.TextStream> streams;
  private final Encoder encoder = new Encoder();
  /** Decoded characters of the current string, handed to its stream once per write. */
  private final StringBuilder chars = new StringBuilder();
  private Redaction.TextStream text;
  private boolean escape;
  /** Hex digits of a {@code \\u} escape still to read, or -1. */
  private int hexLeft = -1;
  private int hexValue;
  /** Continuation bytes of a UTF-8 sequence still to read, and the code point so far. */
  private int utf8Left;
  private int utf8Code;

  /** {@code streams} opens the redaction of one string, writing to the given target. */
  public RedactingJsonOutput(OutputStream out, Function<Appendable, Redaction.TextStream> streams) {
    this.out = out;
    this.streams = streams;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  /** Bytes decoded at a time: what the redaction of a string holds at once stays small however large the write. */
  private static final int SLICE = 16 * 1024;

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    for (int at = offset, end = offset + length; at < end; at += SLICE) {
      writeSlice(bytes, at, Math.min(end, at + SLICE));
    }
  }

  private void writeSlice(byte[] bytes, int offset, int end) throws IOException {
    int i = offset;
    try {
      while (i < end) {
        if (text == null) {
          int start = i;
          while (i < end && bytes[i] != '"') {
            i++;
          }
          out.write(bytes, start, i - start);
          if (i < end) {
            out.write('"');
            text = streams.apply(encoder);
            i++;
          }
          continue;
        }
        i = inString(bytes, i, end);
      }
      handOn();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Reads string bytes from {@code i}; returns where it stopped (after the closing quote, or at {@code end}). */
  private int inString(byte[] bytes, int i, int end) throws IOException {
    while (i < end) {
      int b = bytes[i++] & 0xFF;
      if (hexLeft >= 0) {
        hexValue = hexValue * 16 + Character.digit(b, 16);
        if (--hexLeft == 0) {
          chars.append((char) hexValue);
          hexLeft = -1;
        }
      } else if (escape) {
        escape = false;
        switch (b) {
          case 'b':
            chars.append('\b');
            break;
          case 'f':
            chars.append('\f');
            break;
          case 'n':
            chars.append('\n');
            break;
          case 'r':
            chars.append('\r');
            break;
          case 't':
            chars.append('\t');
            break;
          case 'u':
            hexLeft = 4;
            hexValue = 0;
            break;
          default:
            chars.append((char) b); // \" \\ \/
        }
      } else if (utf8Left > 0) {
        if ((b & 0xC0) != 0x80) {
          chars.append('\uFFFD');
          utf8Left = 0;
          i--; // read this byte afresh
          continue;
        }
        utf8Code = (utf8Code << 6) | (b & 0x3F);
        if (--utf8Left == 0) {
          chars.appendCodePoint(Character.isValidCodePoint(utf8Code) ? utf8Code : 0xFFFD);
        }
      } else if (b == '\\') {
        escape = true;
      } else if (b == '"') {
        handOn();
        text.finish();
        text = null;
        encoder.flush();
        out.write('"');
        return i;
      } else if (b < 0x80) {
        chars.append((char) b);
      } else if (b >= 0xC2 && b < 0xE0) {
        utf8Left = 1;
        utf8Code = b & 0x1F;
      } else if (b >= 0xE0 && b < 0xF0) {
        utf8Left = 2;
        utf8Code = b & 0x0F;
      } else if (b >= 0xF0 && b < 0xF5) {
        utf8Left = 3;
        utf8Code = b & 0x07;
      } else {
        chars.append('\uFFFD');
      }
    }
    return i;
  }

  /** Hands the decoded characters to the string's redaction. */
  private void handOn() {
    if (text != null && chars.length() > 0) {
      text.append(chars);
      chars.setLength(0);
    }
  }

  /** Ends the output: a string still open (the JSON was cut) is finished and closed. */
  public void finish() throws IOException {
    try {
      if (text != null) {
        handOn();
        text.finish();
        text = null;
        encoder.flush();
        out.write('"');
      }
      encoder.flush();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Writes redacted characters as the content of a JSON string, in UTF-8 with minimal escaping. */
  private final class Encoder implements Appendable {
    private final byte[] buffer = new byte[8192];
    private int used;
    private char highSurrogate;

    @Override
    public Appendable append(CharSequence text) {
      return append(text, 0, text.length());
    }

    @Override
    public Appendable append(CharSequence text, int start, int end) {
      for (int i = start; i < end; i++) {
        append(text.charAt(i));
      }
      return this;
    }

    @Override
    public Appendable append(char c) {
      if (used > buffer.length - 12) {
        drain();
      }
      if (highSurrogate != 0) {
        char high = highSurrogate;
        highSurrogate = 0;
        if (Character.isLowSurrogate(c)) {
          utf8(Character.toCodePoint(high, c));
          return this;
        }
        escaped(high);
      }
      if (c == '"' || c == '\\') {
        buffer[used++] = '\\';
        buffer[used++] = (byte) c;
      } else if (c < 0x20) {
        switch (c) {
          case '\n':
            two('n');
            break;
          case '\r':
            two('r');
            break;
          case '\t':
            two('t');
            break;
          case '\b':
            two('b');
            break;
          case '\f':
            two('f');
            break;
          default:
            escaped(c);
        }
      } else if (Character.isHighSurrogate(c)) {
        highSurrogate = c;
      } else if (Character.isLowSurrogate(c)) {
        escaped(c); // a lone half stays as it came
      } else {
        utf8(c);
      }
      return this;
    }

    private void two(char c) {
      buffer[used++] = '\\';
      buffer[used++] = (byte) c;
    }

    private void escaped(char c) {
      String hex = String.format("\\u%04x", (int) c);
      for (int i = 0; i < hex.length(); i++) {
        buffer[used++] = (byte) hex.charAt(i);
      }
    }

    private void utf8(int cp) {
      if (cp < 0x80) {
        buffer[used++] = (byte) cp;
      } else if (cp < 0x800) {
        buffer[used++] = (byte) (0xC0 | (cp >> 6));
        buffer[used++] = (byte) (0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        buffer[used++] = (byte) (0xE0 | (cp >> 12));
        buffer[used++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        buffer[used++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        buffer[used++] = (byte) (0xF0 | (cp >> 18));
        buffer[used++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        buffer[used++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        buffer[used++] = (byte) (0x80 | (cp & 0x3F));
      }
    }

    /** Writes what is buffered, a dangling high surrogate included (its string ended). */
    public void flush() {
      if (highSurrogate != 0) {
        char high = highSurrogate;
        highSurrogate = 0;
        if (used > buffer.length - 12) {
          drain();
        }
        escaped(high);
      }
      drain();
    }

    private void drain() {
      try {
        out.write(buffer, 0, used);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      used = 0;
    }
  }
}
