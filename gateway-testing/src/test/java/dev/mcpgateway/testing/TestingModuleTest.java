package dev.mcpgateway.testing;

import dev.mcpgateway.modules.PublicApi;
import dev.mcpgateway.modules.ModuleLine;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor of {@code gateway-testing} draws its public line: exporting another
 * package, opening one, or requiring another module transitively, is a change to this test.
 */
class TestingModuleTest {

  @Test
  void drawsItsPublicLine() {
    ModuleLine.of(InMemoryBackendLauncher.class, "dev.mcpgateway.testing")
        .exports("dev.mcpgateway.testing")
        .requiresTransitively("dev.mcpgateway.core", "org.junit.jupiter.api")
        // JUnit runs the contract tests' inherited, package-private test methods reflectively
        .opens("dev.mcpgateway.testing", "org.junit.platform.commons")
        .check();
  }

  /** Its public API is the committed baseline {@code api/gateway-testing.api}; see {@link PublicApi}. */
  @Test
  void keepsItsPublicApi() {
    PublicApi.of(InMemoryBackendLauncher.class, "dev.mcpgateway.testing").check("gateway-testing");
  }
}
