package dev.mcpgateway;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A read-only snapshot of what a gateway is doing, for health checks and metrics: from
 * {@link McpGateway#stats()}. Holds no identities, keys or session ids.
 *
 * @param uptime how long the gateway has been running
 * @param activeSessions MCP sessions currently held
 * @param activeBackends backends currently running, over all servers
 * @param requestsInFlight client requests waiting for a backend's answer
 * @param servers per configured server, in configuration order
 */
public record GatewayStats(Duration uptime, int activeSessions, int activeBackends, int requestsInFlight,
    Map<String, ServerStats> servers) {

  /**
   * Copies {@code servers}; rejects nulls.
   *
   * @param uptime how long the gateway has been running
   * @param activeSessions MCP sessions currently held
   * @param activeBackends backends currently running, over all servers
   * @param requestsInFlight client requests waiting for a backend's answer
   * @param servers per configured server, in configuration order
   */
  public GatewayStats {
    Objects.requireNonNull(uptime, "uptime");
    servers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Objects.requireNonNull(servers, "servers")));
  }

  /** Whether a server's backends are up, down, or failing to start. */
  public enum ServerStatus {
    /** At least one backend is running. */
    RUNNING,
    /** No backend is running, and the last start (if any) succeeded. */
    STOPPED,
    /** No backend is running and the latest start failed. */
    ERROR;

    /** {@return the lower-case name used in {@code /health}} */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One server's backends.
   *
   * @param status see {@link ServerStatus}
   * @param backends backend instances of this server running now, over all callers: a caller may run several
   *     (see {@link dev.mcpgateway.config.ServerConfig.BackendSharing}); with isolation {@code SESSION}, one per session
   * @param starts backends started successfully since the gateway started
   * @param restarts starts that replaced a backend which had stopped unexpectedly
   * @param failures start attempts that failed
   * @param unexpectedExits started backends that stopped without the gateway asking them to
   * @param uptime how long the oldest running backend has been up; empty when none runs
   * @param lastStartedAt when a backend of this server last started; empty when none has
   * @param lastError why the latest start failed, while the status is {@link ServerStatus#ERROR}
   */
  public record ServerStats(ServerStatus status, int backends, int starts, int restarts, int failures,
      int unexpectedExits, Optional<Duration> uptime, Optional<Instant> lastStartedAt, Optional<String> lastError) {

    /**
     * Rejects nulls.
     *
     * @param status see {@link ServerStatus}
     * @param backends backend instances of this server running now, over all callers: a caller may
     *     run several (see {@link dev.mcpgateway.config.ServerConfig.BackendSharing}); with
     *     isolation {@code SESSION}, one per session
     * @param starts backends started successfully since the gateway started
     * @param restarts starts that replaced a backend which had stopped unexpectedly
     * @param failures start attempts that failed
     * @param unexpectedExits started backends that stopped without the gateway asking them to
     * @param uptime how long the oldest running backend has been up; empty when none runs
     * @param lastStartedAt when a backend of this server last started; empty when none has
     * @param lastError why the latest start failed, while the status is {@link ServerStatus#ERROR}
     */
    public ServerStats {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(uptime, "uptime");
      Objects.requireNonNull(lastStartedAt, "lastStartedAt");
      Objects.requireNonNull(lastError, "lastError");
    }
  }
}
