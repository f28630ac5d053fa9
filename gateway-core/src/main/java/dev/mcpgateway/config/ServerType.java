package dev.mcpgateway.config;

/** How the gateway talks to a backend server. */
public enum ServerType {
  /** A process or container speaking newline-delimited JSON-RPC on stdin/stdout ({@code "stdio"} or {@code "local"}). */
  STDIO,
  /** A remote MCP server reached over Streamable HTTP ({@code "http"}). */
  HTTP
}
