/**
 * The Jakarta Servlet 6 adapter of the MCP gateway: {@code McpGatewayServlet}, an
 * {@code HttpServlet}, so the servlet API is required transitively.
 */
module dev.mcpgateway.servlet {
  requires transitive dev.mcpgateway.core;
  requires transitive jakarta.servlet;
  requires org.slf4j;

  exports dev.mcpgateway.servlet;
}
