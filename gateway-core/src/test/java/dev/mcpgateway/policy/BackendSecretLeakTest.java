package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.testsupport.StdioTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link BackendLeakScenario} (a real backend process that says its environment secret
 * through every channel) in a JVM of its own with every logger at DEBUG, and searches what the
 * client received, everything logged and every payload file for the secret.
 */
class BackendSecretLeakTest {
  private static final List<String> CHANNELS = List.of("initialize", "message", "progress", "sample", "elicit", "error", "result",
      "big", "stateless-sample", "stateless-elicit");

  @TempDir
  Path temp;

  @Test
  void aBackendSaysItsSecretOnEveryChannelAndNoneOfThemShowsIt() throws Exception {
    String unique = UUID.randomUUID().toString().replace("-", "");
    String secret = "leak-" + unique;
    Path payloads = temp.resolve("payloads");
    Path output = temp.resolve("output.txt");
    List<String> command = new ArrayList<>(List.of(StdioTestServer.javaBinary(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
        "-cp", System.getProperty("java.class.path"), BackendLeakScenario.class.getName(), payloads.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("LEAK_SECRET", secret);
    Process process = builder.start();
    try {
      assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("the scenario finishes").isTrue();
    } finally {
      process.destroyForcibly();
    }
    String printed = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(tail(printed)).isZero();
    assertThat(printed).contains("SCENARIO DONE");

    Map<String, String> received = printed.lines().filter(line -> line.startsWith("CLIENT "))
        .collect(Collectors.toMap(line -> line.substring(7, line.indexOf(':')), line -> line));
    for (String chain : List.of("default", "none")) {
      for (String channel : CHANNELS) {
        // the marker shows the secret came this way and was replaced
        assertThat(received.get(chain + " " + channel)).as(chain + " " + channel).contains("[REDACTED:secret]");
      }
    }
    // the chain's redaction reaches notifications and requests too; without it only environment values go
    assertThat(received.get("default message")).contains("[REDACTED:github-token]");
    assertThat(received.get("default sample")).contains("[REDACTED:github-token]");
    // a client of the stateless revision gets the backend's request as an input request, redacted the same way
    assertThat(received.get("default stateless-sample")).contains("input_required", "[REDACTED:github-token]");
    assertThat(received.get("none stateless-sample")).contains("input_required");
    assertThat(received.get("none message")).contains(StdioTestServer.TOKEN);

    // stderr: logged, redacted, and the megabyte line bounded
    assertThat(printed).contains("[stderr] failed with the secret is [REDACTED:secret]");
    assertThat(printed).contains("…[truncated ");
    assertThat(printed.lines().mapToInt(String::length).max().orElse(0)).as("longest output line").isLessThan(64 * 1024);

    // offloaded payloads: the file and its preview
    List<Path> files;
    try (Stream<Path> walk = Files.walk(payloads)) {
      files = walk.filter(p -> p.getFileName().toString().endsWith("-payload.json")).collect(Collectors.toList());
    }
    assertThat(files).hasSize(2);
    for (Path file : files) {
      String payload = Files.readString(file, StandardCharsets.UTF_8);
      assertThat(payload).hasSizeGreaterThan(256 * 1024).contains("[REDACTED:secret] [REDACTED:secret]");
      assertThat(payload).doesNotContain(secret).doesNotContain(unique.substring(0, 12));
      TestClientJson.parse(payload); // still JSON
    }
    assertThat(received.get("default big")).contains("preview");

    for (String leaked : List.of(secret, unique, unique.substring(0, 12))) {
      assertThat(printed).as("what the client received and what was logged").doesNotContain(leaked);
    }
  }

  private static String tail(String text) {
    return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
  }

  /** Parses JSON, for the check that a redacted payload is still JSON. */
  private static final class TestClientJson {
    static void parse(String json) throws Exception {
      new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    }
  }
}
