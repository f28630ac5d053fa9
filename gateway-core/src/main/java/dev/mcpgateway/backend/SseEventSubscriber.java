package dev.mcpgateway.backend;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses a server-sent event stream, line by line as the HTTP client delivers it, into events
 * (type, id, data). Non-blocking; events are handed on as soon as their blank line arrives.
 * An event whose data grows over the limit is dropped with one log line. An event with a data
 * line past the streaming size goes to a {@link MessageSink} as it arrives instead of being
 * gathered ({@link #largeData}, driven by {@link SseBodySubscriber}). One instance per stream;
 * {@link #cancel()} ends the stream (the connection closes).
 */
final class SseEventSubscriber implements Flow.Subscriber<String> {
  private static final Logger LOG = LoggerFactory.getLogger(SseEventSubscriber.class);

  /** One event: {@code type} is {@code message} unless the stream named another. */
  record Event(String type, String id, String data) {}

  /** What a stream's reader hears. */
  interface Handler {
    /** One complete event. */
    void onEvent(Event event);

    /** The stream ended: {@code failure} is null when the server closed it normally. */
    void onEnd(Throwable failure);

    /** An event too large to gather went, as it arrived, to a sink and is complete. */
    default void onStreamedEvent() {}
  }

  private final String source;
  private final int maxEventBytes;
  private final Handler handler;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final StringBuilder data = new StringBuilder();
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;
  private String type;
  private String id;
  private boolean hasData;
  private boolean oversized;
  /** The sink of the event being streamed, or null; and the data bytes it took. */
  private MessageSink sink;
  private long streamed;

  SseEventSubscriber(String source, int maxEventBytes, Handler handler) {
    this.source = source;
    this.maxEventBytes = maxEventBytes;
    this.handler = handler;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (cancelled) {
      s.cancel();
    } else {
      s.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(String line) {
    if (cancelled) {
      return;
    }
    if (line.isEmpty()) {
      dispatch();
      return;
    }
    if (line.charAt(0) == ':') {
      return; // a comment, such as a keep-alive
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data":
        if (oversized) {
          return;
        }
        if (sink != null) {
          byte[] bytes = ("\n" + value).getBytes(StandardCharsets.UTF_8);
          streamTo(bytes, 0, bytes.length);
          return;
        }
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
        if (data.length() > maxEventBytes) {
          oversized = true;
          data.setLength(0);
        }
        break;
      case "event":
        type = value;
        break;
      case "id":
        if (value.indexOf('\0') < 0) {
          id = value;
        }
        break;
      default:
        break; // "retry" and unknown fields are ignored
    }
  }

  /**
   * The current event has a data line past the streaming size: its data from now on goes to a
   * sink from {@code sinks} (what was gathered of it first), bounded by the event limit. Returns
   * where the line's bytes go, or null when the event is over the limit already.
   */
  MessageSink largeData(Supplier<MessageSink> sinks) {
    if (oversized) {
      return null;
    }
    if (sink == null) {
      sink = sinks.get();
      streamed = 0;
      if (hasData) {
        byte[] earlier = (data + "\n").getBytes(StandardCharsets.UTF_8);
        data.setLength(0);
        streamTo(earlier, 0, earlier.length);
      }
    } else {
      streamTo(new byte[] {'\n'}, 0, 1);
    }
    hasData = true;
    return new MessageSink() {
      @Override
      public void write(byte[] bytes, int offset, int count) {
        streamTo(bytes, offset, count);
      }

      @Override
      public void end() {}

      @Override
      public void abort(String reason) {}
    };
  }

  private void streamTo(byte[] bytes, int offset, int count) {
    if (sink == null) {
      return;
    }
    streamed += count;
    if (streamed > maxEventBytes) {
      oversized = true;
      abortStream("over the limit of " + maxEventBytes + " bytes");
      return;
    }
    sink.write(bytes, offset, count);
  }

  private void abortStream(String reason) {
    MessageSink aborted = sink;
    sink = null;
    if (aborted != null) {
      aborted.abort(reason);
    }
  }

  /** A line longer than the event limit was skipped: its event is dropped. */
  void oversizedLine() {
    oversized = true;
    abortStream("over the limit of " + maxEventBytes + " bytes");
  }

  private void dispatch() {
    if (sink != null && !oversized) {
      MessageSink ended = sink;
      sink = null;
      ended.end();
      handler.onStreamedEvent();
    } else if (oversized) {
      LOG.warn("Discarded an event from {}: over the limit of {} bytes", source, maxEventBytes);
    } else if (hasData) {
      String text = data.toString();
      if (text.getBytes(StandardCharsets.UTF_8).length <= maxEventBytes) {
        handler.onEvent(new Event(type == null || type.isEmpty() ? "message" : type, id, text));
      } else {
        LOG.warn("Discarded an event from {}: over the limit of {} bytes", source, maxEventBytes);
      }
    }
    data.setLength(0);
    hasData = false;
    oversized = false;
    type = null;
    // The id is kept: it is the stream's last event id until another one comes.
  }

  /** The id of the latest event with one, for {@code Last-Event-ID}; null when none had one. */
  String lastEventId() {
    return id;
  }

  @Override
  public void onError(Throwable failure) {
    end(failure);
  }

  @Override
  public void onComplete() {
    if (hasData) {
      dispatch(); // a last event without its blank line
    }
    end(null);
  }

  private void end(Throwable failure) {
    abortStream("the stream ended in the middle of the event");
    if (ended.compareAndSet(false, true) && !cancelled) {
      handler.onEnd(failure);
    }
  }

  /** Closes the stream; the handler hears nothing more. Idempotent. */
  void cancel() {
    cancelled = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  boolean isCancelled() {
    return cancelled;
  }
}
