package dev.mcpgateway.internal;

import dev.mcpgateway.EventStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventStream} the gateway writes JSON-RPC messages to, as SSE events with ids
 * {@code <stream>_<sequence>}, unique within the session.
 *
 * <p>Events written before the transport opens the stream are queued. Thread-safe: writes are
 * serialized on the stream.
 */
final class SseStream implements EventStream {
  private static final Logger LOG = LoggerFactory.getLogger(SseStream.class);
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

  private final String streamId;
  private final Runnable onEnd;
  private Queue<byte[]> pending = new ArrayDeque<>();
  private EventSink sink;
  private long sequence;
  private boolean closed;
  private boolean cancelled;

  /**
   * @param streamId identifies the stream within its session, in event ids
   * @param onEnd run once when the stream closes or is cancelled
   */
  SseStream(String streamId, Runnable onEnd) {
    this.streamId = streamId;
    this.onEnd = onEnd;
  }

  @Override
  public void open(EventSink sink) {
    Queue<byte[]> queued;
    boolean closeNow;
    synchronized (this) {
      if (this.sink != null) {
        throw new IllegalStateException("stream opened twice");
      }
      if (cancelled) {
        return;
      }
      this.sink = sink;
      queued = pending;
      pending = null;
      closeNow = closed;
      for (byte[] chunk : queued) {
        sink.write(chunk);
      }
      if (closeNow) {
        sink.close();
      }
    }
  }

  /** Writes one JSON-RPC message as an event; returns {@code false} when the stream is gone. */
  boolean send(byte[] json) {
    synchronized (this) {
      if (closed || cancelled) {
        return false;
      }
      sequence++;
      byte[] event = encode(streamId + "_" + sequence, json);
      deliver(event);
      return true;
    }
  }

  /** Writes an event with an id and no data (priming), or a comment (keep-alive) when {@code id} is null. */
  boolean sendRaw(byte[] encoded) {
    synchronized (this) {
      if (closed || cancelled) {
        return false;
      }
      deliver(encoded);
      return true;
    }
  }

  private void deliver(byte[] event) {
    if (sink != null) {
      try {
        sink.write(event);
      } catch (RuntimeException e) {
        LOG.debug("SSE sink failed; cancelling stream {}", streamId, e);
        cancel();
      }
    } else {
      pending.add(event);
    }
  }

  /** Ends the stream after what was sent. */
  void close() {
    boolean end;
    synchronized (this) {
      if (closed || cancelled) {
        return;
      }
      closed = true;
      end = true;
      if (sink != null) {
        sink.close();
      }
    }
    if (end) {
      onEnd.run();
    }
  }

  @Override
  public void cancel() {
    synchronized (this) {
      if (cancelled || closed) {
        cancelled = true;
        return;
      }
      cancelled = true;
      pending = null;
    }
    onEnd.run();
  }

  boolean isOpen() {
    synchronized (this) {
      return !closed && !cancelled;
    }
  }

  String streamId() {
    return streamId;
  }

  /** Encodes one SSE event; JSON has no raw newlines, so one {@code data:} line suffices. */
  static byte[] encode(String id, byte[] json) {
    byte[] idLine = ("id: " + id + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] event = new byte[idLine.length + DATA.length + json.length + 2];
    int at = 0;
    System.arraycopy(idLine, 0, event, at, idLine.length);
    at += idLine.length;
    System.arraycopy(DATA, 0, event, at, DATA.length);
    at += DATA.length;
    System.arraycopy(json, 0, event, at, json.length);
    at += json.length;
    event[at++] = '\n';
    event[at] = '\n';
    return event;
  }
}
