package dev.mcpgateway.auth.apikey;

import dev.mcpgateway.modules.PublicApi;
import dev.mcpgateway.modules.ModuleLine;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor of {@code gateway-auth} draws its public line: exporting another
 * package, opening one, or requiring another module transitively, is a change to this test.
 */
class AuthModuleTest {

  @Test
  void drawsItsPublicLine() {
    ModuleLine.of(ApiKeyAuthenticator.class, "dev.mcpgateway.auth.apikey")
        .exports("dev.mcpgateway.auth.apikey")
        .requiresTransitively("dev.mcpgateway.core")
        .check();
  }

  /** Its public API is the committed baseline {@code api/gateway-auth.api}; see {@link PublicApi}. */
  @Test
  void keepsItsPublicApi() {
    PublicApi.of(ApiKeyAuthenticator.class, "dev.mcpgateway.auth.apikey").check("gateway-auth");
  }
}
