package dev.mcpgateway.opentelemetry;

import dev.mcpgateway.modules.ModuleLine;
import dev.mcpgateway.modules.PublicApi;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor of {@code gateway-opentelemetry} draws its public line: exporting
 * another package, opening one, or requiring another module transitively, is a change to this test.
 */
class OpenTelemetryModuleTest {

  @Test
  void drawsItsPublicLine() {
    ModuleLine.of(OpenTelemetryTracing.class, "dev.mcpgateway.opentelemetry")
        .exports("dev.mcpgateway.opentelemetry")
        .requiresTransitively("dev.mcpgateway.core", "io.opentelemetry.api")
        .check();
  }

  /** Its public API is the committed baseline {@code api/gateway-opentelemetry.api}; see {@link PublicApi}. */
  @Test
  void keepsItsPublicApi() {
    PublicApi.of(OpenTelemetryTracing.class, "dev.mcpgateway.opentelemetry").check("gateway-opentelemetry");
  }
}
