package dev.mcpgateway.spring.boot;

import dev.mcpgateway.GatewayStats;
import dev.mcpgateway.McpGateway;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The gateway's state for Spring Boot Actuator's health endpoint (contributor {@code mcpGateway}),
 * from {@link McpGateway#stats()}, as the gateway's own {@code /health} reports it: {@code UP} while
 * it serves and no server fails to start, {@code DOWN} when a server's latest start failed
 * ({@code error} in its details), {@code OUT_OF_SERVICE} once the gateway closes. Details: uptime,
 * sessions, backends, requests in flight and, per server, its status and counters. No identity,
 * key or error text (which could carry what a backend printed) is reported.
 */
public class McpGatewayHealthIndicator implements HealthIndicator {
  private final McpGateway gateway;

  /**
   * Reports {@code gateway}.
   *
   * @param gateway the gateway to report
   */
  public McpGatewayHealthIndicator(McpGateway gateway) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
  }

  @Override
  public Health health() {
    GatewayStats stats = gateway.stats();
    boolean failing = false;
    Map<String, Object> servers = new LinkedHashMap<>();
    for (Map.Entry<String, GatewayStats.ServerStats> entry : stats.servers().entrySet()) {
      GatewayStats.ServerStats server = entry.getValue();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("status", server.status().label());
      details.put("backends", server.backends());
      details.put("starts", server.starts());
      details.put("restarts", server.restarts());
      details.put("failures", server.failures());
      details.put("unexpectedExits", server.unexpectedExits());
      if (server.status() == GatewayStats.ServerStatus.ERROR) {
        details.put("error", "start_failed");
        failing = true;
      }
      servers.put(entry.getKey(), details);
    }
    Status status = gateway.isClosed() ? Status.OUT_OF_SERVICE : failing ? Status.DOWN : Status.UP;
    return Health.status(status)
        .withDetail("version", gateway.version())
        .withDetail("uptimeSeconds", stats.uptime().toSeconds())
        .withDetail("sessions", stats.activeSessions())
        .withDetail("backends", stats.activeBackends())
        .withDetail("requestsInFlight", stats.requestsInFlight())
        .withDetail("servers", servers)
        .build();
  }
}
