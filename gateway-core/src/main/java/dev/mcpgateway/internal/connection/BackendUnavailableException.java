package dev.mcpgateway.internal.connection;

import dev.mcpgateway.GatewayException;

/**
 * A server's remote cannot be reached right now; answered with 503
 * {@code {"error":"backend_unavailable","server":...,"message":...}} instead of a JSON-RPC error,
 * while the gateway tries again in the background.
 */
public final class BackendUnavailableException extends GatewayException {
  private static final long serialVersionUID = 1L;

  private final String server;

  public BackendUnavailableException(String server, String message) {
    super(503, BACKEND_ERROR, message);
    this.server = server;
  }

  public String server() {
    return server;
  }
}
