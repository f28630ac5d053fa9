package dev.mcpgateway.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.GatewayStats;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.internal.connection.GatewayRuntime;
import dev.mcpgateway.internal.http.Http;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator's endpoints: {@code GET /health} and {@code POST /close}. */
final class AdminEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(dev.mcpgateway.McpGateway.class);

  private final DefaultMcpGateway gateway;
  private final GatewayConfig config;
  private final Authenticator authenticator;
  private final GatewayRuntime runtime;
  private final String version;

  AdminEndpoints(DefaultMcpGateway gateway, GatewayConfig config, Authenticator authenticator, GatewayRuntime runtime,
      String version) {
    this.gateway = gateway;
    this.config = config;
    this.authenticator = authenticator;
    this.runtime = runtime;
    this.version = version;
  }

  /**
   * {@code POST /close}: past the Origin and Host checks and authentication, for an admin key
   * only (or anyone when authentication is off and the operator allowed it); closes the gateway
   * and answers how many servers it terminated.
   */
  CompletionStage<GatewayResponse> close(GatewayRequest request, Identity identity) {
    if (authenticator.isOpen()) {
      if (!config.closeWithoutAuthentication()) {
        LOG.warn("Refused POST /close from {}: authentication is off", request.remoteAddress());
        return CompletableFuture.completedFuture(Http.error(403, "access denied: authentication is off, so /close is refused; configure gateway.adminKey,"
            + " or set gateway.closeWithoutAuthentication to true to allow it anyway"));
      }
    } else if (!identity.admin()) {
      LOG.warn("Refused POST /close from '{}' at {}: not an admin key", identity.name(), request.remoteAddress());
      return CompletableFuture.completedFuture(Http.error(403, "access denied: '" + identity.name() + "' is not an admin key; only the key configured as"
          + " gateway.adminKey may close the gateway"));
    }
    if (gateway.isClosed()) {
      return CompletableFuture.completedFuture(Http.error(410, "gateway is already closed"));
    }
    LOG.info("Closing on request of '{}' from {}", identity.name(), request.remoteAddress());
    return CompletableFuture.supplyAsync(() -> {
      gateway.close();
      ObjectNode body = Json.object();
      body.put("status", "closed");
      body.put("serversTerminated", gateway.serversTerminated());
      return GatewayResponse.json(200, Json.bytes(body));
    }, runnable -> {
      Thread closer = new Thread(runnable, "mcp-gateway-close");
      closer.setDaemon(true);
      closer.start();
    });
  }

  GatewayResponse health() {
    GatewayStats stats = gateway.stats();
    ObjectNode body = Json.object();
    ObjectNode servers = Json.object();
    boolean healthy = true;
    for (Map.Entry<String, GatewayStats.ServerStats> entry : stats.servers().entrySet()) {
      GatewayStats.ServerStats server = entry.getValue();
      ObjectNode status = servers.putObject(entry.getKey());
      status.put("status", server.status().label());
      status.put("backends", server.backends());
      status.put("starts", server.starts());
      status.put("restarts", server.restarts());
      status.put("failures", server.failures());
      status.put("unexpectedExits", server.unexpectedExits());
      server.uptime().ifPresent(uptime -> status.put("uptimeSeconds", uptime.toSeconds()));
      server.lastStartedAt().ifPresent(at -> status.put("lastStartedAt", at.toString()));
      // A code only: the text of a start failure can carry what a backend printed, secrets included.
      if (server.lastError().isPresent()) {
        String code = runtime.health(entry.getKey()).lastErrorCode();
        status.put("error", code != null ? code : "start_failed");
      }
      if (server.status() == GatewayStats.ServerStatus.ERROR) {
        healthy = false;
      }
    }
    body.put("status", gateway.isClosed() ? "closing" : healthy ? "healthy" : "unhealthy");
    body.put("version", version);
    body.put("uptimeSeconds", stats.uptime().toSeconds());
    body.put("sessions", stats.activeSessions());
    body.put("backends", stats.activeBackends());
    body.set("servers", servers);
    return GatewayResponse.json(200, Json.bytes(body));
  }

}
