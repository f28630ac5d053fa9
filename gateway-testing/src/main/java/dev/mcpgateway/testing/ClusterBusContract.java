package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.cluster.ClusterBus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ClusterBus} keeps, as JUnit 5 tests: extend it and implement
 * {@link #newBus}.
 *
 * <p>Delivery may be asynchronous, so the tests wait for messages with a deadline, and show that
 * something did not arrive by publishing a marker after it: messages published one after another
 * by one caller arrive in that order. What they check: every subscriber of a topic receives each
 * message once, in order, as the same bytes (any byte values, also empty); other topics and closed
 * subscriptions receive nothing; a handler that throws stops neither its own later deliveries nor
 * other handlers; each handler gets its own copy; bad topics and use after close are refused.
 */
public abstract class ClusterBusContract {
  private static final long WAIT_SECONDS = 10;
  private final List<ClusterBus> buses = new ArrayList<>();

  /** For subclasses, one per bus implementation. */
  protected ClusterBusContract() {
  }

  /**
   * A new bus, connected and ready: a subscription made on it receives what is published on it afterwards.
   *
   * @return the bus under test
   */
  protected abstract ClusterBus newBus();

  private ClusterBus bus() {
    ClusterBus bus = newBus();
    buses.add(bus);
    return bus;
  }

  @AfterEach
  void closeBuses() {
    buses.forEach(ClusterBus::close);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String next(BlockingQueue<byte[]> queue) throws InterruptedException {
    byte[] message = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(message).as("a message within " + WAIT_SECONDS + " s").isNotNull();
    return new String(message, StandardCharsets.UTF_8);
  }

  @Test
  void deliversEveryMessageToEverySubscriberOfItsTopicInOrder() throws Exception {
    ClusterBus bus = bus();
    BlockingQueue<byte[]> first = new LinkedBlockingQueue<>();
    BlockingQueue<byte[]> second = new LinkedBlockingQueue<>();
    bus.subscribe("contract.orders", first::add);
    bus.subscribe("contract.orders", second::add);

    for (int i = 1; i <= 3; i++) {
      bus.publish("contract.orders", bytes("m" + i));
    }

    for (BlockingQueue<byte[]> queue : List.of(first, second)) {
      assertThat(List.of(next(queue), next(queue), next(queue))).containsExactly("m1", "m2", "m3");
    }
  }

  @Test
  void passesAnyBytesUnchangedAlsoAnEmptyMessage() throws Exception {
    ClusterBus bus = bus();
    BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    bus.subscribe("contract.bytes", received::add);
    byte[] every = new byte[256];
    for (int i = 0; i < every.length; i++) {
      every[i] = (byte) i;
    }

    bus.publish("contract.bytes", every);
    bus.publish("contract.bytes", new byte[0]);

    assertThat(received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(every);
    assertThat(received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void keepsTopicsApart() throws Exception {
    ClusterBus bus = bus();
    BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    bus.subscribe("contract.a", received::add);
    bus.subscribe("contract.b", received::add);

    bus.publish("contract.c", bytes("nobody listens"));
    bus.publish("contract.b", bytes("b"));

    assertThat(next(received)).isEqualTo("b");
    assertThat(received).isEmpty();
  }

  @Test
  void aClosedSubscriptionReceivesNothingMore() throws Exception {
    ClusterBus bus = bus();
    BlockingQueue<byte[]> closed = new LinkedBlockingQueue<>();
    BlockingQueue<byte[]> open = new LinkedBlockingQueue<>();
    ClusterBus.Subscription subscription = bus.subscribe("contract.closing", closed::add);
    bus.subscribe("contract.closing", open::add);
    bus.publish("contract.closing", bytes("before"));
    assertThat(next(closed)).isEqualTo("before");
    assertThat(next(open)).isEqualTo("before");

    subscription.close();
    subscription.close();
    bus.publish("contract.closing", bytes("after"));

    assertThat(next(open)).isEqualTo("after");
    assertThat(closed).isEmpty();
  }

  @Test
  void aHandlerThatThrowsStopsNoDelivery() throws Exception {
    ClusterBus bus = bus();
    BlockingQueue<byte[]> throwing = new LinkedBlockingQueue<>();
    BlockingQueue<byte[]> other = new LinkedBlockingQueue<>();
    bus.subscribe("contract.throwing", message -> {
      throwing.add(message);
      throw new IllegalStateException("a handler fails");
    });
    bus.subscribe("contract.throwing", other::add);

    bus.publish("contract.throwing", bytes("1"));
    bus.publish("contract.throwing", bytes("2"));

    assertThat(List.of(next(throwing), next(throwing))).containsExactly("1", "2");
    assertThat(List.of(next(other), next(other))).containsExactly("1", "2");
  }

  @Test
  void eachHandlerGetsItsOwnCopy() throws Exception {
    ClusterBus bus = bus();
    BlockingQueue<byte[]> second = new LinkedBlockingQueue<>();
    bus.subscribe("contract.copies", message -> message[0] = 'X');
    bus.subscribe("contract.copies", second::add);
    byte[] message = bytes("abc");

    bus.publish("contract.copies", message);

    assertThat(next(second)).isEqualTo("abc");
    assertThat(message).isEqualTo(bytes("abc"));
  }

  @Test
  void refusesBadTopicsAndUseAfterClose() {
    ClusterBus bus = bus();
    for (String bad : new String[] {"", "with space", "line\nbreak", "é", "x".repeat(ClusterBus.MAX_TOPIC_LENGTH + 1)}) {
      assertThatThrownBy(() -> bus.publish(bad, new byte[1])).as(bad).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> bus.subscribe(bad, m -> {})).as(bad).isInstanceOf(IllegalArgumentException.class);
    }

    bus.close();
    bus.close();

    assertThatThrownBy(() -> bus.publish("contract.closed", new byte[1])).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> bus.subscribe("contract.closed", m -> {})).isInstanceOf(IllegalStateException.class);
  }
}
