package dev.mcpgateway.micrometer;

import dev.mcpgateway.modules.PublicApi;
import dev.mcpgateway.modules.ModuleLine;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor of {@code gateway-micrometer} draws its public line: exporting another
 * package, opening one, or requiring another module transitively, is a change to this test.
 */
class MicrometerModuleTest {

  @Test
  void drawsItsPublicLine() {
    ModuleLine.of(MicrometerMetrics.class, "dev.mcpgateway.micrometer")
        .exports("dev.mcpgateway.micrometer")
        .requiresTransitively("dev.mcpgateway.core", "micrometer.core")
        .check();
  }

  /** Its public API is the committed baseline {@code api/gateway-micrometer.api}; see {@link PublicApi}. */
  @Test
  void keepsItsPublicApi() {
    PublicApi.of(MicrometerMetrics.class, "dev.mcpgateway.micrometer").check("gateway-micrometer");
  }
}
