package dev.mcpgateway.servlet;

import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The response's write listener, set on the container thread before the answer exists, so that
 * the answer is written by the thread that has it.
 *
 * <p>A listener set later, from the thread that completes the gateway's answer (a backend's
 * reader, mostly), makes the container hand the first write to one of its own threads: a
 * wake-up and a thread switch on every request. Set early, the container's first
 * {@link #onWritePossible()} finds no answer and only records that the output is ready; by the
 * servlet contract the container calls again only after {@code isReady()} returned false, so
 * from then on the answering thread may write at once, without blocking, and lets the
 * container call back only when the client reads slower than the answer is written.
 *
 * <p>The writer of the answer ({@link BodyWriter} or {@link EventStreamWriter}) is given once,
 * with {@link #answer}; it then receives every callback, the first one either from the
 * container or from {@link #answer} itself, never both.
 */
final class AnswerSlot implements WriteListener {
  /** Neither the container's first callback nor the answer has come. */
  private static final int WAITING = 0;
  /** The container's first callback came first: the output is ready, nobody writes. */
  private static final int READY = 1;
  /** The answer came first: the container's first callback starts its writer. */
  private static final int ANSWERED = 2;
  /** The writer has started and takes every callback. */
  private static final int WRITING = 3;

  private final AtomicInteger state = new AtomicInteger(WAITING);
  private final ServletExchange exchange;
  private volatile WriteListener writer;

  AnswerSlot(ServletExchange exchange) {
    this.exchange = exchange;
  }

  /**
   * Hands the answer's writer over; it starts writing on this thread when the output is known
   * to be ready, else on the container's first callback. Called at most once.
   */
  void answer(WriteListener writer, boolean here, Executor container) {
    this.writer = writer;
    if (state.compareAndSet(WAITING, ANSWERED)) {
      return;
    }
    if (state.compareAndSet(READY, WRITING)) {
      if (here) {
        run(writer);
        return;
      }
      try {
        container.execute(() -> run(writer));
      } catch (RuntimeException e) {
        run(writer); // the exchange ended meanwhile: the writer finds the output closed and ends it
      }
    }
  }

  @Override
  public void onWritePossible() {
    if (state.get() == WRITING) {
      run(writer);
      return;
    }
    if (state.compareAndSet(WAITING, READY)) {
      return;
    }
    if (state.compareAndSet(ANSWERED, WRITING)) {
      run(writer);
    }
  }

  @Override
  public void onError(Throwable failure) {
    WriteListener current = writer;
    if (current != null) {
      current.onError(failure); // ends the exchange, and cancels a stream that will not be written
    } else {
      // The connection failed before there was an answer; the exchange's own checks cancel a
      // stream that comes after this.
      exchange.writeFailed(failure);
      exchange.complete();
    }
  }

  /** Runs one callback of the writer; a failure goes to its {@code onError}, as the container's would. */
  private static void run(WriteListener writer) {
    try {
      writer.onWritePossible();
    } catch (IOException | RuntimeException e) {
      writer.onError(e);
    }
  }
}
