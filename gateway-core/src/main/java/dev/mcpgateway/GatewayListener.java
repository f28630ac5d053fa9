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

  /**
   * The gateway started with {@code config}.
   *
   * @param config the configuration in effect
   */
  default void configLoaded(GatewayConfig config) {}

  /**
   * The gateway is built and about to take requests. A listener that reports on it (metrics
   * gauges polling {@link McpGateway#stats()}) may keep {@code gateway}; called once.
   *
   * @param gateway the gateway that is starting
   */
  default void gatewayStarted(McpGateway gateway) {}

  /**
   * A caller authenticated and started an MCP session on {@code server}.
   *
   * @param identity who authenticated
   * @param server the server's name
   * @param remoteAddress the caller's address as {@code host:port}, for logs
   */
  default void authenticated(Identity identity, String server, String remoteAddress) {}

  /**
   * A request was refused by the authenticator ({@code reason} as sent to the client).
   *
   * @param reason why, as sent to the client
   * @param remoteAddress the caller's address as {@code host:port}, for logs
   * @param path the request path
   */
  default void authenticationFailed(String reason, String remoteAddress, String path) {}

  /**
   * A request of {@code identity} (the credential's name) to {@code server} was refused with 429
   * because the caller is over its rate limit.
   *
   * @param server the server's name
   * @param identity the caller's name
   */
  default void rateLimited(String server, String identity) {}

  /**
   * A backend of {@code server} started for {@code identity}.
   *
   * @param server the server's name
   * @param identity the name of the caller the backend serves
   * @param backend a description of the backend instance, for logs
   */
  default void serverStarted(String server, String identity, String backend) {}

  /**
   * A backend of {@code server} stopped.
   *
   * @param server the server's name
   * @param identity the name of the caller the backend served
   * @param reason why it stopped
   */
  default void serverStopped(String server, String identity, String reason) {}

  /**
   * Something failed that an operator should see.
   *
   * @param server the server concerned
   * @param message what failed
   */
  default void error(String server, String message) {}
}
