/**
 * The MCP gateway's core: {@code McpGateway} and its transport-neutral requests and responses,
 * configuration, and the SPIs (authenticator, backend launcher, session, payload and event
 * stores, interceptors, the cluster bus) with their JDK-only defaults.
 *
 * <p>Only API and SPI packages are exported; {@code dev.mcpgateway.internal} and its
 * sub-packages are the implementation. No third-party type appears in an exported signature,
 * so no dependency is required transitively.
 */
module dev.mcpgateway.core {
  requires com.fasterxml.jackson.databind;
  requires com.github.benmanes.caffeine;
  requires java.net.http;
  requires org.slf4j;

  exports dev.mcpgateway;
  exports dev.mcpgateway.audit;
  exports dev.mcpgateway.auth;
  exports dev.mcpgateway.backend;
  exports dev.mcpgateway.cluster;
  exports dev.mcpgateway.config;
  exports dev.mcpgateway.payload;
  exports dev.mcpgateway.policy;
  exports dev.mcpgateway.session;
  exports dev.mcpgateway.stream;
  exports dev.mcpgateway.trace;
}
