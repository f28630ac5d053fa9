package dev.mcpgateway.examples.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance} 0.1.16, its
 * {@code server} command) against the gateway's URL: the standalone runner on 127.0.0.1 without
 * an API key (the suite cannot send one), fronting the conformance fixture server on stdio as a
 * host process. Results are read from the suite's {@code checks.json} files, one per scenario,
 * because its exit code and summary ignore warnings. See docs/transport.md.
 */
class GatewayConformanceSuiteTest {
  /** The active suite of 0.1.16: every server scenario but the pending ones. */
  static final List<String> ACTIVE_SCENARIOS = List.of("server-initialize", "logging-set-level", "ping",
      "completion-complete", "tools-list", "tools-call-simple-text", "tools-call-image", "tools-call-audio",
      "tools-call-embedded-resource", "tools-call-mixed-content", "tools-call-with-logging", "tools-call-error",
      "tools-call-with-progress", "tools-call-sampling", "tools-call-elicitation", "elicitation-sep1034-defaults",
      "server-sse-multiple-streams", "elicitation-sep1330-enums", "resources-list", "resources-read-text",
      "resources-read-binary", "resources-templates-read", "resources-subscribe", "resources-unsubscribe",
      "prompts-list", "prompts-get-simple", "prompts-get-with-args", "prompts-get-embedded-resource",
      "prompts-get-with-image", "dns-rebinding-protection");
  static final List<String> PENDING_SCENARIOS = List.of("json-schema-2020-12", "server-sse-polling");

  /** What protocol revision 2026-07-28 requires of a server, frozen at its release (0.2.0-alpha.12, {@code list --requirements}). */
  static final List<String> REQUIRED_2026 = List.of("server-stateless", "completion-complete", "tools-list",
      "tools-call-simple-text", "tools-call-image", "tools-call-audio", "tools-call-embedded-resource", "tools-call-mixed-content",
      "tools-call-error", "tools-call-with-progress", "server-sse-multiple-streams", "resources-list", "resources-read-text",
      "resources-read-binary", "resources-templates-read", "sep-2164-resource-not-found", "prompts-list", "prompts-get-simple",
      "prompts-get-with-args", "prompts-get-embedded-resource", "prompts-get-with-image", "dns-rebinding-protection", "caching",
      "input-required-result-basic-elicitation", "input-required-result-basic-sampling", "input-required-result-basic-list-roots",
      "input-required-result-request-state", "input-required-result-multiple-input-requests", "input-required-result-multi-round",
      "input-required-result-missing-input-response", "input-required-result-non-tool-request", "input-required-result-result-type",
      "input-required-result-unsupported-methods", "input-required-result-tampered-state", "input-required-result-capability-check",
      "input-required-result-ignore-extra-params", "input-required-result-validate-input");

  /** What revision 2025-11-25 requires of a server, frozen at its release (the same suite). */
  static final List<String> REQUIRED_2025 = List.of("server-initialize", "logging-set-level", "ping", "completion-complete",
      "tools-list", "tools-call-simple-text", "tools-call-image", "tools-call-audio", "tools-call-embedded-resource",
      "tools-call-mixed-content", "tools-call-with-logging", "tools-call-error", "tools-call-with-progress", "tools-call-sampling",
      "tools-call-elicitation", "elicitation-sep1034-defaults", "server-sse-multiple-streams", "elicitation-sep1330-enums",
      "resources-list", "resources-read-text", "resources-read-binary", "resources-templates-read", "resources-subscribe",
      "resources-unsubscribe", "prompts-list", "prompts-get-simple", "prompts-get-with-args", "prompts-get-embedded-resource",
      "prompts-get-with-image", "dns-rebinding-protection");

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path results;

  private LoopbackGateway gateway;

