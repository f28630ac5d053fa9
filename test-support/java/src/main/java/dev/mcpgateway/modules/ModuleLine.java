package dev.mcpgateway.modules;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Opens;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The public line a library module's compiled descriptor draws, checked exactly: which packages
 * it exports (to everyone), which modules it requires transitively, what it opens, and that every
 * other package is internal. A module test names the line; any change to the descriptor fails it.
 *
 * <pre>{@code
 * ModuleLine.of(ApiKeyAuthenticator.class, "dev.mcpgateway.auth.apikey")
 *     .exports("dev.mcpgateway.auth.apikey")
 *     .requiresTransitively("dev.mcpgateway.core")
 *     .check();
 * }</pre>
 */
public final class ModuleLine {
  private final Class<?> anchor;
  private final String module;
  private Set<String> exports = Set.of();
  private Set<String> transitive = Set.of();
  private Map<String, Set<String>> opens = Map.of();

  private ModuleLine(Class<?> anchor, String module) {
    this.anchor = anchor;
    this.module = module;
  }

  /** The line of module {@code module}, whose main classes (or jar) hold {@code anchor}. */
  public static ModuleLine of(Class<?> anchor, String module) {
    return new ModuleLine(anchor, module);
  }

  /** Exactly these packages are exported, to everyone. */
  public ModuleLine exports(String... packages) {
    this.exports = Set.of(packages);
    return this;
  }

  /** Exactly these modules are required transitively (none unless named). */
  public ModuleLine requiresTransitively(String... modules) {
    this.transitive = Set.of(modules);
    return this;
  }

  /** {@code pkg} is opened, to exactly {@code targets} (nothing is opened unless named). */
  public ModuleLine opens(String pkg, String... targets) {
    Map<String, Set<String>> copy = new TreeMap<>(opens);
    copy.put(pkg, Set.of(targets));
    this.opens = copy;
    return this;
  }

  /** Checks the compiled descriptor against the line; throws an {@link AssertionError} naming every difference. */
  public void check() {
    ModuleDescriptor descriptor = descriptor();
    StringBuilder differences = new StringBuilder();
    Set<String> qualified = descriptor.exports().stream().filter(Exports::isQualified).map(Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
    if (!qualified.isEmpty()) {
      differences.append("\n  qualified exports: ").append(qualified);
    }
    compare(differences, "exports", exports, descriptor.exports().stream().map(Exports::source).collect(Collectors.toSet()));
    compare(differences, "transitive requires", transitive, descriptor.requires().stream()
        .filter(r -> r.modifiers().contains(Requires.Modifier.TRANSITIVE)).map(Requires::name).collect(Collectors.toSet()));
    Map<String, Set<String>> opened = new TreeMap<>();
    for (Opens open : descriptor.opens()) {
      opened.put(open.source(), open.targets());
    }
    if (!opened.equals(new TreeMap<>(opens))) {
      differences.append("\n  opens: expected ").append(new TreeMap<>(opens)).append(", found ").append(opened);
    }
    Set<String> hidden = new TreeSet<>(descriptor.packages());
    hidden.removeAll(exports);
    hidden.removeIf(p -> p.matches(".*\\.internal(\\..*)?"));
    if (!hidden.isEmpty()) {
      differences.append("\n  packages neither exported nor internal: ").append(hidden);
    }
    if (differences.length() > 0) {
      throw new AssertionError("module " + module + " draws another line than its test:" + differences);
    }
  }

  private static void compare(StringBuilder differences, String what, Set<String> expected, Set<String> found) {
    if (!new TreeSet<>(expected).equals(new TreeSet<>(found))) {
      differences.append("\n  ").append(what).append(": expected ").append(new TreeSet<>(expected))
          .append(", found ").append(new TreeSet<>(found));
    }
  }

  private ModuleDescriptor descriptor() {
    Path classes;
    try {
      classes = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError("cannot locate the classes of " + anchor, e);
    }
    return ModuleFinder.of(classes).find(module)
        .orElseThrow(() -> new AssertionError("no module " + module + " in " + classes)).descriptor();
  }
}
