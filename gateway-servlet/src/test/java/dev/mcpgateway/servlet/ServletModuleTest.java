package dev.mcpgateway.servlet;

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
}