  @AfterEach
  void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void everyScenarioOfTheActiveSuitePassesThroughTheGateway() throws Exception {
    NodeTools.assumeConformanceNode();
    gateway = LoopbackGateway.start(config());

    SuiteRun run = runSuite(gateway.url("conformance"), results);

    assertThat(run.exitCode()).as("suite exit code%n%s", run.output()).isZero();
    assertThat(run.byScenario().keySet()).as("scenarios that ran%n%s", run.output())
        .containsExactlyInAnyOrderElementsOf(ACTIVE_SCENARIOS);
    assertThat(run.notPassing()).as("checks that failed or warned%n%s", run.output()).isEmpty();
    assertThat(run.scenariosWithoutSuccess()).as("scenarios without a passing check").isEmpty();
    assertThat(run.output()).containsPattern("Total: \\d+ passed, 0 failed");
  }

  @Test
  void pendingScenariosPassWithoutFailuresOrWarningsThroughTheGateway() throws Exception {
    NodeTools.assumeConformanceNode();
    gateway = LoopbackGateway.start(config());

    SuiteRun run = runSuite(gateway.url("conformance"), results, "--suite", "pending");

    assertThat(run.byScenario().keySet()).as("scenarios that ran%n%s", run.output())
        .containsExactlyInAnyOrderElementsOf(PENDING_SCENARIOS);
    assertThat(run.notPassing()).as("checks that failed or warned%n%s", run.output()).isEmpty();
  }

  /**
   * The 2026-07-28 requirement set (0.2.0-alpha.12) through the gateway, in front of the same
   * session-based fixture on stdio: every required scenario passes without failures or warnings,
   * through the bridge (multi-round-trip requests made of the fixture's server requests); the
   * scenarios run but never scored (the tasks extension, pending ones) are reported.
   */
  @Test
  void everyScenarioThe2026RevisionRequiresPassesThroughTheBridge() throws Exception {
    NodeTools.assumeConformanceNode();
    gateway = LoopbackGateway.start(config2026());
    warmUp(gateway.url("conformance"));

    SuiteRun run = runSuite2026(gateway.url("conformance"), results, "--requirements", NodeTools.REVISION_2026_07_28);

    Map<String, List<JsonNode>> required = new TreeMap<>(run.byScenario());
    required.keySet().retainAll(REQUIRED_2026);
    assertThat(required.keySet()).as("required scenarios that ran%n%s", run.output()).containsExactlyInAnyOrderElementsOf(REQUIRED_2026);
    SuiteRun scored = new SuiteRun(run.exitCode(), run.output(), required);
    assertThat(scored.notPassing()).as("required checks that failed or warned%n%s", run.output()).isEmpty();
    assertThat(scored.scenariosWithoutSuccess()).as("required scenarios without a passing check").isEmpty();
    assertThat(run.output()).contains("Not scored for 2026-07-28");
  }

  /** The 2025-11-25 requirement set of the same suite: the session-based revision, beside the stateless one. */
  @Test
  void everyScenarioThe2025RevisionRequiresPassesWithTheSameSuite() throws Exception {
    NodeTools.assumeConformanceNode();
    gateway = LoopbackGateway.start(config2026());

    SuiteRun run = runSuite2026(gateway.url("conformance"), results, "--requirements", "2025-11-25");

    Map<String, List<JsonNode>> required = new TreeMap<>(run.byScenario());
    required.keySet().retainAll(REQUIRED_2025);
    assertThat(required.keySet()).as("required scenarios that ran%n%s", run.output()).containsExactlyInAnyOrderElementsOf(REQUIRED_2025);
    SuiteRun scored = new SuiteRun(run.exitCode(), run.output(), required);
    assertThat(scored.notPassing()).as("required checks that failed or warned%n%s", run.output()).isEmpty();
    assertThat(scored.scenariosWithoutSuccess()).as("required scenarios without a passing check").isEmpty();
  }

  /**
   * The suite calls tools whose input requests leave calls waiting for input it never sends (it
   * checks the first round only): each holds its backend instance until the tool timeout, so the
   * caller's bound on instances is raised above the number the run leaves waiting.
   */
  static GatewayConfig config2026() {
    return GatewayConfig.builder()
        .maxBackendsPerCaller(16)
        .server(NodeTools.conformanceFixture().serverConfig().build("conformance"))
        .build();
  }

