package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** Lines split from bytes however they are cut; long data lines go to a sink, short events as they were. */
class SseBodySubscriberTest {
  private final List<String> events = new ArrayList<>();
  private final List<String> streamed = new ArrayList<>();
  private final List<String> aborted = new ArrayList<>();
  private int streamedEvents;

  private SseBodySubscriber subscriber(int streamOver, int maxEventBytes) {
    SseEventSubscriber parser = new SseEventSubscriber("test", maxEventBytes, new SseEventSubscriber.Handler() {
      @Override
      public void onEvent(SseEventSubscriber.Event event) {
        events.add(event.data());
      }

      @Override
      public void onEnd(Throwable failure) {}

      @Override
      public void onStreamedEvent() {
        streamedEvents++;
      }
    });
    SseBodySubscriber body = new SseBodySubscriber(parser, streamOver, maxEventBytes, () -> new MessageSink() {
      private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

      @Override
      public void write(byte[] b, int offset, int count) {
        bytes.write(b, offset, count);
      }

      @Override
      public void end() {
        streamed.add(bytes.toString(StandardCharsets.UTF_8));
      }

      @Override
      public void abort(String reason) {
        aborted.add(reason);
      }
    });
    body.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {}

      @Override
      public void cancel() {}
    });
    return body;
  }

  private static void feed(SseBodySubscriber body, String text, int step) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at < bytes.length; at += step) {
      body.onNext(List.of(ByteBuffer.wrap(bytes, at, Math.min(step, bytes.length - at)).slice()));
    }
    body.onComplete();
  }

  @Test
  void shortEventsAreParsedAsBeforeWithAnyLineEndingAndAnyCut() {
    for (int step = 1; step < 9; step++) {
      events.clear();
      feed(subscriber(1000, 10_000), ": keep-alive\r\nevent: message\ndata: {\"a\":1}\r\rid: 7\ndata: one\ndata:two\n\n", step);
      assertThat(events).containsExactly("{\"a\":1}", "one\ntwo");
    }
  }

  @Test
  void aLongDataLineGoesToASinkWithTheDataBeforeAndAfterIt() {
    String big = "x".repeat(500);
    for (int step : new int[] {1, 7, 64, 4096}) {
      streamed.clear();
      events.clear();
      feed(subscriber(100, 10_000), "data: first\ndata: " + big + "\r\ndata: last\n\ndata: small\n\n", step);
      assertThat(streamed).containsExactly("first\n" + big + "\nlast");
      assertThat(events).containsExactly("small");
    }
    assertThat(streamedEvents).isEqualTo(4);
  }

  @Test
  void aStreamedEventOverTheLimitIsAbortedAndTheNextEventStillArrives() {
    feed(subscriber(100, 1000), "data: " + "y".repeat(5000) + "\n\ndata: next\n\n", 512);
    assertThat(streamed).isEmpty();
    assertThat(aborted).hasSize(1);
    assertThat(events).containsExactly("next");
  }
}
