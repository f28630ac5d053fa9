package dev.mcpgateway.redis;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where Redis is and how to log in, read from a {@code redis://} or {@code rediss://} (TLS) URI:
 * {@code redis://[[user]:password@]host[:port][/database]}. {@link #toString()} leaves the
 * credentials out, so an endpoint can be logged.
 */
record RedisEndpoint(String host, int port, String user, String password, int database, boolean tls) {
  static final int DEFAULT_PORT = 6379;

  RedisEndpoint {
    Objects.requireNonNull(host, "host");
  }

  /**
   * Reads {@code uri}.
   *
   * @throws IllegalArgumentException naming what is wrong, never showing the password
   */
  static RedisEndpoint parse(URI uri) {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      throw new IllegalArgumentException("a Redis URI starts with redis:// or rediss:// (TLS), not " + scheme + "://");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("the Redis URI names no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("the Redis URI has a query or fragment; only redis://[[user]:password@]host[:port][/database] is read");
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        // redis://secret@host is the password alone, as Redis clients read it
        password = decode(userInfo);
      } else {
        user = colon == 0 ? null : decode(userInfo.substring(0, colon));
        password = decode(userInfo.substring(colon + 1));
      }
    }
    int database = 0;
    String path = uri.getPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      try {
        database = Integer.parseInt(path.substring(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the Redis URI's path is a database number, such as /0: " + path, e);
      }
      if (database < 0) {
        throw new IllegalArgumentException("the Redis database number is negative: " + database);
      }
    }
    return new RedisEndpoint(host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), user, password, database, "rediss".equals(scheme));
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** {@code host:port}, as in log lines. */
  String address() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return (tls ? "rediss://" : "redis://") + address() + "/" + database;
  }
}
