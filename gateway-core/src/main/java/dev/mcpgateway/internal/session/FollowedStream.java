package dev.mcpgateway.internal.session;

import dev.mcpgateway.EventStream;
import dev.mcpgateway.stream.EventStore;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream that another replica holds, resumed on this one with {@code Last-Event-ID}: first the
 * events the event store holds after the client's last one, then what the holder forwards over
 * the bus as it happens, until the holder says the stream ended.
 *
 * <p>Each event is written once and in sequence order, with the id the holder gave it: an event
 * at or below the last one written is dropped, and a gap (a bus message lost) is filled from the
 * event store. The stream never waits for nobody: when no replica answers within the reply wait
 * (the holder is gone, or closed), or the holder falls silent (no event, no keep-alive) for the
 * silence limit, it ends after what the store holds, and the client may resume it again.
 * Thread-safe: everything is serialized on the stream, and nothing is published while it is locked.
 */
final class FollowedStream implements EventStream {
  private static final Logger LOG = LoggerFactory.getLogger(FollowedStream.class);

  private final ClusterRelay relay;
  private final String followId;
  private final String sessionId;
  private final String streamId;
  private final long holder;
  private final EventStore store;
  private final StreamRegistry registry;
  private final long replyWaitNanos;
  private final long silenceNanos;
  private final LongConsumer watcher = this::check;
  private final long startedNanos;
  private EventSink sink;
  /** The sequence number of the last event written. */
  private long last;
  /** Whether the holder answered: from then on its silence counts, not the reply wait. */
  private boolean answered;
  private long heardNanos;
  private boolean ended;
  /** Whether the sink failed: the client is gone. */
  private boolean broken;

  /**
   * @param holder the node that gave the stream its id, which holds it while it is live
   * @param after the sequence number of the client's {@code Last-Event-ID}
   */
  FollowedStream(ClusterRelay relay, String followId, String sessionId, String streamId, long holder, long after,
      EventStore store, StreamRegistry registry, long replyWaitNanos, long silenceNanos) {
    this.relay = relay;
    this.followId = followId;
    this.sessionId = sessionId;
    this.streamId = streamId;
    this.holder = holder;
    this.last = after;
    this.store = store;
    this.registry = registry;
    this.replyWaitNanos = replyWaitNanos;
    this.silenceNanos = silenceNanos;
    this.startedNanos = registry.nanoTime();
  }

  String followId() {
    return followId;
  }

  String sessionId() {
    return sessionId;
  }

  String streamId() {
    return streamId;
  }

  long holder() {
    return holder;
  }

  /** Writes what the store holds, then asks the holder for the rest. */
  @Override
  public void open(EventSink sink) {
    long after;
    synchronized (this) {
      if (this.sink != null) {
        throw new IllegalStateException("stream opened twice");
      }
      this.sink = sink;
      if (ended) {
        return;
      }
      catchUp(Long.MAX_VALUE);
      after = last;
    }
    if (broken) {
      end(false, false);
      return;
    }
    relay.register(this);
    registry.watch(watcher);
    if (!relay.askToFollow(this, after)) {
      end(true, false);
    }
  }

  /** An event the holder forwarded. */
  void deliver(byte[] event) {
    boolean gone;
    synchronized (this) {
      if (ended || sink == null) {
        return;
      }
      heard();
      long sequence = SseStream.sequenceOf(event);
      if (sequence <= last) {
        return; // written already, from the store or an earlier message
      }
      if (sequence > last + 1) {
        catchUp(sequence); // messages of the bus were lost: the store may have what they carried
      }
      if (!broken && write(event)) {
        last = sequence;
      }
      gone = broken;
    }
    if (gone) {
      cancel();
    }
  }

  /** The holder is there and the stream is live, with nothing new: a keep-alive for the client. */
  void alive() {
    boolean gone;
    synchronized (this) {
      if (ended || sink == null) {
        return;
      }
      heard();
      write(SseStream.KEEP_ALIVE);
      gone = broken;
    }
    if (gone) {
      cancel();
    }
  }

  /** The holder ended the stream (or does not hold it live): end it here after what was stored. */
  void ended() {
    end(true, false);
  }

  /** Ends the stream after what the store holds: the session ended, or this node closes. */
  void stop() {
    end(true, false);
  }

  private void heard() {
    answered = true;
    heardNanos = registry.nanoTime();
  }

  private void check(long now) {
    boolean due;
    boolean wasAnswered;
    synchronized (this) {
      wasAnswered = answered;
      due = !ended && (answered ? now - heardNanos >= silenceNanos : now - startedNanos >= replyWaitNanos);
    }
    if (due) {
      LOG.debug("Stream {} of a session is not followed any more: its holder {}", streamId,
          wasAnswered ? "fell silent" : "did not answer");
      end(true, wasAnswered); // a holder that is only slow stops forwarding
    }
  }

  /** The client went away: the holder stops forwarding; nothing more is written. */
  @Override
  public void cancel() {
    end(false, true);
  }

  private void end(boolean catchUp, boolean unfollow) {
    EventSink toClose;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      if (catchUp && sink != null) {
        catchUp(Long.MAX_VALUE);
      }
      toClose = catchUp && !broken ? sink : null;
    }
    registry.unwatch(watcher);
    relay.unregister(this);
    if (unfollow) {
      relay.stopFollowing(this);
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  /** Writes the stored events after the last one written and before {@code before}, in order. */
  private void catchUp(long before) {
    for (byte[] event : store.replay(sessionId, streamId, last)) {
      long sequence = SseStream.sequenceOf(event);
      if (sequence > last && sequence < before) {
        if (!write(event)) {
          return;
        }
        last = sequence;
      }
    }
  }

  private boolean write(byte[] bytes) {
    if (broken) {
      return false;
    }
    try {
      sink.write(bytes);
      return true;
    } catch (RuntimeException e) {
      LOG.debug("SSE sink of followed stream {} failed", streamId, e);
      broken = true;
      return false;
    }
  }
}
