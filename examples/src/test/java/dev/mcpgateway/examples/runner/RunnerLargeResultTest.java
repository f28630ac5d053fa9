package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.testsupport.NodeCommand;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 500 MB tool result passes through the runner in a JVM of its own started with
 * {@code -Xmx48m}: it is streamed from the backend process's output to the payload file as it
 * arrives, redacted on the way, and never held in memory.
 */
class RunnerLargeResultTest {
  private static final String KEY = "runner-large-result-key-0123456789abcdefgh";
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final long CHARS = 500L * 1000 * 1000;

  @TempDir
  Path dir;

  @Test
  void aFiveHundredMegabyteResultWithItsIdLastPassesARunnerWith48MegabytesOfHeapWholeAndRedacted() throws Exception {
    String secret = "big-secret-" + UUID.randomUUID().toString().replace("-", "");
    List<String> server = StdioTestServer.commandLine();
    StringBuilder args = new StringBuilder();
    for (String arg : server.subList(1, server.size())) {
      args.append(args.length() == 0 ? "" : ",").append(json(arg));
    }
    Path payloads = dir.resolve("payloads");
    String config = "{\"gateway\":{\"apiKey\":\"" + KEY + "\",\"payloadDir\":" + json(payloads.toString())
        + ",\"maxMessageBytes\":\"600m\"},\"mcpServers\":{\"big\":{\"type\":\"stdio\",\"command\":" + json(server.get(0))
        + ",\"args\":[" + args + "],\"env\":{\"LEAK_SECRET\":\"\"}}}}";
    Path file = Files.writeString(dir.resolve("gateway.json"), config);
    List<String> line = new ArrayList<>(List.of(StdioTestServer.javaBinary(), "-Xmx48m", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), GatewayRunner.class.getName(), "--config", file.toString(),
        "--listen", "127.0.0.1:0"));
    try (NodeProcess runner = NodeCommand.of(line).withEnv("LEAK_SECRET", secret).start(dir)) {
      JsonNode printed = McpHttp.JSON.readTree(runner.awaitLine(l -> true, DEADLINE));
      String url = printed.path("mcpServers").path("big").path("url").asText();
      McpHttp.Session session = new McpHttp(url.substring(0, url.indexOf("/mcp/"))).open("/mcp/big", KEY);

      long started = System.nanoTime();
      JsonNode result = session.callTool("leak", "{\"via\":\"big\",\"chars\":" + CHARS + ",\"idLast\":true}").path("result");
      long millis = (System.nanoTime() - started) / 1_000_000;
      JsonNode summary = result.path("_meta").path("dev.mcpgateway/payload");
      assertThat(summary.path("payloadPath").asText()).as("answer: %s; runner stderr: %s", result, runner.stderr()).isNotEmpty();
      Path payload = Path.of(summary.path("payloadPath").asText());
      long size = Files.size(payload);
      System.out.println("[reliability] a 500 MB result (" + CHARS + " characters) with its id last through a runner with "
          + "-Xmx48m: stored whole in " + millis + " ms, " + size + " bytes once every copy of the secret was redacted; "
          + "the runner still alive: " + runner.process().isAlive());
      assertThat(summary.path("sizeBytes").asLong()).isEqualTo(size);
      assertThat(summary.toString()).doesNotContain(secret);

      // the file: the result with every copy of the secret replaced, and nothing else
      String unit = secret + " ";
      long units = (CHARS + unit.length() - 1) / unit.length();
      byte[] prefix = "{\"content\":[{\"type\":\"text\",\"text\":\"".getBytes(StandardCharsets.UTF_8);
      byte[] redacted = "[REDACTED:secret] ".getBytes(StandardCharsets.UTF_8);
      try (InputStream in = new BufferedInputStream(Files.newInputStream(payload), 1 << 16)) {
        assertThat(in.readNBytes(prefix.length)).isEqualTo(prefix);
        for (long i = 0; i < units; i++) {
          byte[] next = in.readNBytes(redacted.length);
          if (!Arrays.equals(next, redacted)) {
            throw new AssertionError("unit " + i + " of " + units + " is '" + new String(next, StandardCharsets.UTF_8) + "'");
          }
        }
        String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(rest).startsWith("\"}],\"structuredContent\":{\"note\":\"the secret is [REDACTED:secret] and the token ")
            .endsWith("\"}}").doesNotContain(secret);
        assertThat(size).isEqualTo(prefix.length + units * redacted.length + rest.getBytes(StandardCharsets.UTF_8).length);
      }
      assertThat(runner.process().isAlive()).as("the runner survived; stderr: %s", runner.stderr()).isTrue();
      assertThat(session.callTool("echo", "{\"message\":\"still here\"}").path("result").path("content").path(0).path("text")
          .asText()).isEqualTo("still here");
      assertThat(runner.stderr()).doesNotContain(secret).doesNotContain("OutOfMemoryError");
      try (var spool = Files.list(payloads.resolve(".spool"))) {
        assertThat(spool.toList()).as("spool files left").isEmpty();
      }
    }
  }

  private static String json(String text) {
    return McpHttp.JSON.getNodeFactory().textNode(text).toString();
  }
}
