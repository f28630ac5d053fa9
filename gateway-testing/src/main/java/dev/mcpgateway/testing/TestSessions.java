package dev.mcpgateway.testing;

import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.session.McpSession;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Session records for testing session stores: each with a new random id, as a gateway makes
 * them, and client capabilities nested enough that a store which loses part of a record fails
 * an equality check.
 *
 * <pre>{@code
 * McpSession session = TestSessions.of("github", "alice-key");
 * store.add(session);
 * assertThat(store.get(session.id())).contains(session);
 * }</pre>
 */
public final class TestSessions {
  /** The protocol version of the sessions made here. */
  public static final String PROTOCOL_VERSION = "2025-06-18";

  private TestSessions() {}

  /**
   * A session on {@code server} of the caller whose credential is {@code credential} (the record
   * holds only its digest, {@link Identity#digest(String)}), created now.
   *
   * @param server the server's name; empty for the unified endpoint
   * @param credential the caller's credential, such as an API key
   * @return a new session
   */
  public static McpSession of(String server, String credential) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(credential, "credential");
    Map<String, Object> capabilities = Map.of(
        "roots", Map.of("listChanged", true),
        "sampling", Map.of(),
        "experimental", Map.of("contract", List.of("a", 1, 2.5, false))); // values of each JSON kind
    Map<String, Object> clientInfo = Map.of("name", "contract-test", "version", "1.0.0");
    return new McpSession(McpSession.newId(), Identity.digest(credential), server, PROTOCOL_VERSION, capabilities,
        clientInfo, ServerConfig.Isolation.KEY, Instant.now());
  }

  /**
   * A session of the unified endpoint ({@code /mcp}), which serves every server.
   *
   * @param credential the caller's credential, such as an API key
   * @return a new session
   */
  public static McpSession unified(String credential) {
    return of("", credential);
  }
}
