package dev.mcpgateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The conformance fixture server implements what the conformance suite's active server
 * scenarios call: checked here against the fixture itself over Streamable HTTP, with 0.1.16 and
 * with the 2025-11-25 requirement set of 0.2.0-alpha.12, so a later run through the gateway can
 * blame the gateway for any failure. See docs/conformance.md.
 */
class ConformanceFixtureTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void fixtureOverHttpPassesTheActiveConformanceSuite() throws IOException {
    NodeTools.assumeConformanceNode();
    try (NodeProcess fixture = NodeTools.conformanceFixtureHttp().start()) {
      String url = NodeTools.awaitListeningUrl(fixture);
      try (NodeProcess suite = NodeTools.conformanceServer(url).start()) {
        int exit = suite.awaitExit(Duration.ofMinutes(3));
        String output = String.join("\n", suite.stdoutLines());

        assertThat(exit).as("conformance suite exit code; output:%n%s%nstderr:%n%s", output, suite.stderr())
            .isZero();
        assertThat(output).containsPattern("Total: \\d+ passed, 0 failed")
            .contains("dns-rebinding-protection", "tools-call-sampling", "resources-subscribe");
      }
    }
  }

  @Test
  void fixtureOverHttpMeetsThe2025RequirementsOfTheNewerSuite() throws IOException {
    NodeTools.assumeConformanceNode();
    try (NodeProcess fixture = NodeTools.conformanceFixtureHttp().start()) {
      String url = NodeTools.awaitListeningUrl(fixture);
      try (NodeProcess suite = NodeTools.conformance2026Server(url, "--requirements", "2025-11-25").start()) {
        int exit = suite.awaitExit(Duration.ofMinutes(3));
        String output = String.join("\n", suite.stdoutLines());

        assertThat(exit).as("conformance suite exit code; output:%n%s%nstderr:%n%s", output, suite.stderr())
            .isZero();
        assertThat(output).containsPattern("Total: \\d+ passed, 0 failed")
            .contains("server-sse-polling", "json-schema-2020-12", "elicitation-sep1330-enums");
      }
    }
  }

  @Test
  void fixtureOnStdioOffersEveryConformanceTool() throws IOException {
    NodeTools.assumeNode();
    try (NodeProcess fixture = NodeTools.conformanceFixture().start()) {
      StdioJson rpc = new StdioJson(fixture, TIMEOUT);
      JsonNode init = rpc.initialize();
      JsonNode tools = rpc.request(1, "tools/list", StdioJson.object()).path("result").path("tools");
      List<String> names = new ArrayList<>();
      tools.forEach(t -> names.add(t.path("name").asText()));

      assertThat(init.path("capabilities").fieldNames()).toIterable()
          .contains("tools", "resources", "prompts", "logging", "completions");
      assertThat(names).contains("test_simple_text", "test_tool_with_progress", "test_sampling",
          "test_elicitation", "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums",
          "json_schema_2020_12_tool", "test_reconnection");
    }
  }
}
