package dev.mcpgateway.backend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a byte stream into newline-delimited messages, bounded in memory.
 *
 * <p>Launchers feed it whatever chunks their transport delivers (a process pipe, Docker attach
 * frames) and it hands each complete line, without its {@code \n} (and a {@code \r} before it),
 * to the consumer. A line longer than the limit is discarded as it streams past, with one log
 * line, and never held in memory whole. Long lines are gathered in chunks of about 1 MiB rather
 * than a growing array. Given a second consumer, lines over 1 MiB reach it as a
 * {@link ChunkedMessage}, never gathered into one array, so they cost their size once;
 * otherwise they are gathered, and cost their size twice for a moment. Given a
 * {@link BackendListener} that streams large messages ({@link BackendListener#streamMessagesOverBytes()}),
 * a line that grows past that size goes to a {@link MessageSink} as it arrives and is never held
 * at all. Blank lines are skipped.
 * Not thread-safe: one decoder per stream, fed from one thread.
 */
public final class JsonLineDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLineDecoder.class);
  private static final int SMALL = 64 * 1024;
  /**
   * Just under 1 MiB, so that with its array header a chunk fills one 1 MiB G1 region exactly:
   * a chunk of a full MiB would be a humongous object spanning two regions, doubling the heap a
   * large line takes.
   */
  static final int CHUNK = 1024 * 1024 - 64;
  /** Lines longer than this go to the consumer of chunked lines, when there is one. */
  static final int LARGE = 1024 * 1024;

  private final String source;
  private final int maxLineBytes;
  private final Consumer<byte[]> consumer;
  private final Consumer<ChunkedMessage> chunkedConsumer;
  private final long streamOver;
  private final Supplier<MessageSink> sinks;
  /** The sink of the line being streamed, or null. */
  private MessageSink sink;
  private byte lastByte;
  private final byte[] small = new byte[SMALL];
  private int smallLength;
  private final List<byte[]> chunks = new ArrayList<>();
  private int lastChunkLength;
  private long length;
  private boolean discarding;

  /**
   * Creates a decoder.
   *
   * @param source names the stream in log lines, such as {@code server 'github'}
   * @param maxLineBytes the longest line delivered
   * @param consumer receives each complete line; the array is handed over
   */
  public JsonLineDecoder(String source, int maxLineBytes, Consumer<byte[]> consumer) {
    this(source, maxLineBytes, consumer, null);
  }

  /**
   * Creates a decoder that hands lines over 1 MiB to {@code chunkedConsumer} in the chunks they
   * were gathered in, and shorter ones to {@code consumer}.
   *
   * @param source names the stream in log lines, such as {@code server 'github'}
   * @param maxLineBytes the longest line delivered
   * @param consumer receives each complete line of at most 1 MiB; the array is handed over
   * @param chunkedConsumer receives each complete line over 1 MiB; the message is handed over
   */
  public JsonLineDecoder(String source, int maxLineBytes, Consumer<byte[]> consumer,
      Consumer<ChunkedMessage> chunkedConsumer) {
    this(source, maxLineBytes, consumer, chunkedConsumer, Long.MAX_VALUE, null);
  }

  /**
   * Creates a decoder that delivers to {@code listener}: lines of at most 1 MiB to
   * {@link BackendListener#onMessage}, longer ones to {@link BackendListener#onLargeMessage},
   * and lines that grow past {@link BackendListener#streamMessagesOverBytes()} to a
   * {@link BackendListener#openMessage() sink}, as they arrive.
   *
   * @param source names the stream in log lines, such as {@code server 'github'}
   * @param maxLineBytes the longest line delivered; a streamed line that grows past it is aborted
   * @param listener receives the lines
   */
  public JsonLineDecoder(String source, int maxLineBytes, BackendListener listener) {
    this(source, maxLineBytes, listener::onMessage, listener::onLargeMessage, listener.streamMessagesOverBytes(),
        listener::openMessage);
  }

  private JsonLineDecoder(String source, int maxLineBytes, Consumer<byte[]> consumer,
      Consumer<ChunkedMessage> chunkedConsumer, long streamOver, Supplier<MessageSink> sinks) {
    this.source = source;
    this.maxLineBytes = maxLineBytes;
    this.consumer = consumer;
    this.chunkedConsumer = chunkedConsumer;
    this.streamOver = sinks == null ? Long.MAX_VALUE : streamOver;
    this.sinks = sinks;
  }

  /**
   * Feeds bytes; complete lines are delivered before this returns.
   *
   * @param bytes holds the bytes; not kept after this returns
   * @param offset where the bytes start in {@code bytes}
   * @param count how many bytes to take
   */
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
    length += count;
    if (discarding) {
      return;
    }
    if (length > maxLineBytes + 1L) { // +1: room for a '\r' before the newline
      discarding = true;
      chunks.clear();
      smallLength = 0;
      if (sink != null) {
        MessageSink aborted = sink;
        sink = null;
        aborted.abort("over the limit of " + maxLineBytes + " bytes");
      }
      return;
    }
    if (sink != null || length > streamOver) {
      if (sink == null) {
        openSink();
      }
      lastByte = bytes[offset + count - 1];
      sink.write(bytes, offset, count);
      return;
    }
    while (count > 0) {
      if (chunks.isEmpty() && smallLength + count <= SMALL) {
        System.arraycopy(bytes, offset, small, smallLength, count);
        smallLength += count;
        return;
      }
      if (chunks.isEmpty()) {
        byte[] first = new byte[CHUNK];
        System.arraycopy(small, 0, first, 0, smallLength);
        chunks.add(first);
        lastChunkLength = smallLength;
        smallLength = 0;
      }
      byte[] last = chunks.get(chunks.size() - 1);
      if (lastChunkLength == CHUNK) {
        last = new byte[CHUNK];
        chunks.add(last);
        lastChunkLength = 0;
      }
      int n = Math.min(count, CHUNK - lastChunkLength);
      System.arraycopy(bytes, offset, last, lastChunkLength, n);
      lastChunkLength += n;
      offset += n;
      count -= n;
    }
  }

  /** The line has grown past the streaming size: what was gathered of it goes to a new sink, and the rest will follow. */
  private void openSink() {
    sink = sinks.get();
    if (chunks.isEmpty()) {
      sink.write(small, 0, smallLength);
    } else {
      for (int i = 0; i < chunks.size(); i++) {
        sink.write(chunks.get(i), 0, i == chunks.size() - 1 ? lastChunkLength : CHUNK);
      }
    }
    clear();
  }

  private void endLine() {
    long total = length;
    length = 0;
    if (discarding) {
      discarding = false;
      LOG.warn("Discarded a message of {} bytes from {}: over the limit of {} bytes", total, source, maxLineBytes);
      return;
    }
    if (sink != null) {
      MessageSink ended = sink;
      sink = null;
      long end = lastByte == '\r' ? total - 1 : total;
      if (end > maxLineBytes) {
        ended.abort("over the limit of " + maxLineBytes + " bytes");
        LOG.warn("Discarded a message of {} bytes from {}: over the limit of {} bytes", end, source, maxLineBytes);
        return;
      }
      ended.end();
      return;
    }
    int end = (int) total;
    if (end > 0 && byteAt(end - 1) == '\r') {
      end--;
    }
    if (end == 0 || isBlank(end)) {
      clear();
      return;
    }
    if (end > maxLineBytes) {
      clear();
      LOG.warn("Discarded a message of {} bytes from {}: over the limit of {} bytes", end, source, maxLineBytes);
      return;
    }
    if (chunkedConsumer != null && end > LARGE) {
      ChunkedMessage message = ChunkedMessage.of(chunks, end);
      clear(); // the message holds the only references now: dropping it frees them
      chunkedConsumer.accept(message);
      return;
    }
    consumer.accept(assemble(end));
  }

  private byte byteAt(int index) {
    return chunks.isEmpty() ? small[index] : chunks.get(index / CHUNK)[index % CHUNK];
  }

  /**
   * Drops the line being gathered, so that its memory is free at once: for a reader that failed
   * (the heap ran out while a long line arrived) and decodes no more.
   */
  public void abandon() {
    clear();
    if (sink != null) {
      MessageSink aborted = sink;
      sink = null;
      try {
        aborted.abort("its reader failed");
      } catch (RuntimeException | Error e) {
        // the reader is failing already; what matters is that the line is let go
      }
    }
  }

  private void clear() {
    chunks.clear();
    lastChunkLength = 0;
    smallLength = 0;
  }

  /** The first {@code end} bytes of the line in one array; the chunks are released. */
  private byte[] assemble(int end) {
    if (chunks.isEmpty()) {
      byte[] line = Arrays.copyOf(small, end);
      smallLength = 0;
      return line;
    }
    byte[] line = new byte[end];
    int at = 0;
    for (int i = 0; i < chunks.size() && at < end; i++) {
      int n = Math.min(CHUNK, end - at);
      System.arraycopy(chunks.get(i), 0, line, at, n);
      chunks.set(i, null); // free as we go, so chunks and line overlap only partly
      at += n;
    }
    clear();
    return line;
  }

  private boolean isBlank(int end) {
    for (int i = 0; i < end; i++) {
      byte b = byteAt(i);
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
