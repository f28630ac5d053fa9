package dev.mcpgateway;

import dev.mcpgateway.modules.PublicApi;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor of {@code gateway-core} draws its public line: exporting another
 * package, or requiring another module transitively, is a change to this test.
 */
class CoreModuleTest {
  private static final String MODULE = "dev.mcpgateway.core";

  @Test
  void exportsExactlyItsApiPackagesToEveryone() throws Exception {
    ModuleDescriptor module = descriptor();
    assertThat(module.exports()).noneMatch(Exports::isQualified);
    assertThat(module.exports()).extracting(Exports::source).containsExactlyInAnyOrder(
        "dev.mcpgateway",
        "dev.mcpgateway.audit",
        "dev.mcpgateway.auth",
        "dev.mcpgateway.backend",
        "dev.mcpgateway.cluster",
        "dev.mcpgateway.config",
        "dev.mcpgateway.payload",
        "dev.mcpgateway.policy",
        "dev.mcpgateway.session",
        "dev.mcpgateway.stream",
        "dev.mcpgateway.trace");
  }

  @Test
  void keepsEveryOtherPackageInternal() throws Exception {
    ModuleDescriptor module = descriptor();
    Set<String> hidden = new HashSet<>(module.packages());
    module.exports().forEach(e -> hidden.remove(e.source()));
    assertThat(hidden).allMatch(p -> p.matches(".*\\.internal(\\..*)?"), "an internal package");
    assertThat(module.opens()).isEmpty();
  }

  @Test
  void requiresTransitivelyOnlyWhatItsApiShows() throws Exception {
    // No third-party type is in the core's API, so nothing is required transitively.
    assertThat(descriptor().requires()).filteredOn(r -> r.modifiers().contains(Requires.Modifier.TRANSITIVE)).isEmpty();
  }

  /** The descriptor of the main classes (target/classes, or the jar), as the module system reads it. */
  private static ModuleDescriptor descriptor() throws Exception {
    Path classes = Path.of(McpGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return ModuleFinder.of(classes).find(MODULE)
        .orElseThrow(() -> new AssertionError("no module " + MODULE + " in " + classes)).descriptor();
  }

  /** Its public API is the committed baseline {@code api/gateway-core.api}; see {@link PublicApi}. */
  @Test
  void keepsItsPublicApi() {
    PublicApi.of(McpGateway.class, "dev.mcpgateway.core").check("gateway-core");
  }
}
