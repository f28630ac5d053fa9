package dev.mcpgateway.spring.boot;

import dev.mcpgateway.McpGateway;

/**
 * Changes the builder of the auto-configured gateway before it is built, for settings that have
 * no bean of their own (event store, payload store, limits, timeouts, outer interceptors).
 * Customizers run in {@link org.springframework.core.annotation.Order @Order}, after the
 * auto-configuration applied the beans it knows; a setting given twice fails the start naming it.
 *
 * <pre>{@code
 * @Bean
 * McpGatewayBuilderCustomizer drainQuickly() {
 *   return builder -> builder.drainTimeout(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface McpGatewayBuilderCustomizer {
  /**
   * Changes {@code builder}.
   *
   * @param builder the gateway's builder
   */
  void customize(McpGateway.Builder builder);
}
