package dev.mcpgateway.spring.boot;

import dev.mcpgateway.McpGateway;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The gateway's {@link McpGatewayHealthIndicator} (contributor {@code mcpGateway}) when Spring Boot's
 * health support is on the class path (with {@code spring-boot-starter-actuator});
 * {@code management.health.mcpgateway.enabled=false} turns it off.
 */
@AutoConfiguration(after = McpGatewayAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(McpGateway.class)
@ConditionalOnEnabledHealthIndicator("mcpgateway")
public class McpGatewayHealthAutoConfiguration {
  /**
   * The health indicator, unless the application declares one named {@code mcpGatewayHealthIndicator}.
   *
   * @param gateway the auto-configured gateway
   * @return the indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "mcpGatewayHealthIndicator")
  public McpGatewayHealthIndicator mcpGatewayHealthIndicator(McpGateway gateway) {
    return new McpGatewayHealthIndicator(gateway);
  }
}
