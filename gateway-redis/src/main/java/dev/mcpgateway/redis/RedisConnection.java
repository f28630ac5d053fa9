package dev.mcpgateway.redis;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The pooled connections to one Redis, with bounded waits, and the one place where the Redis
 * client's exceptions become {@link RedisUnavailableException}.
 *
 * <p>Every wait is bounded by the timeout: connecting, each answer, and waiting for a free
 * connection. Connections that broke are dropped; when a command fails because its connection
 * was lost (not because Redis was slow), the idle connections, which broke with it when Redis
 * restarted, are dropped too and the command is tried once more on a new connection. So the
 * first command after Redis comes back succeeds. Thread-safe.
 */
final class RedisConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisConnection.class);

  private final RedisEndpoint endpoint;
  private final Duration timeout;
  private final DefaultJedisClientConfig config;
  private final RedisClient client;
  private final AtomicBoolean unreachable = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  RedisConnection(RedisEndpoint endpoint, Duration timeout, int maxConnections, Path trustStore, char[] trustStorePassword) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(millis)
        .socketTimeoutMillis(millis)
        .database(endpoint.database())
        .clientName("mcp-gateway")
        .resp2();
    if (endpoint.user() != null) {
      config.user(endpoint.user());
    }
    if (endpoint.password() != null) {
      config.password(endpoint.password());
    }
    if (endpoint.tls()) {
      // the certificate must chain to a trusted one and name the host (SslVerifyMode.FULL)
      config.sslOptions(trustStore == null ? SslOptions.defaults()
          : SslOptions.builder().truststore(trustStore.toFile(), trustStorePassword).build());
    }
    this.config = config.build();
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(maxConnections);
    pool.setMaxIdle(maxConnections);
    pool.setMinIdle(0);
    pool.setBlockWhenExhausted(true);
    pool.setMaxWait(timeout);
    this.client = RedisClient.builder().hostAndPort(endpoint.host(), endpoint.port()).clientConfig(this.config).poolConfig(pool).build();
  }

  RedisEndpoint endpoint() {
    return endpoint;
  }

  Duration timeout() {
    return timeout;
  }

  /**
   * Runs {@code command} on a pooled connection.
   *
   * @param what what the command is for, the start of the exception's message ({@code "session store"})
   * @throws RedisUnavailableException when Redis does not answer in time, cannot be reached, or answers with an error
   */
  <T> T call(String what, Function<UnifiedJedis, T> command) {
    if (closed.get()) {
      throw new IllegalStateException("the Redis connections are closed");
    }
    T result;
    try {
      result = command.apply(client);
    } catch (JedisConnectionException e) {
      if (timedOut(e) || closed.get()) {
        throw unavailable(what, e);
      }
      client.getPool().clear();
      try {
        result = command.apply(client);
      } catch (JedisException again) {
        throw unavailable(what, again);
      }
    } catch (JedisException e) {
      throw unavailable(what, e);
    }
    if (unreachable.compareAndSet(true, false)) {
      LOG.info("Redis at {} answers again", endpoint);
    }
    return result;
  }

  /** Whether Redis answers a {@code PING} within the timeout. */
  boolean ping() {
    try {
      return "PONG".equalsIgnoreCase(call("ping", UnifiedJedis::ping));
    } catch (RedisUnavailableException | IllegalStateException e) {
      return false;
    }
  }

  /**
   * A connection of its own, not from the pool, with the same settings; not connected yet. For
   * pub/sub, which holds a connection for as long as it listens. The caller closes it.
   */
  Jedis dedicated() {
    return new Jedis(new HostAndPort(endpoint.host(), endpoint.port()), config);
  }

  /** The exception for a failed command, logged at WARN once per outage. */
  RedisUnavailableException unavailable(String what, JedisException e) {
    String reason;
    if (e instanceof JedisDataException) {
      String error = String.valueOf(e.getMessage());
      int space = error.indexOf(' ');
      reason = "Redis refused the command (" + (space > 0 ? error.substring(0, space) : error) + ")";
    } else if (causedBy(e, SSLException.class)) {
      reason = "the TLS handshake with Redis failed (is its certificate trusted and issued for this host?)";
    } else if (timedOut(e)) {
      reason = "Redis did not answer within " + timeout.toMillis() + " ms";
    } else if (causedBy(e, NoSuchElementException.class)) {
      reason = "no Redis connection was free within " + timeout.toMillis() + " ms";
    } else {
      reason = "Redis is unreachable";
    }
    boolean refusedLogin = e instanceof JedisAccessControlException;
    if ((refusedLogin || !(e instanceof JedisDataException)) && unreachable.compareAndSet(false, true)) {
      // logged once per outage; the exception's text has no credentials (Redis never repeats a password)
      LOG.warn("Redis at {} {} ({}); store and bus calls fail until it answers again: {}", endpoint,
          refusedLogin ? "refused the login" : "is unreachable", reason, e.toString());
    }
    return new RedisUnavailableException(what + ": " + reason, e);
  }

  private static boolean timedOut(Throwable e) {
    return causedBy(e, SocketTimeoutException.class);
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      client.close();
    }
  }
}
