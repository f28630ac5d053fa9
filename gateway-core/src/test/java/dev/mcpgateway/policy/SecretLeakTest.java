package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link LeakScenario} in a JVM of its own, with every logger at DEBUG writing to stderr,
 * and searches everything it printed, logged and audited for the secrets it handled.
 */
class SecretLeakTest {
  @TempDir
  Path temp;

  @Test
  void aRunWithKnownSecretsLeavesNoneInAnyLogOrAuditLine() throws Exception {
    NodeTools.assumeNode();
    String unique = UUID.randomUUID().toString().replace("-", "");
    String envSecret = "leak-env-secret-" + unique;
    String token = "ghp_" + unique.substring(0, 32) + "Ab12";
    Path audit = temp.resolve("audit.jsonl");
    Path output = temp.resolve("output.txt");
    List<String> command = new ArrayList<>(List.of(StdioTestServer.javaBinary(),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
        "-D" + NodeTools.NPM_DIR_PROPERTY + "=" + NodeTools.npmDir(),
        "-cp", System.getProperty("java.class.path"), LeakScenario.class.getName(), audit.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("LEAK_ENV_SECRET", envSecret);
    builder.environment().put("LEAK_TOKEN", token);
    Process process = builder.start();
    try {
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the scenario finishes").isTrue();
    } finally {
      process.destroyForcibly();
    }
    String printed = Files.readString(output);
    String audited = Files.readString(audit);
    assertThat(process.exitValue()).as(printed).isZero();
    assertThat(printed).contains("SCENARIO DONE").contains("DEBUG").contains("[REDACTED:github-token]")
        .contains("[REDACTED:secret]").contains("is not allowed on server 'everything'");
    assertThat(audited).contains("\"event\":\"mcp.tool.invocation\"").contains("\"event\":\"access.denied\"");

    for (String secret : List.of(envSecret, token, unique.substring(0, 16))) {
      assertThat(printed).as("log output").doesNotContain(secret);
      assertThat(audited).as("audit lines").doesNotContain(secret);
    }
  }
}
