package dev.mcpgateway.stream;

import java.time.Duration;
import java.util.List;

/**
 * Keeps recent SSE events per session so that a client that lost its connection can resume a
 * stream with {@code Last-Event-ID} and receive what it missed.
 *
 * <p>Events are stored already encoded, with their stream and sequence number. A store is
 * bounded: it forgets old events by its own limits, so a replay may start later than asked.
 * Implementations are thread-safe and must not block for long: {@link #append} runs on the
 * path of every streamed message.
 *
 * <pre>{@code
 * EventStore store = EventStore.inMemory(1_000, 8 * 1024 * 1024, Duration.ofMinutes(5));
 * }</pre>
 */
public interface EventStore {

  /**
   * Records event {@code sequence} of stream {@code streamId} in session {@code sessionId}.
   *
   * @param sessionId the session's id
   * @param streamId the stream's id within the session
   * @param sequence the event's number in the stream, higher than the ones before
   * @param encodedEvent the SSE bytes of the event
   */
  void append(String sessionId, String streamId, long sequence, byte[] encodedEvent);

  /**
   * {@return the stored events of one stream with a sequence above {@code afterSequence}, oldest first}
   *
   * @param sessionId the session's id
   * @param streamId the stream's id within the session
   * @param afterSequence the sequence of the last event the client received
   */
  List<byte[]> replay(String sessionId, String streamId, long afterSequence);

  /**
   * Forgets everything of a session; called when the session ends.
   *
   * @param sessionId the session's id
   */
  void removeSession(String sessionId);

  /**
   * The default in-memory store.
   *
   * @param maxEventsPerSession events kept per session, newest win
   * @param maxBytesPerSession bytes kept per session, newest win
   * @param maxAge events older than this are forgotten
   * @return the store
   */
  static EventStore inMemory(int maxEventsPerSession, long maxBytesPerSession, Duration maxAge) {
    return new InMemoryEventStore(maxEventsPerSession, maxBytesPerSession, maxAge, System::nanoTime);
  }

  /**
   * A store that keeps nothing: streams cannot be resumed.
   *
   * @return the store
   */
  static EventStore none() {
    return NoEventStore.INSTANCE;
  }
}
