package dev.mcpgateway.backend;

import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a byte stream into newline-delimited messages, bounded in memory.
 *
 * <p>Launchers feed it whatever chunks their transport delivers (a process pipe, Docker attach
 * frames) and it hands each complete line, without its {@code \n} (and a {@code \r} before it),
 * to the consumer. A line longer than the limit is discarded as it streams past, with one log
 * line, and never held in memory whole. Blank lines are skipped. Not thread-safe: one decoder
 * per stream, fed from one thread.
 */
public final class JsonLineDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLineDecoder.class);

  private final String source;
  private final int maxLineBytes;
  private final Consumer<byte[]> consumer;
  private byte[] buffer = new byte[8192];
  private int length;
  private boolean discarding;
  private long discardedBytes;

  /**
   * Creates a decoder.
   *
   * @param source names the stream in log lines, such as {@code server 'github'}
   * @param maxLineBytes the longest line delivered
   * @param consumer receives each complete line; the array is handed over
   */
  public JsonLineDecoder(String source, int maxLineBytes, Consumer<byte[]> consumer) {
    this.source = source;
    this.maxLineBytes = maxLineBytes;
    this.consumer = consumer;
  }

  /** Feeds bytes; complete lines are delivered before this returns. */
  public void feed(byte[] bytes, int offset, int count) {
    int end = offset + count;
    int start = offset;
    for (int i = offset; i < end; i++) {
      if (bytes[i] == '\n') {
        append(bytes, start, i - start);
        endLine();
        start = i + 1;
      }
    }
    append(bytes, start, end - start);
  }

  /** The stream ended: a last line without a newline is delivered too. */
  public void finish() {
    if (length > 0 || discarding) {
      endLine();
    }
  }

  private void append(byte[] bytes, int offset, int count) {
    if (count == 0) {
      return;
    }
    if (discarding) {
      discardedBytes += count;
      return;
    }
    if (length + count > maxLineBytes + 1) { // +1: room for a '\r' before the newline
      discarding = true;
      discardedBytes = (long) length + count;
      length = 0;
      if (buffer.length > 65536) {
        buffer = new byte[8192];
      }
      return;
    }
    if (length + count > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.min(Math.max(buffer.length * 2, length + count), maxLineBytes + 1));
    }
    System.arraycopy(bytes, offset, buffer, length, count);
    length += count;
  }

  private void endLine() {
    if (discarding) {
      LOG.warn("Discarded a message of {} bytes from {}: over the limit of {} bytes", discardedBytes, source, maxLineBytes);
      discarding = false;
      discardedBytes = 0;
      return;
    }
    int end = length;
    if (end > 0 && buffer[end - 1] == '\r') {
      end--;
    }
    length = 0;
    if (end == 0 || isBlank(buffer, end)) {
      return;
    }
    if (end > maxLineBytes) {
      LOG.warn("Discarded a message of {} bytes from {}: over the limit of {} bytes", end, source, maxLineBytes);
      return;
    }
    consumer.accept(Arrays.copyOf(buffer, end));
    if (buffer.length > 1 << 20) {
      buffer = new byte[8192]; // do not keep a huge buffer after one large message
    }
  }

  private static boolean isBlank(byte[] bytes, int end) {
    for (int i = 0; i < end; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
