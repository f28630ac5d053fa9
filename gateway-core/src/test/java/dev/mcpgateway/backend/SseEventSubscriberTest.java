package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** Server-sent events as the HTTP backend reads them, line by line. */
class SseEventSubscriberTest {
  private final List<SseEventSubscriber.Event> events = new ArrayList<>();
  private final List<String> ends = new ArrayList<>();
  private final SseEventSubscriber subscriber = new SseEventSubscriber("test", 64, new SseEventSubscriber.Handler() {
    @Override
    public void onEvent(SseEventSubscriber.Event event) {
      events.add(event);
    }

    @Override
    public void onEnd(Throwable failure) {
      ends.add(failure == null ? "complete" : failure.getMessage());
    }
  });

  private void feed(String... lines) {
    subscriber.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {}

      @Override
      public void cancel() {}
    });
    for (String line : lines) {
      subscriber.onNext(line);
    }
  }

  @Test
  void joinsDataLinesSkipsCommentsAndKeepsTheLastEventId() {
    feed(": keep-alive", "", "id: 7", "data: {\"a\":", "data: 1}", "", "event: endpoint", "data:/message?s=1", "");
    assertThat(events).containsExactly(
        new SseEventSubscriber.Event("message", "7", "{\"a\":\n1}"),
        new SseEventSubscriber.Event("endpoint", "7", "/message?s=1"));
    assertThat(subscriber.lastEventId()).isEqualTo("7");
  }

  @Test
  void dropsAnEventOverTheLimitAndGoesOn() {
    feed("data: " + "x".repeat(100), "", "data: small", "");
    assertThat(events).extracting(SseEventSubscriber.Event::data).containsExactly("small");
  }

  @Test
  void deliversALastEventWithoutItsBlankLineWhenTheStreamCompletes() {
    feed("data: last");
    subscriber.onComplete();
    assertThat(events).extracting(SseEventSubscriber.Event::data).containsExactly("last");
    assertThat(ends).containsExactly("complete");
  }

  @Test
  void saysNothingMoreOnceCancelled() {
    feed();
    subscriber.cancel();
    subscriber.onNext("data: late");
    subscriber.onNext("");
    subscriber.onComplete();
    assertThat(events).isEmpty();
    assertThat(ends).isEmpty();
  }
}
