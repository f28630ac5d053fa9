package dev.mcpgateway.redis;

import dev.mcpgateway.modules.PublicApi;
import dev.mcpgateway.modules.ModuleLine;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor of {@code gateway-redis} draws its public line: exporting another
 * package, opening one, or requiring another module transitively (Jedis stays out of the API), is
 * a change to this test.
 */
class RedisModuleTest {

  @Test
  void drawsItsPublicLine() {
    ModuleLine.of(RedisCluster.class, "dev.mcpgateway.redis")
        .exports("dev.mcpgateway.redis")
        .requiresTransitively("dev.mcpgateway.core")
        .check();
  }

  /** Its public API is the committed baseline {@code api/gateway-redis.api}; see {@link PublicApi}. */
  @Test
  void keepsItsPublicApi() {
    PublicApi.of(RedisCluster.class, "dev.mcpgateway.redis").check("gateway-redis");
  }
}
