package dev.mcpgateway.session;

import dev.mcpgateway.auth.Identity;
import java.time.Instant;

/**
 * One MCP session: what a client gets from {@code initialize} as {@code Mcp-Session-Id}.
 *
 * <p>Created by the gateway and kept in a {@link SessionStore}. Sessions of one identity share
 * that identity's backend per server. Implementations are thread-safe.
 */
public interface McpSession {

  /** The session id: unguessable, visible ASCII. */
  String id();

  /** The server this session was initialized on. */
  String server();

  /** Who owns the session. */
  Identity identity();

  /** The MCP protocol revision negotiated at {@code initialize}, such as {@code 2025-06-18}. */
  String protocolVersion();

  /** When the session was created. */
  Instant createdAt();
}
