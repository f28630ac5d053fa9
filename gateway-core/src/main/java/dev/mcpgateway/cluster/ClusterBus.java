package dev.mcpgateway.cluster;

import java.util.function.Consumer;

/**
 * Passes small messages between the nodes of a gateway cluster: a node publishes on a topic and
 * every subscriber of that topic, on every node (this one included), receives the message.
 *
 * <p>Delivery is at most once and only to subscriptions that exist when the message arrives: a
 * node that is disconnected misses what was published meanwhile. Messages should therefore be
 * notices that a receiver can act on or ignore (an answer for the node that holds a call, an
 * entry that changed), never the only copy of state. Topics are short names without control
 * characters, such as {@code session.ended}; an implementation may put them in a namespace of its
 * own. Implementations are thread-safe. Handlers must not block for long: an implementation may
 * run every handler on one thread. A handler that throws is logged and does not stop delivery.
 *
 * <pre>{@code
 * ClusterBus bus = ClusterBus.local();
 * try (ClusterBus.Subscription s = bus.subscribe("session.ended", id -> forget(new String(id, UTF_8)))) {
 *   bus.publish("session.ended", sessionId.getBytes(UTF_8));
 * }
 * }</pre>
 */
public interface ClusterBus extends AutoCloseable {
  /** The longest topic name, in characters. */
  int MAX_TOPIC_LENGTH = 200;

  /**
   * Sends {@code message} to every subscriber of {@code topic}; returns without waiting for them.
   *
   * @param topic the topic's name
   * @param message the message's bytes
   * @throws IllegalArgumentException when the topic is not a valid name
   * @throws IllegalStateException when the bus is closed
   */
  void publish(String topic, byte[] message);

  /**
   * Calls {@code handler} with every message published on {@code topic} from now on, until the
   * returned subscription is closed. Each call gets its own copy of the message.
   *
   * @param topic the topic's name
   * @param handler receives each message; must not block for long
   * @return the subscription; closing it stops the calls
   * @throws IllegalArgumentException when the topic is not a valid name
   * @throws IllegalStateException when the bus is closed
   */
  Subscription subscribe(String topic, Consumer<byte[]> handler);

  /** Ends every subscription and releases what the bus holds; idempotent. */
  @Override
  void close();

  /**
   * A bus for the nodes of one JVM: messages go straight to the subscribers, on the publisher's
   * thread, in the order the subscriptions were made. For a single node, and for tests.
   *
   * @return a new local bus
   */
  static ClusterBus local() {
    return new LocalClusterBus();
  }

  /**
   * Checks a topic name: not empty, at most {@link #MAX_TOPIC_LENGTH} characters, visible ASCII only.
   *
   * @param topic the name to check
   * @return the topic
   * @throws IllegalArgumentException naming what is wrong
   */
  static String checkTopic(String topic) {
    if (topic == null || topic.isEmpty()) {
      throw new IllegalArgumentException("topic must not be empty");
    }
    if (topic.length() > MAX_TOPIC_LENGTH) {
      throw new IllegalArgumentException("topic is longer than " + MAX_TOPIC_LENGTH + " characters");
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException("topic must be visible ASCII, without spaces: character " + i + " is not");
      }
    }
    return topic;
  }

  /** One subscription: closing it stops its deliveries; idempotent. */
  @FunctionalInterface
  interface Subscription extends AutoCloseable {
    /** Stops delivering to this subscription's handler; messages already being delivered may still arrive. */
    @Override
    void close();
  }
}
