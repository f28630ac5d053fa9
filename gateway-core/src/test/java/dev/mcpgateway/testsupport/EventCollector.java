package dev.mcpgateway.testsupport;

import dev.mcpgateway.EventStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A sink that keeps the raw SSE text of a stream and hands out its events as they arrive. */
public final class EventCollector implements EventStream.EventSink {
  /** One SSE event or comment: its id (null for none), data (null for none) and comment (null for none). */
  public record Event(String id, String data, String comment) {}

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile boolean closed;

  public static EventCollector open(EventStream stream) {
    EventCollector collector = new EventCollector();
    stream.open(collector);
    return collector;
  }

  @Override
  public synchronized void write(byte[] sseBytes) {
    partial.append(new String(sseBytes, StandardCharsets.UTF_8));
    int end;
    while ((end = partial.indexOf("\n\n")) >= 0) {
      String block = partial.substring(0, end);
      partial.delete(0, end + 2);
      String id = null;
      String data = null;
      String comment = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data = data == null ? line.substring(6) : data + "\n" + line.substring(6);
        } else if (line.startsWith("data:")) {
          data = "";
        } else if (line.startsWith(":")) {
          comment = line.substring(1).trim();
        }
      }
      events.add(new Event(id, data, comment));
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  public boolean isClosed() {
    return closed;
  }

  /** The next event, waiting up to {@code timeout}. */
  public Event next(Duration timeout) {
    try {
      Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (event == null) {
        throw new AssertionError("no event within " + timeout);
      }
      return event;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The next event that carries data, skipping comments and priming events. */
  public Event nextData(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Event event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (event.data() != null && !event.data().isEmpty()) {
        return event;
      }
    }
  }

  /** Events that arrived so far, without waiting. */
  public List<Event> drain() {
    List<Event> list = new ArrayList<>();
    events.drainTo(list);
    return list;
  }
}
