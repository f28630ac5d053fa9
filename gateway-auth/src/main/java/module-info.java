/**
 * The API-key {@code Authenticator} of the MCP gateway specification, section 7.1, with
 * failure throttling and key rotation.
 */
module dev.mcpgateway.auth.apikey {
  requires transitive dev.mcpgateway.core;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;

  exports dev.mcpgateway.auth.apikey;
}
