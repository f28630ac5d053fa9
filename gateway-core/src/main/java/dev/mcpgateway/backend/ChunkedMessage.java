package dev.mcpgateway.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * A large message held as the chunks it arrived in, so that it can be read, scanned or copied
 * without first being gathered into one array of its full size.
 *
 * <p>The bytes are the first {@link #length()} bytes of the chunks laid end to end. Instances
 * do not change after construction and may be read from any thread; each {@link #inputStream()}
 * is a fresh, independent stream. A message is handed over whole, so its receiver frees it by
 * dropping it.
 *
 * <pre>{@code
 * try (InputStream in = message.inputStream()) { ... }
 * message.writeTo(out, offset, length); // copies a byte range without an array of its size
 * }</pre>
 */
public final class ChunkedMessage {
  private final byte[][] chunks;
  private final int length;

  private ChunkedMessage(byte[][] chunks, int length) {
    this.chunks = chunks;
    this.length = length;
  }

  /**
   * A message of the first {@code length} bytes of {@code chunks} laid end to end; the arrays
   * are handed over and must not change afterwards.
   *
   * @param chunks the arrays, in order
   * @param length the message's size in bytes
   * @return the message
   * @throws IllegalArgumentException when the chunks hold fewer than {@code length} bytes
   */
  public static ChunkedMessage of(List<byte[]> chunks, int length) {
    byte[][] copy = chunks.toArray(new byte[0][]);
    long available = 0;
    for (byte[] chunk : copy) {
      available += Objects.requireNonNull(chunk, "chunk").length;
    }
    if (length < 0 || length > available) {
      throw new IllegalArgumentException("length " + length + " is outside the " + available + " bytes of the chunks");
    }
    return new ChunkedMessage(copy, length);
  }

  /** {@return the message's size in bytes} */
  public int length() {
    return length;
  }

  /** {@return a stream over the whole message} */
  public InputStream inputStream() {
    return inputStream(0, length);
  }

  /**
   * A stream over {@code length} bytes from {@code offset}.
   *
   * @param offset where the stream starts, in bytes from the message's start
   * @param length how many bytes the stream holds
   * @return the stream
   */
  public InputStream inputStream(int offset, int length) {
    checkRange(offset, length);
    return new RangeStream(offset, offset + length);
  }

  /**
   * Writes {@code length} bytes from {@code offset} to {@code out}, a chunk at a time.
   *
   * @param out where to write
   * @param offset where to start, in bytes from the message's start
   * @param length how many bytes to write
   * @throws IOException when writing to {@code out} fails
   */
  public void writeTo(OutputStream out, int offset, int length) throws IOException {
    checkRange(offset, length);
    int at = offset;
    int end = offset + length;
    int chunk = 0;
    int chunkStart = 0;
    while (at < end) {
      while (chunkStart + chunks[chunk].length <= at) {
        chunkStart += chunks[chunk].length;
        chunk++;
      }
      int n = Math.min(end - at, chunkStart + chunks[chunk].length - at);
      out.write(chunks[chunk], at - chunkStart, n);
      at += n;
    }
  }

  /**
   * A copy of {@code length} bytes from {@code offset}.
   *
   * @param offset where to start, in bytes from the message's start
   * @param length how many bytes to copy
   * @return the copy
   */
  public byte[] toArray(int offset, int length) {
    checkRange(offset, length);
    byte[] bytes = new byte[length];
    new RangeStream(offset, offset + length).read(bytes, 0, length);
    return bytes;
  }

  /** {@return a copy of the whole message in one array} */
  public byte[] toArray() {
    return toArray(0, length);
  }

  private void checkRange(int offset, int length) {
    if (offset < 0 || length < 0 || offset > this.length - length) {
      throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of a message of " + this.length + " bytes");
    }
  }

  @Override
  public String toString() {
    return "ChunkedMessage[" + length + " bytes in " + chunks.length + " chunks]";
  }

  /** Reads a range of the chunks; the position is kept as a chunk index and an index within it. */
  private final class RangeStream extends InputStream {
    private int chunk;
    private int inChunk;
    private int remaining;

    RangeStream(int offset, int end) {
      remaining = end - offset;
      int at = offset;
      while (chunk < chunks.length && at >= chunks[chunk].length) {
        at -= chunks[chunk].length;
        chunk++;
      }
      inChunk = at;
    }

    @Override
    public int read() {
      if (remaining == 0) {
        return -1;
      }
      advance();
      remaining--;
      return chunks[chunk][inChunk++] & 0xFF;
    }

    @Override
    public int read(byte[] into, int offset, int count) {
      Objects.checkFromIndexSize(offset, count, into.length);
      if (count == 0) {
        return 0;
      }
      if (remaining == 0) {
        return -1;
      }
      int done = 0;
      while (done < count && remaining > 0) {
        advance();
        int n = Math.min(Math.min(count - done, remaining), chunks[chunk].length - inChunk);
        System.arraycopy(chunks[chunk], inChunk, into, offset + done, n);
        inChunk += n;
        done += n;
        remaining -= n;
      }
      return done;
    }

    @Override
    public long skip(long n) {
      long skipped = 0;
      while (skipped < n && remaining > 0) {
        advance();
        int step = (int) Math.min(Math.min(n - skipped, remaining), chunks[chunk].length - inChunk);
        inChunk += step;
        skipped += step;
        remaining -= step;
      }
      return skipped;
    }

    @Override
    public int available() {
      return remaining;
    }

    /** Moves past exhausted (and empty) chunks; only called while bytes remain. */
    private void advance() {
      while (inChunk == chunks[chunk].length) {
        chunk++;
        inChunk = 0;
      }
    }
  }
}
