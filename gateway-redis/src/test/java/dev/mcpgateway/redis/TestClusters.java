package dev.mcpgateway.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Clusters for the tests, each under a prefix of its own so that tests sharing one Redis never
 * see each other's keys, and a plain Redis client to look at what the stores wrote.
 */
final class TestClusters implements AutoCloseable {
  static final byte[] SECRET = "a test cluster secret of 32 bytes or more".getBytes(StandardCharsets.UTF_8);

  private final RedisServer server;
  private final List<AutoCloseable> open = new ArrayList<>();

  TestClusters(RedisServer server) {
    this.server = server;
  }

  /** A new prefix, never used before. */
  static String newPrefix() {
    return "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** A cluster (a replica) under a new prefix. */
  RedisCluster cluster() {
    return cluster(newPrefix());
  }

  /** A cluster (a replica) under {@code prefix}: two of them with one prefix are two replicas of one gateway. */
  RedisCluster cluster(String prefix) {
    return track(RedisCluster.builder(server.uri()).prefix(prefix).clusterSecret(SECRET).build());
  }

  /** A plain Redis client, to inspect keys. */
  UnifiedJedis plain() {
    return track(RedisClient.create(server.uri()));
  }

  <T extends AutoCloseable> T track(T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** Every key under {@code prefix}, by SCAN. */
  static List<String> keys(UnifiedJedis redis, String prefix) {
    List<String> keys = new ArrayList<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().match(prefix + "*").count(1_000));
      keys.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return keys;
  }

  @Override
  public void close() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + open.get(i), e);
      }
    }
    open.clear();
  }
}
