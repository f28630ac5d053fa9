package dev.mcpgateway.servlet;

import dev.mcpgateway.modules.PublicApi;
import dev.mcpgateway.modules.ModuleLine;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor of {@code gateway-servlet} draws its public line: exporting another
 * package, opening one, or requiring another module transitively, is a change to this test.
 */
class ServletModuleTest {

  @Test
  void drawsItsPublicLine() {
    ModuleLine.of(McpGatewayServlet.class, "dev.mcpgateway.servlet")
        .exports("dev.mcpgateway.servlet")
        .requiresTransitively("dev.mcpgateway.core", "jakarta.servlet")
        .check();
  }

  /** Its public API is the committed baseline {@code api/gateway-servlet.api}; see {@link PublicApi}. */
  @Test
  void keepsItsPublicApi() {
    PublicApi.of(McpGatewayServlet.class, "dev.mcpgateway.servlet").check("gateway-servlet");
  }
}
