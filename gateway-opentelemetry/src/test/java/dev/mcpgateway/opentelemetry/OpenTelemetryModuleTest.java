package dev.mcpgateway.opentelemetry;

import dev.mcpgateway.modules.ModuleLine;
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
}
