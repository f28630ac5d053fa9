package dev.mcpgateway.spring.boot;

import dev.mcpgateway.modules.PublicApi;
import org.junit.jupiter.api.Test;

/**
 * The starter's public API is the committed baseline {@code api/gateway-spring-boot-starter.api}
 * (every package: the starter runs on the class path, without a module descriptor); see
 * {@link PublicApi}.
 */
class StarterApiTest {

  @Test
  void keepsItsPublicApi() {
    PublicApi.of(McpGatewayAutoConfiguration.class, "dev.mcpgateway.spring.boot").check("gateway-spring-boot-starter");
  }
}
