package dev.mcpgateway.cluster;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterBus#local()}: delivers on the publisher's thread to the subscriptions of this
 * JVM, in the order they were made. Thread-safe.
 */
final class LocalClusterBus implements ClusterBus {
  private static final Logger LOG = LoggerFactory.getLogger(LocalClusterBus.class);

  private record Entry(String topic, Consumer<byte[]> handler) {}

  private final List<Entry> subscriptions = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  @Override
  public void publish(String topic, byte[] message) {
    ClusterBus.checkTopic(topic);
    Objects.requireNonNull(message, "message");
    checkOpen();
    for (Entry entry : subscriptions) {
      if (entry.topic().equals(topic)) {
        try {
          entry.handler().accept(message.clone());
        } catch (RuntimeException e) {
          LOG.error("A cluster bus handler of topic '{}' failed", topic, e);
        }
      }
    }
  }

  @Override
  public Subscription subscribe(String topic, Consumer<byte[]> handler) {
    ClusterBus.checkTopic(topic);
    Objects.requireNonNull(handler, "handler");
    checkOpen();
    Entry entry = new Entry(topic, handler);
    subscriptions.add(entry);
    return () -> subscriptions.remove(entry);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the cluster bus is closed");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      subscriptions.clear();
    }
  }
}