  /**
   * Starts the backend instances for the capability sets the suite declares, before it runs: one
   * of its checks reads a request's stream for 600 ms only, less than a fresh Node process takes
   * to start on a loaded machine. A running gateway has its instances up already.
   */
  private static void warmUp(String url) throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    for (String capabilities : List.of("{}", "{\"elicitation\":{}}", "{\"sampling\":{}}",
        "{\"sampling\":{},\"elicitation\":{},\"roots\":{\"listChanged\":true}}")) {
      String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
          + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":"
          + capabilities + "}}}";
      java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
          .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
          .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/list")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  static GatewayConfig config() {
    return GatewayConfig.builder()
        .server(NodeTools.conformanceFixture().serverConfig().build("conformance"))
        .build();
  }

  /** One run of the suite: exit code, console output and the checks of each scenario. */
  record SuiteRun(int exitCode, String output, Map<String, List<JsonNode>> byScenario) {
    /** Checks with status FAILURE or WARNING, as {@code scenario: name: message}. */
    List<String> notPassing() {
      List<String> bad = new ArrayList<>();
      byScenario.forEach((scenario, checks) -> {
        for (JsonNode check : checks) {
          String status = check.path("status").asText();
          if (status.equals("FAILURE") || status.equals("WARNING")) {
            bad.add(scenario + ": " + status + " " + check.path("name").asText() + ": "
                + check.path("errorMessage").asText(check.path("description").asText()));
          }
        }
      });
      return bad;
    }

    /** Scenarios none of whose checks has status SUCCESS. */
    List<String> scenariosWithoutSuccess() {
      return byScenario.entrySet().stream()
          .filter(e -> e.getValue().stream().noneMatch(c -> c.path("status").asText().equals("SUCCESS")))
          .map(Map.Entry::getKey).toList();
    }
  }

  static SuiteRun runSuite(String url, Path results, String... more) throws IOException {
    return runSuite(false, url, results, more);
  }

  /** A run of the 0.2.0-alpha.12 suite, which knows the 2026-07-28 revision. */
  static SuiteRun runSuite2026(String url, Path results, String... more) throws IOException {
    return runSuite(true, url, results, more);
  }

  private static SuiteRun runSuite(boolean alpha, String url, Path results, String... more) throws IOException {
    List<String> args = new ArrayList<>(List.of("-o", results.toString()));
    args.addAll(List.of(more));
    String[] line = args.toArray(String[]::new);
    try (NodeProcess suite = (alpha ? NodeTools.conformance2026Server(url, line) : NodeTools.conformanceServer(url, line)).start()) {
      int exit = suite.awaitExit(Duration.ofMinutes(10));
      String output = String.join("\n", suite.stdoutLines()) + "\nstderr:\n" + suite.stderr();
      // The summary goes to the build log, so a CI run shows the scenario table.
      int summary = output.indexOf("=== SUMMARY ===");
      System.out.println("[conformance" + (alpha ? " 0.2.0-alpha.12 " : " ") + String.join(" ", more) + "] exit " + exit
          + (summary >= 0 ? "\n" + output.substring(summary, output.indexOf("\nstderr:")) : "\n" + output));
      return new SuiteRun(exit, output, readChecks(results));
    }
  }

  /** Reads {@code <results>/server-<scenario>-<timestamp>/checks.json} of every scenario. */
  private static Map<String, List<JsonNode>> readChecks(Path results) throws IOException {
    Map<String, List<JsonNode>> byScenario = new TreeMap<>();
    try (Stream<Path> dirs = Files.list(results)) {
      for (Path dir : dirs.toList()) {
        Path file = dir.resolve("checks.json");
        if (!Files.isRegularFile(file)) {
          continue;
        }
        String name = dir.getFileName().toString().replaceFirst("^server-", "")
            .replaceFirst("-\\d{4}-\\d{2}-\\d{2}T.*$", "");
        List<JsonNode> checks = new ArrayList<>();
        JSON.readTree(file.toFile()).forEach(checks::add);
        byScenario.put(name, checks);
      }
    }
    return byScenario;
  }
}
