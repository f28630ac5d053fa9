package dev.mcpgateway.internal.session;

import dev.mcpgateway.EventStream;
import dev.mcpgateway.stream.EventStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logical SSE stream of one session: the events of one POST's answer, or of a {@code GET}.
 *
 * <p>Events carry ids {@code <stream>_<sequence>}, unique within the session, and are recorded
 * in the {@link EventStore}. An HTTP connection attaches through {@link #connect(long)}; when it
 * drops, the stream lives on (events are still recorded) until it ends, so that a client can
 * resume it with {@code Last-Event-ID}. Before the first connection attaches, events wait in a
 * local queue. Thread-safe: everything is serialized on the stream.
 */
public final class SseStream {
  private static final Logger LOG = LoggerFactory.getLogger(SseStream.class);
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

  private final String sessionId;
  private final String streamId;
  private final EventStore store;
  private final StreamRegistry registry;
  private final Runnable onEnd;
  private Queue<byte[]> pending = new ArrayDeque<>();
  private Connection attached;
  private long sequence;
  private boolean closed;
  private volatile Runnable onDisconnect;

  /**
   * @param priming whether the stream starts with an event that has an id and no data (2025-11-25)
   * @param onEnd run once when the stream ends
   */
  public SseStream(String sessionId, String streamId, EventStore store, StreamRegistry registry, boolean priming, Runnable onEnd) {
    this.sessionId = sessionId;
    this.streamId = streamId;
    this.store = store;
    this.registry = registry;
    this.onEnd = onEnd;
    if (priming) {
      record(0, (("id: " + streamId + "_0\ndata: \n\n").getBytes(StandardCharsets.US_ASCII)));
    }
  }

  public String streamId() {
    return streamId;
  }

  /** A connection for a transport; {@code afterSequence} &lt; 0 for a fresh stream, else resume after it. */
  public EventStream connect(long afterSequence) {
    return new Connection(afterSequence);
  }

  /** Sends one JSON-RPC message as an event; {@code false} when the stream has ended. */
  public boolean send(byte[] json) {
    synchronized (this) {
      if (closed) {
        return false;
      }
      long seq = ++sequence;
      record(seq, encode(streamId + "_" + seq, json));
      return true;
    }
  }

  /** Writes a keep-alive comment now (not an event: not recorded, never replayed). */
  public void comment() {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (attached != null) {
        attached.write(KEEP_ALIVE);
      } else if (pending != null) {
        pending.add(KEEP_ALIVE);
      }
    }
  }

  private void record(long seq, byte[] event) {
    store.append(sessionId, streamId, seq, event);
    if (attached != null) {
      attached.write(event);
    } else if (pending != null) {
      pending.add(event);
    }
  }

  /**
   * Runs {@code listener} when the client goes away while the stream has not ended: with the
   * stateless revision, closing a request's stream cancels the request.
   */
  public void onDisconnect(Runnable listener) {
    this.onDisconnect = listener;
  }

  /** Whether a connection is attached right now. */
  public synchronized boolean isAttached() {
    return attached != null && !closed;
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  /** Ends the stream after what was sent. */
  public void close() {
    Connection connection;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      connection = attached;
      attached = null;
    }
    if (connection != null) {
      connection.end();
    }
    onEnd.run();
  }

  /** One HTTP response showing this stream. */
  public final class Connection implements EventStream {
    private final long afterSequence;
    private EventSink sink;
    private boolean gone;
    private volatile long lastWriteNanos = registry.nanoTime();

    private Connection(long afterSequence) {
      this.afterSequence = afterSequence;
    }

    @Override
    public void open(EventSink sink) {
      Connection previous;
      boolean endNow;
      synchronized (SseStream.this) {
        if (this.sink != null) {
          throw new IllegalStateException("stream opened twice");
        }
        this.sink = sink;
        if (gone) {
          return;
        }
        previous = attached;
        if (afterSequence < 0 && pending != null) {
          for (byte[] event : pending) {
            write(event);
          }
        } else {
          List<byte[]> missed = store.replay(sessionId, streamId, afterSequence);
          for (byte[] event : missed) {
            write(event);
          }
        }
        pending = null;
        endNow = closed;
        if (!endNow && !gone) { // a sink that failed during the replay is not attached
          attached = this;
          registry.add(this);
        }
      }
      if (previous != null && previous != this) {
        previous.end(); // a stream is shown on one connection at a time
      }
      if (endNow) {
        end();
      }
    }

    private void write(byte[] event) {
      if (gone || sink == null) {
        return;
      }
      lastWriteNanos = registry.nanoTime();
      try {
        sink.write(event);
      } catch (RuntimeException e) {
        LOG.debug("SSE sink of stream {} failed; detaching it", streamId, e);
        detach();
      }
    }

    /** Writes a keep-alive comment when nothing was written for {@code idleNanos}. */
    public void keepAlive(long now, long idleNanos) {
      synchronized (SseStream.this) {
        if (attached == this && now - lastWriteNanos >= idleNanos) {
          write(KEEP_ALIVE);
        }
      }
    }

    private void end() {
      EventSink toClose;
      synchronized (SseStream.this) {
        if (gone) {
          return;
        }
        gone = true;
        toClose = sink;
        if (attached == this) {
          attached = null;
        }
      }
      registry.remove(this);
      if (toClose != null) {
        toClose.close();
      }
    }

    private void detach() {
      gone = true;
      if (attached == this) {
        attached = null;
      }
      registry.remove(this);
    }

    @Override
    public void cancel() {
      Runnable listener;
      synchronized (SseStream.this) {
        if (gone) {
          return;
        }
        detach();
        listener = closed ? null : onDisconnect;
      }
      if (listener != null) {
        listener.run();
      }
    }
  }

  /**
   * The sequence number in the id of an encoded event ({@code id: <stream>_<sequence>}, as
   * {@link #encode} writes it); -1 for a comment or an event without such an id.
   */
  public static long sequenceOf(byte[] event) {
    if (event.length < 4 || event[0] != 'i' || event[1] != 'd' || event[2] != ':' || event[3] != ' ') {
      return -1;
    }
    int end = 4;
    while (end < event.length && event[end] != '\n') {
      end++;
    }
    int separator = end - 1;
    while (separator >= 4 && event[separator] != '_') {
      separator--;
    }
    if (separator < 4 || separator == end - 1) {
      return -1;
    }
    long sequence = 0;
    for (int i = separator + 1; i < end; i++) {
      int digit = event[i] - '0';
      if (digit < 0 || digit > 9 || sequence > (Long.MAX_VALUE - digit) / 10) {
        return -1;
      }
      sequence = sequence * 10 + digit;
    }
    return sequence;
  }

  /** Encodes one SSE event; JSON has no raw newlines, so one {@code data:} line suffices. */
  public static byte[] encode(String id, byte[] json) {
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
