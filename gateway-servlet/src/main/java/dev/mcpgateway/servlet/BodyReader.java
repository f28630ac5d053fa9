package dev.mcpgateway.servlet;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Reads a request body without blocking, up to a limit: crossing it stops reading at once and
 * answers 413, so an oversized (for example chunked) body is never held in memory.
 *
 * <p>The container calls this from its threads, one callback at a time.
 */
final class BodyReader implements ReadListener {
  /** Memory reserved up front for a body whose length the client announced, at most. */
  private static final int MAX_INITIAL_CAPACITY = 64 * 1024;

  private final Exchange exchange;
  private final ServletInputStream in;
  private final long limit;
  private final ByteArrayOutputStream body;
  private final byte[] buffer;
  private long total;
  private boolean done;

  /** @param expectedBytes the announced Content-Length, or -1 when unknown */
  BodyReader(Exchange exchange, ServletInputStream in, long limit, long expectedBytes) {
    this.exchange = exchange;
    this.in = in;
    this.limit = limit;
    this.body = new ByteArrayOutputStream((int) Math.min(Math.max(expectedBytes, 256), MAX_INITIAL_CAPACITY));
    // A small announced body needs no 8 KiB buffer (one per request); +1 sees the end in one read.
    this.buffer = new byte[(int) (expectedBytes >= 0 ? Math.min(expectedBytes + 1, 8192) : 8192)];
  }

  @Override
  public void onDataAvailable() throws IOException {
    while (!done && in.isReady()) {
      int read = in.read(buffer);
      if (read < 0) {
        return; // onAllDataRead follows
      }
      total += read;
      if (total > limit) {
        done = true;
        exchange.bodyTooLarge(limit);
        return;
      }
      body.write(buffer, 0, read);
    }
  }

  @Override
  public void onAllDataRead() {
    if (!done) {
      done = true;
      exchange.bodyRead(body.toByteArray());
    }
  }

  @Override
  public void onError(Throwable failure) {
    if (!done) {
      done = true;
      exchange.bodyFailed(failure);
    }
  }
}
