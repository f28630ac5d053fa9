package dev.mcpgateway.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance} 0.1.16, its
 * {@code server} command, the active scenarios) against the example application on Tomcat, in
 * front of the conformance fixture server on stdio; without an API key, as the suite cannot send
 * one. Results are read from the suite's {@code checks.json} files, because its exit code and
 * summary ignore warnings (as in the examples module's GatewayConformanceSuiteTest).
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1", TypeScriptClientOnSpringBootTest.ON_TOMCAT})
class ConformanceOnSpringBootTest {
  /** The active suite of 0.1.16: every server scenario but the pending ones. */
  static final List<String> ACTIVE_SCENARIOS = List.of("server-initialize", "logging-set-level", "ping",
      "completion-complete", "tools-list", "tools-call-simple-text", "tools-call-image", "tools-call-audio",
      "tools-call-embedded-resource", "tools-call-mixed-content", "tools-call-with-logging", "tools-call-error",
      "tools-call-with-progress", "tools-call-sampling", "tools-call-elicitation", "elicitation-sep1034-defaults",
      "server-sse-multiple-streams", "elicitation-sep1330-enums", "resources-list", "resources-read-text",
      "resources-read-binary", "resources-templates-read", "resources-subscribe", "resources-unsubscribe",
      "prompts-list", "prompts-get-simple", "prompts-get-with-args", "prompts-get-embedded-resource",
      "prompts-get-with-image", "dns-rebinding-protection");

  @LocalServerPort
  int port;

  @TempDir
  Path results;

  @DynamicPropertySource
  static void gatewayConfig(DynamicPropertyRegistry registry) {
    registry.add("mcp.gateway.config-file",
        () -> ConfigFiles.write(null, Map.of("conformance", NodeTools.conformanceFixture().commandLine())).toString());
  }

  @Test
  void everyScenarioOfTheActiveSuitePassesThroughTheSpringBootApplication() throws Exception {
    NodeTools.assumeConformanceNode();
    String url = "http://127.0.0.1:" + port + "/mcp-gateway/mcp/conformance";

    String output;
    int exit;
    try (NodeProcess suite = NodeTools.conformanceServer(url, "-o", results.toString()).start()) {
      exit = suite.awaitExit(Duration.ofMinutes(10));
      output = String.join("\n", suite.stdoutLines()) + "\nstderr:\n" + suite.stderr();
    }
    int summary = output.indexOf("=== SUMMARY ===");
    System.out.println("[conformance on Spring Boot] exit " + exit
        + (summary >= 0 ? "\n" + output.substring(summary, output.indexOf("\nstderr:")) : "\n" + output));
    Map<String, List<JsonNode>> byScenario = readChecks(results);

    assertThat(exit).as("suite exit code%n%s", output).isZero();
    assertThat(byScenario.keySet()).as("scenarios that ran%n%s", output).containsExactlyInAnyOrderElementsOf(ACTIVE_SCENARIOS);
    assertThat(notPassing(byScenario)).as("checks that failed or warned%n%s", output).isEmpty();
    assertThat(byScenario.entrySet().stream()
        .filter(e -> e.getValue().stream().noneMatch(c -> c.path("status").asText().equals("SUCCESS")))
        .map(Map.Entry::getKey)).as("scenarios without a passing check").isEmpty();
    assertThat(output).containsPattern("Total: \\d+ passed, 0 failed");
  }

  /** Checks with status FAILURE or WARNING, as {@code scenario: status name: message}. */
  private static List<String> notPassing(Map<String, List<JsonNode>> byScenario) {
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

  /** Reads {@code <results>/server-<scenario>-<timestamp>/checks.json} of every scenario. */
  private static Map<String, List<JsonNode>> readChecks(Path results) throws IOException {
    Map<String, List<JsonNode>> byScenario = new TreeMap<>();
    try (Stream<Path> dirs = Files.list(results)) {
      for (Path dir : dirs.toList()) {
        Path file = dir.resolve("checks.json");
        if (!Files.isRegularFile(file)) {
          continue;
        }
        String name = dir.getFileName().toString().replaceFirst("^server-", "").replaceFirst("-\\d{4}-\\d{2}-\\d{2}T.*$", "");
        List<JsonNode> checks = new ArrayList<>();
        ConfigFiles.JSON.readTree(file.toFile()).forEach(checks::add);
        byScenario.put(name, checks);
      }
    }
    return byScenario;
  }
}
