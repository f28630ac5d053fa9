package dev.mcpgateway.stream;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The default {@link EventStore}: per session a queue bounded in count, bytes and age.
 * Thread-safe; each session's queue has its own lock.
 */
public final class InMemoryEventStore implements EventStore {
  private record Event(String streamId, long sequence, byte[] bytes, long atNanos) {}

  private static final class SessionEvents {
    final Deque<Event> events = new ArrayDeque<>();
    long bytes;
  }

  private final int maxEvents;
  private final long maxBytes;
  private final long maxAgeNanos;
  private final LongSupplier ticker;
  private final ConcurrentHashMap<String, SessionEvents> sessions = new ConcurrentHashMap<>();

  /**
   * Creates a store.
   *
   * @param ticker nanosecond time source, as {@link System#nanoTime()}; tests pass their own
   * @param maxEventsPerSession events kept per session, newest win
   * @param maxBytesPerSession bytes kept per session, newest win
   * @param maxAge events older than this are forgotten
   */
  public InMemoryEventStore(int maxEventsPerSession, long maxBytesPerSession, Duration maxAge, LongSupplier ticker) {
    if (maxEventsPerSession < 1 || maxBytesPerSession < 1) {
      throw new IllegalArgumentException("limits must be positive: " + maxEventsPerSession + " events, " + maxBytesPerSession + " bytes");
    }
    this.maxEvents = maxEventsPerSession;
    this.maxBytes = maxBytesPerSession;
    this.maxAgeNanos = maxAge.toNanos();
    this.ticker = ticker;
  }

  @Override
  public void append(String sessionId, String streamId, long sequence, byte[] encodedEvent) {
    if (encodedEvent.length > maxBytes) {
      return;
    }
    SessionEvents session = sessions.computeIfAbsent(sessionId, id -> new SessionEvents());
    long now = ticker.getAsLong();
    synchronized (session) {
      session.events.addLast(new Event(streamId, sequence, encodedEvent, now));
      session.bytes += encodedEvent.length;
      trim(session, now);
    }
  }

  private void trim(SessionEvents session, long now) {
    while (!session.events.isEmpty()) {
      Event oldest = session.events.peekFirst();
      boolean tooMany = session.events.size() > maxEvents || session.bytes > maxBytes;
      boolean tooOld = now - oldest.atNanos() > maxAgeNanos;
      if (!tooMany && !tooOld) {
        return;
      }
      session.events.removeFirst();
      session.bytes -= oldest.bytes().length;
    }
  }

  @Override
  public List<byte[]> replay(String sessionId, String streamId, long afterSequence) {
    SessionEvents session = sessions.get(sessionId);
    if (session == null) {
      return List.of();
    }
    List<byte[]> replay = new ArrayList<>();
    synchronized (session) {
      trim(session, ticker.getAsLong());
      for (Event event : session.events) {
        if (event.streamId().equals(streamId) && event.sequence() > afterSequence) {
          replay.add(event.bytes());
        }
      }
    }
    return replay;
  }

  @Override
  public void removeSession(String sessionId) {
    sessions.remove(sessionId);
  }

  /** {@return how many sessions have stored events, for tests and metrics} */
  public int sessionCount() {
    return sessions.size();
  }
}
