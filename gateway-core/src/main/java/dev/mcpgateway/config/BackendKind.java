package dev.mcpgateway.config;

/**
 * How the gateway starts or reaches a server, and so which launcher it needs: the
 * {@link ServerConfig#kind() kind} of every server, registered against a launcher with
 * {@code McpGateway.builder(config).launcher(kind, launcher)}.
 *
 * <p>In JSON, {@code "type": "stdio"} (or {@code "local"}) with {@code "container"} is
 * {@link #CONTAINER}, with {@code "command"} is {@link #COMMAND}; {@code "type": "http"} is
 * {@link #HTTP}.
 */
public enum BackendKind {
  /** A stdio server in a container image ({@code "container"}): newline-delimited JSON-RPC on stdin/stdout. */
  CONTAINER,
  /** A stdio server run as a host process ({@code "command"}); opt-in. */
  COMMAND,
  /** A remote MCP server reached over Streamable HTTP ({@code "type": "http"}). */
  HTTP
}
