package dev.mcpgateway;

import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;

/**
 * Told of gateway events outside the request path: configuration, authentication, backend
 * lifecycle and errors. An interceptor that also implements this interface (such as the audit
 * log) receives them. Methods are called on gateway threads, must not block and must not throw;
 * one that throws is logged. Messages never contain secrets.
 */
public interface GatewayListener {

  /** The gateway started with {@code config}. */
  default void configLoaded(GatewayConfig config) {}

  /** A caller authenticated and started an MCP session on {@code server}. */
  default void authenticated(Identity identity, String server, String remoteAddress) {}

  /** A request was refused by the authenticator ({@code reason} as sent to the client). */
  default void authenticationFailed(String reason, String remoteAddress, String path) {}

  /** A backend of {@code server} started for {@code identity}. */
  default void serverStarted(String server, String identity, String backend) {}

  /** A backend of {@code server} stopped. */
  default void serverStopped(String server, String identity, String reason) {}

  /** Something failed that an operator should see. */
  default void error(String server, String message) {}
}
