package dev.mcpgateway.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The container's stdin as docker-java reads it: a blocking stream fed message by message.
 *
 * <p>Not a pipe: {@link java.io.PipedInputStream} breaks when a writing thread ends, and the
 * gateway writes from whichever thread handles a request. Any thread may {@link #offer} and
 * {@link #close()}; docker-java's copy thread reads. At most {@code capacity} messages wait.
 */
final class StdinStream extends InputStream {
  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> queue;
  private byte[] current = new byte[0];
  private int position;
  private volatile boolean closed;

  StdinStream(int capacity) {
    this.queue = new LinkedBlockingQueue<>(capacity);
  }

  /** Queues one chunk; false when the stream is closed or stays full for {@code timeoutMillis}. */
  boolean offer(byte[] chunk, long timeoutMillis) throws InterruptedIOException {
    if (closed) {
      return false;
    }
    try {
      return queue.offer(chunk, timeoutMillis, TimeUnit.MILLISECONDS) && !closed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing to the container");
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (position == current.length) {
      if (current == END) {
        return -1;
      }
      try {
        current = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for input");
      }
      position = 0;
    }
    int count = Math.min(length, current.length - position);
    System.arraycopy(current, position, into, offset, count);
    position += count;
    return count;
  }

  /** Ends the stream: what is still queued is dropped and the reader gets end of file. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      queue.clear();
      while (!queue.offer(END)) {
        queue.poll();
      }
    }
  }
}
