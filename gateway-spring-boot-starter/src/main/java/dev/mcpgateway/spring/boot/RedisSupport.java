package dev.mcpgateway.spring.boot;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.ClusterConfig;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.redis.RedisCluster;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Cluster mode with {@code gateway-redis}; loaded only when it is on the class path. */
final class RedisSupport {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSupport.class);

  private RedisSupport() {}

  /** The Redis connections of {@code config.cluster()}, as the standalone runner makes them; nothing connects yet. */
  static GatewayCluster connect(GatewayConfig config) {
    ClusterConfig cluster = config.cluster().orElseThrow();
    RedisCluster redis = RedisCluster.builder(cluster.redis())
        .clusterSecret(cluster.secret().getBytes(StandardCharsets.UTF_8)).build();
    LOG.info("Cluster mode: sessions shared through {}", cluster);
    return new GatewayCluster() {
      @Override
      void apply(McpGateway.Builder builder, GatewayConfig c) {
        builder.sessionStore(redis.sessionStore(c.sessionTimeout().orElse(GatewayConfig.DEFAULT_SESSION_TIMEOUT),
            c.maxSessions()));
        builder.eventStore(redis.eventStore());
        builder.clusterBus(redis.bus());
        builder.sharedRateLimits(redis.rateLimits());
      }

      @Override
      public void close() {
        redis.close();
      }
    };
  }
}
