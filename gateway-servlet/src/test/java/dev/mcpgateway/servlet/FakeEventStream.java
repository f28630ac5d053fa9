package dev.mcpgateway.servlet;

import dev.mcpgateway.EventStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link EventStream} the test drives: it emits events by hand and counts cancellations. */
final class FakeEventStream implements EventStream {
  private final CompletableFuture<EventSink> sink = new CompletableFuture<>();
  private final AtomicInteger cancels = new AtomicInteger();

  @Override
  public void open(EventSink sink) {
    if (!this.sink.complete(sink)) {
      throw new IllegalStateException("stream opened twice");
    }
  }

  @Override
  public void cancel() {
    cancels.incrementAndGet();
  }

  /** Writes one event with the given data line, once the transport opened the stream. */
  void emit(String data) throws Exception {
    emit(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  void emit(byte[] encoded) throws Exception {
    openedSink().write(encoded);
  }

  /** Ends the stream normally. */
  void end() throws Exception {
    openedSink().close();
  }

  int cancelCount() {
    return cancels.get();
  }

  boolean isOpened() {
    return sink.isDone();
  }

  private EventSink openedSink() throws Exception {
    return sink.get(10, TimeUnit.SECONDS);
  }
}
