package dev.mcpgateway.backend;

import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ServerConfig;

/** Which kind of launcher a server needs. */
public enum BackendKind {
  /** A stdio server in a container image ({@code "container"}). */
  CONTAINER,
  /** A stdio server run as a host process ({@code "command"}); opt-in. */
  COMMAND,
  /** A remote server over Streamable HTTP ({@code "type": "http"}). */
  HTTP;

  /** The kind a server configuration needs. */
  public static BackendKind of(ServerConfig server) {
    if (server.type() == ServerType.HTTP) {
      return HTTP;
    }
    return server.container().isPresent() ? CONTAINER : COMMAND;
  }
}
