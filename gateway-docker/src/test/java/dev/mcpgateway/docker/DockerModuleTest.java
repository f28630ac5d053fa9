package dev.mcpgateway.docker;

import dev.mcpgateway.modules.PublicApi;
import dev.mcpgateway.modules.ModuleLine;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor of {@code gateway-docker} draws its public line: exporting another
 * package, opening one, or requiring another module transitively, is a change to this test.
 */
class DockerModuleTest {

  @Test
  void drawsItsPublicLine() {
    ModuleLine.of(DockerBackendLauncher.class, "dev.mcpgateway.docker")
        .exports("dev.mcpgateway.docker")
        .requiresTransitively("dev.mcpgateway.core")
        .check();
  }

  /** Its public API is the committed baseline {@code api/gateway-docker.api}; see {@link PublicApi}. */
  @Test
  void keepsItsPublicApi() {
    PublicApi.of(DockerBackendLauncher.class, "dev.mcpgateway.docker").check("gateway-docker");
  }
}
