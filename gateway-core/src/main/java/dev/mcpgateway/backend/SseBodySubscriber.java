package dev.mcpgateway.backend;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * Splits a server-sent event stream into lines from its bytes and hands them to an
 * {@link SseEventSubscriber}; a {@code data} line that grows past the streaming size is not
 * gathered: its bytes go to the event's {@link MessageSink} as they arrive (see
 * {@link SseEventSubscriber#largeData()}). Other lines longer than the event limit are cut there.
 * Lines end with {@code \n}, {@code \r\n} or {@code \r}.
 */
final class SseBodySubscriber implements BodySubscriber<Void> {
  private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};

  private final SseEventSubscriber events;
  private final long streamOver;
  private final int maxLineBytes;
  private final Supplier<MessageSink> sinks;
  private final CompletableFuture<Void> body = new CompletableFuture<>();
  private final Line line = new Line();
  private boolean afterCr;
  /** The sink the current line's bytes go to, while a long data line streams; null otherwise. */
  private MessageSink streaming;
  /** The current line is longer than the limit and not streamed: its rest is skipped. */
  private boolean skipping;

  SseBodySubscriber(SseEventSubscriber events, long streamOver, int maxLineBytes, Supplier<MessageSink> sinks) {
    this.events = events;
    this.streamOver = streamOver;
    this.maxLineBytes = maxLineBytes;
    this.sinks = sinks;
  }

  /** The bytes of the line being read, readable in place. */
  private static final class Line extends ByteArrayOutputStream {
    boolean startsWith(byte[] prefix) {
      if (count < prefix.length) {
        return false;
      }
      for (int i = 0; i < prefix.length; i++) {
        if (buf[i] != prefix[i]) {
          return false;
        }
      }
      return true;
    }

    byte at(int index) {
      return buf[index];
    }
  }

  @Override
  public CompletionStage<Void> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    events.onSubscribe(subscription);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer buffer : buffers) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      feed(bytes);
    }
  }

  private void feed(byte[] bytes) {
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '\n' && afterCr) {
        afterCr = false;
        start = i + 1;
        continue;
      }
      afterCr = false;
      if (b == '\n' || b == '\r') {
        append(bytes, start, i - start);
        endLine();
        afterCr = b == '\r';
        start = i + 1;
      }
    }
    append(bytes, start, bytes.length - start);
  }

  private void append(byte[] bytes, int offset, int count) {
    if (count == 0 || skipping) {
      return;
    }
    if (streaming != null) {
      streaming.write(bytes, offset, count);
      return;
    }
    line.write(bytes, offset, count);
    if (line.size() > streamOver && line.startsWith(DATA)) {
      streaming = events.largeData(sinks);
      if (streaming == null) {
        skipping = true;
        line.reset();
        return;
      }
      int from = DATA.length + (line.at(DATA.length) == ' ' ? 1 : 0);
      byte[] held = line.toByteArray();
      line.reset();
      streaming.write(held, from, held.length - from);
    } else if (line.size() > maxLineBytes) {
      skipping = true; // a line no event could take: its rest is not kept either
      line.reset();
    }
  }

  private void endLine() {
    if (streaming != null) {
      streaming = null; // the event goes on: it ends at its blank line
      line.reset();
      return;
    }
    if (skipping) {
      skipping = false;
      events.oversizedLine();
      return;
    }
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    events.onNext(text);
  }

  @Override
  public void onError(Throwable failure) {
    events.onError(failure);
    body.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    if (line.size() > 0 && streaming == null) {
      endLine();
    }
    streaming = null;
    events.onComplete();
    body.complete(null);
  }
}
