package dev.mcpgateway.backend;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Reads a JSON response body as it arrives: a body up to the streaming size is gathered and
 * handed over whole (as {@code BodySubscribers.ofByteArray} would); one that grows past it goes
 * to a {@link MessageSink} from then on and is never held. A batch (a body starting with
 * {@code [}) is always gathered. A body over the limit is dropped as it streams past and
 * reported to {@code overLimit}.
 */
final class JsonBodySubscriber implements BodySubscriber<Void> {
  private final long streamOver;
  private final int maxBytes;
  private final Supplier<MessageSink> sinks;
  private final Consumer<byte[]> whole;
  private final Runnable overLimit;
  private final CompletableFuture<Void> body = new CompletableFuture<>();
  private final List<byte[]> gathered = new ArrayList<>();
  private long length;
  private boolean batch;
  private boolean first = true;
  private boolean dropped;
  private MessageSink sink;

  JsonBodySubscriber(long streamOver, int maxBytes, Supplier<MessageSink> sinks, Consumer<byte[]> whole, Runnable overLimit) {
    this.streamOver = streamOver;
    this.maxBytes = maxBytes;
    this.sinks = sinks;
    this.whole = whole;
    this.overLimit = overLimit;
  }

  @Override
  public CompletionStage<Void> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer buffer : buffers) {
      int count = buffer.remaining();
      if (count == 0 || dropped) {
        continue;
      }
      byte[] bytes = new byte[count];
      buffer.get(bytes);
      if (first) {
        for (byte b : bytes) {
          if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
            batch = b == '[';
            first = false;
            break;
          }
        }
      }
      length += count;
      if (length > maxBytes) {
        dropped = true;
        gathered.clear();
        if (sink != null) {
          sink.abort("over the limit of " + maxBytes + " bytes");
          sink = null;
        }
        overLimit.run();
        continue;
      }
      if (sink == null && !batch && length > streamOver) {
        sink = sinks.get();
        for (byte[] earlier : gathered) {
          sink.write(earlier, 0, earlier.length);
        }
        gathered.clear();
      }
      if (sink != null) {
        sink.write(bytes, 0, count);
      } else {
        gathered.add(bytes);
      }
    }
  }

  @Override
  public void onError(Throwable failure) {
    if (sink != null) {
      sink.abort("the response broke off: " + failure.getMessage());
      sink = null;
    }
    gathered.clear();
    body.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    try {
      if (sink != null) {
        sink.end();
      } else if (!dropped) {
        byte[] all = gathered.size() == 1 ? gathered.get(0) : new byte[(int) length];
        int at = 0;
        for (int i = 0; gathered.size() > 1 && i < gathered.size(); i++) {
          byte[] part = gathered.get(i);
          System.arraycopy(part, 0, all, at, part.length);
          at += part.length;
        }
        gathered.clear();
        whole.accept(all);
      }
    } finally {
      sink = null;
      body.complete(null);
    }
  }
}
