package dev.mcpgateway.config;

import java.net.URI;
import java.util.Objects;

/**
 * Cluster mode: several gateway replicas share sessions, stream events and node-to-node messages
 * through Redis ({@code "gateway": {"cluster": {"redis": "redis://127.0.0.1:6379", "secret": "${MCP_GATEWAY_CLUSTER_SECRET}"}}}).
 * The secret, shared by every replica, signs what replicas tell each other and seals the
 * {@code requestState} of stateless clients, so that any replica can check it; it never appears
 * in {@link #toString()}.
 *
 * @param redis the Redis URI ({@code redis://} or {@code rediss://}, with a password and a
 *     database number as Redis URIs allow)
 * @param secret at least 32 characters, the same on every replica
 */
public record ClusterConfig(URI redis, String secret) {
  /** The shortest secret accepted: 32 characters. */
  public static final int MIN_SECRET_CHARS = 32;

  /**
   * Checks the URI's scheme and host and the secret's length.
   *
   * @param redis the Redis URI ({@code redis://} or {@code rediss://})
   * @param secret at least 32 characters, the same on every replica
   * @throws IllegalArgumentException naming what is wrong
   */
  public ClusterConfig {
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(secret, "secret");
    String scheme = redis.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      throw new IllegalArgumentException("cluster.redis must be a redis:// or rediss:// URI, got scheme '" + scheme + "'");
    }
    if (redis.getHost() == null) {
      throw new IllegalArgumentException("cluster.redis must name a host, such as redis://127.0.0.1:6379");
    }
    if (secret.length() < MIN_SECRET_CHARS) {
      throw new IllegalArgumentException("cluster.secret must have at least " + MIN_SECRET_CHARS + " characters, got "
          + secret.length() + "; use a random value shared by every replica");
    }
  }

  /**
   * Parses {@code redis} as a URI.
   *
   * @param redis the Redis URI, as text
   * @param secret at least 32 characters, the same on every replica
   * @return the configuration
   * @throws IllegalArgumentException when {@code redis} is not a valid URI, or as the constructor
   */
  public static ClusterConfig of(String redis, String secret) {
    URI uri;
    try {
      uri = URI.create(redis);
    } catch (IllegalArgumentException e) {
      // not the text itself: it may hold a password
      throw new IllegalArgumentException("cluster.redis is not a valid URI, such as redis://127.0.0.1:6379");
    }
    return new ClusterConfig(uri, secret);
  }

  /** The Redis host and port only: the URI may hold a password. */
  @Override
  public String toString() {
    return "ClusterConfig[redis=" + redis.getScheme() + "://" + redis.getHost() + (redis.getPort() > 0 ? ":" + redis.getPort() : "")
        + ", secret=(hidden)]";
  }
}
