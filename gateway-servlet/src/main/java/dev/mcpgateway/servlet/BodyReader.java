package dev.mcpgateway.servlet;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * Reads a request body without blocking, up to a limit: crossing it stops reading at once and
 * answers 413, so an oversized (for example chunked) body is never held in memory.
 *
 * <p>A body of announced length, its bytes already reserved by the exchange, is read straight
 * into an array of that length, which goes to the gateway as it is. A body of unknown length
 * reserves what arrives from the exchange's budget as it arrives. When the body does not come
 * in one piece, the exchange starts its deadline.
 *
 * <p>The container calls this from its threads, one callback at a time; {@link #abandon()}
 * comes from the deadline's thread, hence the lock (uncontended in practice).
 */
final class BodyReader implements ReadListener {
  /** Memory reserved up front for a body of unknown length. */
  private static final int INITIAL_CAPACITY = 256;
  /** Reserved from the budget at a time for a body of unknown length. */
  private static final long RESERVE_STEP = 16 * 1024;
  /** Where a read goes once an announced body is complete: only the end of the stream can come. */
  private static final byte[] PAST_THE_END = new byte[1];
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final ServletExchange exchange;
  private final ServletInputStream in;
  private final long limit;
  private final long expected;
  // Guarded by this.
  private byte[] exact;
  private ByteArrayOutputStream grown;
  private byte[] buffer;
  private long total;
  private long reserved;
  private boolean done;
  private boolean deadlineStarted;

  /**
   * @param expectedBytes the announced Content-Length, within {@code limit}, -1 when unknown
   * @param reservedBytes what the exchange reserved for the body already
   */
  BodyReader(ServletExchange exchange, ServletInputStream in, long limit, long expectedBytes, long reservedBytes) {
    this.exchange = exchange;
    this.in = in;
    this.limit = limit;
    this.expected = expectedBytes;
    this.reserved = reservedBytes;
    if (expectedBytes >= 0 && expectedBytes <= MAX_ARRAY) {
      this.exact = new byte[(int) expectedBytes];
    } else {
      this.grown = new ByteArrayOutputStream(INITIAL_CAPACITY);
      this.buffer = new byte[8192];
    }
  }

  @Override
  public void onDataAvailable() throws IOException {
    Runnable outcome;
    synchronized (this) {
      outcome = read();
    }
    if (outcome != null) {
      outcome.run();
    }
  }

  /** Reads what is ready; what to tell the exchange (outside the lock), or null. */
  private Runnable read() throws IOException {
    while (!done && in.isReady()) {
      int read;
      if (exact != null) {
        read = total < exact.length ? in.read(exact, (int) total, (int) (exact.length - total)) : in.read(PAST_THE_END);
      } else {
        read = in.read(buffer);
      }
      if (read < 0) {
        return null; // onAllDataRead follows
      }
      total += read;
      if (total > limit || exact != null && total > exact.length) {
        finish();
        return () -> exchange.bodyTooLarge(limit);
      }
      if (exact == null) {
        if (total > reserved) {
          long step = Math.max(total - reserved, Math.min(RESERVE_STEP, limit - reserved));
          if (!exchange.reserveBody(step)) {
            finish();
            return exchange::bodyOverBudget;
          }
          reserved += step;
        }
        grown.write(buffer, 0, read);
      }
    }
    if (!done && !deadlineStarted && (exact == null || total < exact.length)) {
      // The body did not come with the headers: from now on it runs against the clock.
      deadlineStarted = true;
      return exchange::startBodyDeadline;
    }
    return null;
  }

  @Override
  public void onAllDataRead() {
    byte[] body;
    synchronized (this) {
      if (done) {
        return;
      }
      if (exact != null && total < exact.length) {
        finish();
        body = null;
      } else {
        body = exact != null ? exact : grown.toByteArray();
        finish();
      }
    }
    if (body == null) {
      exchange.bodyFailed(new EOFException("the body ended after " + total + " of " + expected + " bytes"));
    } else {
      exchange.bodyRead(body);
    }
  }

  @Override
  public void onError(Throwable failure) {
    synchronized (this) {
      if (done) {
        return;
      }
      finish();
    }
    exchange.bodyFailed(failure);
  }

  /**
   * Stops reading and drops what was read, from the deadline's thread; false when the body was
   * already complete or had failed.
   */
  boolean abandon() {
    synchronized (this) {
      if (done) {
        return false;
      }
      finish();
      return true;
    }
  }

  /** Drops the buffers: whatever happens to the connection, the body's memory is free. */
  private void finish() {
    done = true;
    exact = null;
    grown = null;
    buffer = null;
  }
}
