package dev.mcpgateway.servlet;

import dev.mcpgateway.EventStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an {@link EventStream} to a response without blocking: the sink queues what the
 * gateway emits and writes it whenever the container says the output is ready, flushing after
 * each chunk so that every event reaches the client at once.
 *
 * <p>The sink is called from gateway threads, the listener from container threads; the output
 * is touched only under this object's lock, and only with non-blocking calls, so no caller
 * waits for the client. Methods of the {@link EventStream} are never called under that lock:
 * the stream calls the sink under its own lock, so the other order could deadlock.
 *
 * <p>The stream is cancelled exactly once unless it closed normally: when the client goes
 * away, a write fails, or more than the queue bound waits for a slow client.
 */
final class EventStreamWriter implements WriteListener, EventStream.EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(EventStreamWriter.class);

  private enum Next { WAIT, COMPLETE, FAIL }

  private final ServletExchange exchange;
  private final ServletOutputStream out;
  private final EventStream stream;
  private final long maxQueuedBytes;
  private final String description;
  private final AtomicBoolean opened = new AtomicBoolean();
  private final AtomicBoolean cancelled = new AtomicBoolean();

  // Guarded by this.
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean flushNeeded = true; // the status and headers go out before the first event
  private boolean closeRequested;
  private boolean ended;
  private boolean endedNormally;
  private Throwable failure;

  EventStreamWriter(ServletExchange exchange, ServletOutputStream out, EventStream stream, long maxQueuedBytes,
      String description) {
    this.exchange = exchange;
    this.out = out;
    this.stream = stream;
    this.maxQueuedBytes = maxQueuedBytes;
    this.description = description;
  }

  @Override
  public void onWritePossible() {
    Next next;
    synchronized (this) {
      next = drain();
    }
    act(next);
    if (next == Next.WAIT && isLive() && opened.compareAndSet(false, true)) {
      try {
        stream.open(this);
      } catch (RuntimeException e) {
        LOG.warn("{}: event stream failed to open", description, e);
        abort();
      }
    }
  }

  @Override
  public void onError(Throwable failure) {
    LOG.debug("{}: event stream write failed; the client is probably gone", description, failure);
    exchange.writeFailed(failure);
    abort();
  }

  @Override
  public void write(byte[] sseBytes) {
    Next next;
    boolean overflow = false;
    synchronized (this) {
      if (ended) {
        return;
      }
      // A single event larger than the bound still goes out when nothing else waits.
      if (queuedBytes > 0 && queuedBytes + sseBytes.length > maxQueuedBytes) {
        overflow = true;
        next = Next.FAIL;
      } else {
        queue.add(sseBytes);
        queuedBytes += sseBytes.length;
        next = drain();
      }
    }
    if (overflow) {
      LOG.warn("{}: client reads its event stream too slowly ({} bytes waiting, limit {}); ending the stream",
          description, queuedBytes(), maxQueuedBytes);
    }
    act(next);
  }

  @Override
  public void close() {
    Next next;
    synchronized (this) {
      if (ended) {
        return;
      }
      closeRequested = true;
      next = drain();
    }
    act(next);
  }

  /** The exchange ended (completed, failed or timed out): drops the queue and cancels the stream unless it closed. */
  void release() {
    boolean normal;
    synchronized (this) {
      ended = true;
      normal = endedNormally;
      queue.clear();
      queuedBytes = 0;
    }
    if (!normal) {
      cancelOnce();
    }
  }

  /** Writes what the output accepts without blocking; the caller holds the lock and acts on the result outside it. */
  private Next drain() {
    if (ended) {
      return Next.WAIT;
    }
    try {
      while (out.isReady()) {
        if (flushNeeded) {
          flushNeeded = false;
          out.flush();
          continue;
        }
        byte[] chunk = queue.poll();
        if (chunk == null) {
          if (closeRequested) {
            ended = true;
            endedNormally = true;
            return Next.COMPLETE;
          }
          return Next.WAIT;
        }
        queuedBytes -= chunk.length;
        out.write(chunk);
        flushNeeded = true;
      }
      return Next.WAIT;
    } catch (IOException | RuntimeException e) {
      failure = e;
      return Next.FAIL;
    }
  }

  private void act(Next next) {
    if (next == Next.COMPLETE) {
      exchange.complete();
    } else if (next == Next.FAIL) {
      Throwable cause;
      synchronized (this) {
        cause = failure;
      }
      if (cause != null) {
        LOG.debug("{}: event stream write failed; the client is probably gone", description, cause);
        exchange.writeFailed(cause);
      }
      abort();
    }
  }

  private void abort() {
    release();
    exchange.complete();
  }

  private void cancelOnce() {
    if (cancelled.compareAndSet(false, true)) {
      ServletExchange.cancelQuietly(stream);
    }
  }

  private synchronized boolean isLive() {
    return !ended;
  }

  private synchronized long queuedBytes() {
    return queuedBytes;
  }
}
