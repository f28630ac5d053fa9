package dev.mcpgateway;

import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;

/**
 * Told of gateway events outside the request path: configuration, authentication, backend
 * lifecycle, rate limiting and errors. An interceptor that also implements this interface (such as the audit
 * log) receives them. Methods are called on gateway threads, must not block and must not throw;
 * one that throws is logged. Messages never contain secrets.
 */
public interface GatewayListener {

  /** The gateway started with {@code config}. */
  default void configLoaded(GatewayConfig config) {}

  /**
   * The gateway is built and about to take requests. A listener that reports on it (metrics
   * gauges polling {@link McpGateway#stats()}) may keep {@code gateway}; called once.
   */
  default void gatewayStarted(McpGateway gateway) {}

  /** A caller authenticated and started an MCP session on {@code server}. */
  default void authenticated(Identity identity, String server, String remoteAddress) {}

  /** A request was refused by the authenticator ({@code reason} as sent to the client). */
  default void authenticationFailed(String reason, String remoteAddress, String path) {}

  /**
   * A request of {@code identity} (the credential's name) to {@code server} was refused with 429
   * because the caller is over its rate limit.
   */
  default void rateLimited(String server, String identity) {}

  /** A backend of {@code server} started for {@code identity}. */
  default void serverStarted(String server, String identity, String backend) {}

  /** A backend of {@code server} stopped. */
  default void serverStopped(String server, String identity, String reason) {}

  /** Something failed that an operator should see. */
  default void error(String server, String message) {}
}
