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
    List<String> args = new ArrayList<>(List.of("-o", results.toString()));
    args.addAll(List.of(more));
    try (NodeProcess suite = NodeTools.conformanceServer(url, args.toArray(String[]::new)).start()) {
      int exit = suite.awaitExit(Duration.ofMinutes(5));
      String output = String.join("\n", suite.stdoutLines()) + "\nstderr:\n" + suite.stderr();
      // The summary goes to the build log, so a CI run shows the scenario table.
      int summary = output.indexOf("=== SUMMARY ===");
      System.out.println("[conformance " + String.join(" ", more) + "] exit " + exit
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
