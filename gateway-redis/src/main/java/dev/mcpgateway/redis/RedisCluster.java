package dev.mcpgateway.redis;

import dev.mcpgateway.cluster.ClusterBus;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one gateway replica to the Redis its cluster shares, and what runs on them:
 * a shared session store, a shared event store for resumable streams, the signed node-to-node
 * bus, and rate limits and failure counts that the replicas count together.
 *
 * <p>Built from a {@code redis://[[user]:password@]host[:port][/database]} URI ({@code rediss://}
 * for TLS, checking the server's certificate and host name against the JVM's trust store or
 * {@link Builder#trustStore the one given}). Nothing
 * connects at build time: a replica starts while Redis is down, and {@link #isReachable()} tells
 * whether it answers. Every call waits at most the timeout (2 seconds unless set) for a connection
 * and for each answer, and then throws {@link RedisUnavailableException}; connections are made
 * again by themselves when Redis comes back, with no object to rebuild. Every key and channel
 * starts with the prefix ({@code mcpgw:} unless set), so that several gateways or other
 * applications can share one Redis. One Redis server (or a primary with replicas) is expected,
 * not a sharded Redis Cluster: the stores' scripts touch keys of several hash slots.
 *
 * <p>Ownership: the cluster closes what it handed out that is still open (session stores, the
 * bus) and then its connections. Thread-safe.
 *
 * <pre>{@code
 * RedisCluster cluster = RedisCluster.builder(URI.create("rediss://:" + password + "@redis.internal:6380"))
 *     .clusterSecret(secretBytes) // 32 bytes or more, the same on every replica
 *     .build();
 * SessionStore sessions = cluster.sessionStore(Duration.ofMinutes(30), 10_000);
 * EventStore events = cluster.eventStore();
 * ClusterBus bus = cluster.bus();
 * // when the application stops: gateway.close(), then cluster.close()
 * }</pre>
 */
public final class RedisCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);

  private final RedisConnection connection;
  private final String prefix;
  private final byte[] secret;
  private final long keepAliveMillis;
  private final Set<AutoCloseable> handedOut = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private RedisClusterBus bus; // guarded by this

  private RedisCluster(Builder b) {
    this.connection = new RedisConnection(b.endpoint, b.timeout, b.maxConnections, b.trustStore, b.trustStorePassword);
    this.prefix = b.prefix;
    this.secret = b.secret;
    this.keepAliveMillis = b.keepAlive.toMillis();
  }

  /**
   * Starts a builder for the Redis at {@code uri}: prefix {@code mcpgw:}, 2 seconds timeout, 16 connections.
   *
   * @param uri {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS
   * @return a new builder
   */
  public static Builder builder(URI uri) {
    return new Builder(RedisEndpoint.parse(uri));
  }

  /**
   * A new session store on this Redis, with the given idle timeout and maximum across all
   * replicas; with a cluster secret it shares removals with the other replicas over
   * {@link #bus()} ({@link RedisSessionStore.Builder#removalNotices}).
   * {@link RedisSessionStore#builder(RedisCluster)} has more settings.
   *
   * @param idleTimeout how long a session may stay idle before it expires
   * @param maximumSessions the most live sessions across all replicas
   * @return a new store, closed with this cluster if not before
   */
  public RedisSessionStore sessionStore(Duration idleTimeout, int maximumSessions) {
    RedisSessionStore.Builder builder = RedisSessionStore.builder(this).idleTimeout(idleTimeout).maximumSessions(maximumSessions);
    if (secret != null) {
      builder.removalNotices(bus());
    }
    return builder.build();
  }

  /**
   * Rate limits that every replica on this Redis counts together.
   *
   * @return the rate limits, for {@code McpGateway.Builder.sharedRateLimits}
   */
  public RedisRateLimits rateLimits() {
    return new RedisRateLimits(this);
  }

  /**
   * Failures that every replica on this Redis counts together, for the API-key throttle
   * ({@code ApiKeyAuthenticator.Builder.sharedFailureCounts}); keys are named by a digest keyed
   * with the cluster secret when there is one.
   *
   * @return the failure counts, for the authenticator
   */
  public RedisFailureCounts failureCounts() {
    return new RedisFailureCounts(this, secret);
  }

  /**
   * An event store on this Redis that keeps 1,000 events, 8 MiB and 5 minutes per stream;
   * {@link RedisEventStore#builder(RedisCluster)} sets other limits.
   *
   * @return a new event store
   */
  public RedisEventStore eventStore() {
    return RedisEventStore.builder(this).build();
  }

  /**
   * This replica's bus, made on first use; the same object on every call until it is closed.
   *
   * @return the bus, closed with this cluster if not before
   * @throws IllegalStateException when no {@link Builder#clusterSecret(byte[]) cluster secret} was set, or the cluster is closed
   */
  public synchronized ClusterBus bus() {
    connection();
    if (secret == null) {
      throw new IllegalStateException("the cluster bus signs its messages: set RedisCluster.builder(uri).clusterSecret(...)");
    }
    if (bus == null) {
      bus = register(new RedisClusterBus(this, secret, keepAliveMillis));
    }
    return bus;
  }

  /**
   * Whether Redis answers a {@code PING} within the timeout; never throws.
   *
   * @return true when Redis answered
   */
  public boolean isReachable() {
    return !closed.get() && connection.ping();
  }

  /**
   * The prefix of every key and channel.
   *
   * @return the prefix set with {@link Builder#prefix(String)}
   */
  public String prefix() {
    return prefix;
  }

  /** The Redis address and the prefix, without credentials. */
  @Override
  public String toString() {
    return "RedisCluster{" + connection.endpoint() + ", prefix " + prefix + "}";
  }

  /** Closes what this cluster handed out that is still open, then its connections; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (AutoCloseable open : new ArrayList<>(handedOut)) {
      try {
        open.close();
      } catch (Exception e) {
        LOG.warn("Closing {} failed", open.getClass().getSimpleName(), e);
      }
    }
    connection.close();
  }

  RedisConnection connection() {
    if (closed.get()) {
      throw new IllegalStateException("the Redis cluster is closed");
    }
    return connection;
  }

  <T extends AutoCloseable> T register(T closeable) {
    handedOut.add(closeable);
    return closeable;
  }

  synchronized void forget(AutoCloseable closeable) {
    handedOut.remove(closeable);
    if (closeable == bus) {
      bus = null;
    }
  }

  /** Builds a {@link RedisCluster}. */
  public static final class Builder {
    private final RedisEndpoint endpoint;
    private String prefix = "mcpgw:";
    private Duration timeout = Duration.ofSeconds(2);
    private int maxConnections = 16;
    private byte[] secret;
    private Duration keepAlive = Duration.ofSeconds(5);
    private Path trustStore;
    private char[] trustStorePassword;

    private Builder(RedisEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    /**
     * The start of every key and channel name: visible ASCII, 1 to 64 characters, such as {@code mcpgw:} or {@code team-a:mcpgw:}.
     *
     * @param prefix the prefix
     * @return this builder
     */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.isEmpty() || prefix.length() > 64 || !prefix.chars().allMatch(c -> c > ' ' && c <= '~')) {
        throw new IllegalArgumentException("prefix must be 1 to 64 visible ASCII characters: '" + prefix + "'");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * The longest wait for a connection, for connecting, and for each answer; from 10 ms to 1 minute.
     *
     * @param timeout the wait
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(10)) < 0 || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("timeout must be from 10 ms to 1 minute: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * At most this many pooled connections (the bus's listening connection comes on top).
     *
     * @param maxConnections at least 1
     * @return this builder
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * The secret shared by every replica that signs and checks the bus's messages (HMAC-SHA256):
     * at least 32 bytes, best random. Copied; needed only for {@link RedisCluster#bus()}.
     *
     * @param secret the secret, at least 32 bytes
     * @return this builder
     */
    public Builder clusterSecret(byte[] secret) {
      Objects.requireNonNull(secret, "secret");
      new MessageSigner(secret); // checks the length
      this.secret = secret.clone();
      return this;
    }

    /**
     * How often the bus's listening connection is checked with a PING; a silent one is replaced.
     *
     * @param interval the interval, at least 100 ms
     * @return this builder
     */
    public Builder keepAlive(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("keepAlive must be at least 100 ms: " + interval);
      }
      this.keepAlive = interval;
      return this;
    }

    /**
     * For {@code rediss://}: trust the certificates of this key store file (PKCS12 or JKS, such
     * as a private CA's) instead of the JVM's trust store. The host name is checked all the same.
     *
     * @param file a readable key store file
     * @param password the key store's password, or null for none; copied
     * @return this builder
     */
    public Builder trustStore(Path file, char[] password) {
      Objects.requireNonNull(file, "file");
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("trustStore is not a readable file: " + file);
      }
      this.trustStore = file;
      this.trustStorePassword = password == null ? null : password.clone();
      return this;
    }

    /**
     * Builds the cluster; connects only when first used.
     *
     * @return a new cluster, to close when the gateway is closed
     */
    public RedisCluster build() {
      return new RedisCluster(this);
    }
  }
}
