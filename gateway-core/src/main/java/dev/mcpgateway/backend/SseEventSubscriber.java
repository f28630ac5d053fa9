package dev.mcpgateway.backend;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses a server-sent event stream, line by line as the HTTP client delivers it, into events
 * (type, id, data). Non-blocking; events are handed on as soon as their blank line arrives.
 * An event whose data grows over the limit is dropped with one log line. One instance per
 * stream; {@link #cancel()} ends the stream (the connection closes).
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

  private void dispatch() {
    if (oversized) {
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
