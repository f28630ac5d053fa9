package dev.mcpgateway.redis;

import dev.mcpgateway.cluster.ClusterBus;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A {@link ClusterBus} over Redis pub/sub: topic {@code t} is the channel {@code <prefix>bus:t},
 * and every message is signed with HMAC-SHA256 under the cluster secret. A message whose signature
 * does not hold (another secret, altered, or not from a gateway) is dropped with a WARN naming the
 * topic and size, never the content.
 *
 * <p>Publishing uses the cluster's pooled connections and throws {@link RedisUnavailableException}
 * when Redis cannot be reached. Receiving holds one connection of its own, opened with the first
 * subscription, and one listening thread that runs every handler in arrival order. When that
 * connection is lost (Redis restarted, network cut; a PING every few seconds notices a silent
 * one), the thread connects again with backoff and subscribes again to every topic that has
 * handlers: subscriptions outlive outages, but what was published meanwhile is lost.
 * {@link #subscribe} returns once Redis confirmed the subscription, so what is published
 * afterwards is delivered. Thread-safe.
 */
public final class RedisClusterBus implements ClusterBus {
  private static final Logger LOG = LoggerFactory.getLogger(RedisClusterBus.class);
  private static final String WHAT = "cluster bus";
  private static final long FIRST_BACKOFF_MILLIS = 50;
  private static final long LAST_BACKOFF_MILLIS = 2_000;

  private record Handler(Consumer<byte[]> consumer) {}

  private final RedisConnection redis;
  private final Runnable onClose;
  private final MessageSigner signer;
  private final String channelPrefix;
  private final byte[] controlChannel;
  private final long timeoutMillis;
  private final long keepAliveMillis;

  private final Map<String, List<Handler>> handlers = new ConcurrentHashMap<>();
  private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicLong rejected = new AtomicLong();
  private Thread listener; // guarded by lock
  private Jedis connection; // guarded by lock
  private Listener active; // guarded by lock: set once Redis confirmed the control channel
  private volatile long lastPongNanos;
  private boolean lostLogged; // listening thread only

  RedisClusterBus(RedisCluster cluster, byte[] secret, long keepAliveMillis) {
    this.redis = cluster.connection();
    this.onClose = () -> cluster.forget(this);
    this.signer = new MessageSigner(secret);
    this.channelPrefix = cluster.prefix() + "bus:";
    this.controlChannel = bytes(cluster.prefix() + "bus");
    this.timeoutMillis = redis.timeout().toMillis();
    this.keepAliveMillis = keepAliveMillis;
  }

  /**
   * {@inheritDoc}
   *
   * @throws RedisUnavailableException when Redis cannot be reached in time; the message was not sent
   */
  @Override
  public void publish(String topic, byte[] message) {
    ClusterBus.checkTopic(topic);
    Objects.requireNonNull(message, "message");
    checkOpen();
    byte[] channel = bytes(channelPrefix + topic);
    byte[] signed = signer.sign(channel, message);
    redis.call(WHAT, r -> r.publish(channel, signed));
  }

  /**
   * {@inheritDoc} Returns once Redis confirmed the subscription; later outages do not end it.
   *
   * @throws RedisUnavailableException when Redis did not confirm within the timeout; nothing is subscribed
   */
  @Override
  public Subscription subscribe(String topic, Consumer<byte[]> consumer) {
    ClusterBus.checkTopic(topic);
    Objects.requireNonNull(consumer, "consumer");
    Handler handler = new Handler(consumer);
    synchronized (lock) {
      checkOpen();
      List<Handler> list = handlers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>());
      list.add(handler);
      if (list.size() == 1 && active != null) {
        send(active, "SUBSCRIBE", topic);
      }
      startListening();
    }
    Subscription subscription = () -> unsubscribe(topic, handler);
    if (!awaitConfirmed(topic)) {
      subscription.close();
      checkOpen();
      throw new RedisUnavailableException(WHAT + ": Redis did not confirm the subscription within " + timeoutMillis + " ms", null);
    }
    return subscription;
  }

  private boolean awaitConfirmed(String topic) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (confirmed) {
      while (!confirmed.contains(topic) && !closed.get()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        try {
          confirmed.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return confirmed.contains(topic);
    }
  }

  private void unsubscribe(String topic, Handler handler) {
    synchronized (lock) {
      List<Handler> list = handlers.get(topic);
      if (list == null || !list.remove(handler) || !list.isEmpty()) {
        return;
      }
      handlers.remove(topic);
      confirmed.remove(topic);
      if (active != null) {
        send(active, "UNSUBSCRIBE", topic);
      }
    }
  }

  /** Sends (UN)SUBSCRIBE on the listening connection; a lost connection is left to the listening thread. */
  private void send(Listener listener, String command, String... topics) {
    byte[][] channels = new byte[topics.length][];
    for (int i = 0; i < topics.length; i++) {
      channels[i] = bytes(channelPrefix + topics[i]);
    }
    try {
      if (command.equals("SUBSCRIBE")) {
        listener.subscribe(channels);
      } else {
        listener.unsubscribe(channels);
      }
    } catch (JedisException e) {
      LOG.debug("Cluster bus: {} not sent, the connection is being replaced: {}", command, e.toString());
    }
  }

  private void startListening() {
    if (listener == null) {
      listener = new Thread(this::listen, "mcp-gateway-redis-bus");
      listener.setDaemon(true);
      listener.start();
    }
  }

  /** The listening thread: connects, subscribes, reads until the connection is lost, and again until closed. */
  private void listen() {
    long backoff = FIRST_BACKOFF_MILLIS;
    Thread keepAlive = new Thread(this::keepAlive, "mcp-gateway-redis-bus-ping");
    keepAlive.setDaemon(true);
    keepAlive.start();
    while (!closed.get()) {
      Listener listener = new Listener();
      Jedis jedis = null;
      try {
        jedis = redis.dedicated(); // connects at once
        synchronized (lock) {
          if (closed.get()) {
            break;
          }
          connection = jedis;
        }
        jedis.subscribe(listener, controlChannel); // returns when the connection is lost or closed
      } catch (JedisException | IllegalStateException e) {
        if (!closed.get() && !lostLogged) {
          lostLogged = true;
          LOG.warn("Cluster bus: no connection to Redis at {} ({}); reconnecting, messages published meanwhile are lost",
              redis.endpoint(), e.toString());
        }
      } finally {
        synchronized (lock) {
          active = null;
          connection = null;
        }
        confirmed.clear();
        if (jedis != null) {
          jedis.close();
        }
      }
      if (listener.wasReady) {
        backoff = FIRST_BACKOFF_MILLIS;
      }
      try {
        if (closing.await(backoff, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        break;
      }
      backoff = Math.min(LAST_BACKOFF_MILLIS, backoff * 2);
    }
    keepAlive.interrupt();
  }

  /** Pings the listening connection; one that stays silent too long is closed, so that the listening thread reconnects. */
  private void keepAlive() {
    try {
      while (!closing.await(keepAliveMillis, TimeUnit.MILLISECONDS)) {
        synchronized (lock) {
          if (active == null) {
            continue;
          }
          if (System.nanoTime() - lastPongNanos > TimeUnit.MILLISECONDS.toNanos(2 * keepAliveMillis + timeoutMillis)) {
            LOG.warn("Cluster bus: Redis at {} stopped answering PING; reconnecting", redis.endpoint());
            connection.disconnect();
            continue;
          }
          try {
            active.ping();
          } catch (JedisException e) {
            LOG.debug("Cluster bus: PING not sent: {}", e.toString());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Listener extends BinaryJedisPubSub {
    boolean wasReady;

    @Override
    public void onSubscribe(byte[] channel, int subscribedChannels) {
      if (Arrays.equals(channel, controlChannel)) {
        synchronized (lock) {
          active = this;
          wasReady = true;
          lastPongNanos = System.nanoTime();
          if (!handlers.isEmpty()) {
            send(this, "SUBSCRIBE", new HashSet<>(handlers.keySet()).toArray(String[]::new));
          }
        }
        if (lostLogged) {
          lostLogged = false;
          LOG.info("Cluster bus: connected to Redis at {} again", redis.endpoint());
        }
        return;
      }
      String topic = topic(channel);
      if (topic != null && handlers.containsKey(topic)) {
        synchronized (confirmed) {
          confirmed.add(topic);
          confirmed.notifyAll();
        }
      }
    }

    @Override
    public void onPong(byte[] pattern) {
      lastPongNanos = System.nanoTime();
    }

    @Override
    public void onMessage(byte[] channel, byte[] message) {
      lastPongNanos = System.nanoTime();
      String topic = topic(channel);
      if (topic == null) {
        return; // the control channel carries nothing
      }
      byte[] payload = signer.verify(channel, message);
      if (payload == null) {
        rejected.incrementAndGet();
        LOG.warn("Cluster bus: dropped a message on topic '{}' ({} bytes) whose signature does not hold: another cluster secret, "
            + "or not from a gateway", topic, message.length);
        return;
      }
      for (Handler handler : handlers.getOrDefault(topic, List.of())) {
        try {
          handler.consumer().accept(payload.clone());
        } catch (RuntimeException e) {
          LOG.error("A cluster bus handler of topic '{}' failed", topic, e);
        }
      }
    }
  }

  private String topic(byte[] channel) {
    String name = new String(channel, StandardCharsets.UTF_8);
    return name.startsWith(channelPrefix) ? name.substring(channelPrefix.length()) : null;
  }

  /** How many messages were dropped because their signature did not hold. */
  long rejectedMessages() {
    return rejected.get();
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the cluster bus is closed");
    }
  }

  /** Ends every subscription, closes the listening connection and stops its thread; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing.countDown();
    Thread thread;
    synchronized (lock) {
      handlers.clear();
      if (connection != null) {
        connection.disconnect(); // the listening thread's read ends at once
      }
      thread = listener;
    }
    synchronized (confirmed) {
      confirmed.notifyAll();
    }
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join(TimeUnit.MILLISECONDS.toMillis(timeoutMillis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    onClose.run();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
