package dev.mcpgateway.examples.spring;

import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application that serves the MCP gateway through {@code gateway-spring-boot-starter}:
 * the gateway comes from the JSON file {@code mcp.gateway.config-file} (the standalone runner's
 * format) and is mounted at {@code /mcp-gateway}, so clients use
 * {@code http://HOST:8080/mcp-gateway/mcp/{server}}; Actuator's {@code /actuator/health} shows its
 * state and {@code /actuator/metrics} its meters.
 *
 * <pre>
 * java -jar examples-spring-boot.jar --mcp.gateway.config-file=gateway.json
 * </pre>
 *
 * <p>Its one bean of its own, {@link #toolCallLog()}, shows how an application adds to the
 * gateway: every {@code Interceptor} bean joins the gateway's interceptor chain.
 */
@SpringBootApplication
public class GatewayApplication {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayApplication.class);

  public static void main(String[] args) {
    SpringApplication.run(GatewayApplication.class, args);
  }

  /** Logs who calls which tool (after the gateway's own checks passed it). */
  @Bean
  Interceptor toolCallLog() {
    return new Interceptor() {
      @Override
      public Verdict onRequest(McpCall call) {
        call.toolName().ifPresent(tool -> LOG.info("{} calls {} on {}", call.identity().name(), tool, call.server()));
        return Verdict.pass();
      }
    };
  }
}
