package dev.mcpgateway.spring.boot;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.GatewayConfig;

/**
 * What cluster mode adds to the gateway (Redis stores, bus and rate limits), held as a bean so
 * that it closes after the gateway. {@link #NONE} for a gateway on its own.
 */
class GatewayCluster implements AutoCloseable {
  static final GatewayCluster NONE = new GatewayCluster();

  /** Hands the cluster's stores to {@code builder}; nothing for {@link #NONE}. */
  void apply(McpGateway.Builder builder, GatewayConfig config) {}

  @Override
  public void close() {}
}
