package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The second load shape beside the soak: wrk, an HTTP load generator outside the JVM, drives
 * MCP {@code tools/call} through the runner at 32 and then 256 connections for
 * {@code gateway.wrk.seconds} (default 60) each, and every answer must be a 200 carrying the
 * echoed text: no socket error (connect, read, write, timeout), no other status, no wrong body.
 * Needs {@code wrk} (Debian: {@code apt-get install wrk}); CI installs it, and without it
 * elsewhere the test says so and is skipped.
 */
@Tag("load")
class WrkLoadTest {
  private static final String KEY = "wrk-load-key-0123456789abcdefghijklmnopqrstuvwxyz";
  private static final int SECONDS = Integer.getInteger("gateway.wrk.seconds", 60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void thirtyTwoAndTwoHundredFiftySixConnectionsGetEveryAnswer() throws Exception {
    boolean haveWrk = onPath("wrk");
    if (!haveWrk && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true, so the wrk load test must run, but wrk is not on the PATH; .ci/run installs it");
    }
    Assumptions.assumeTrue(haveWrk, "wrk is not installed (apt-get install wrk): the wrk load test is skipped");
    Path lua = Path.of("..", "benchmarks", "src", "main", "lua", "tools-call.lua").toAbsolutePath().normalize();
    assertThat(lua).exists();
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder().apiKey(KEY)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("echo")).build();
    // Millions of calls: their audit lines would fill the build's output, so the audit logger is
    // quiet for this test (what the audit trail records is tested elsewhere).
    ch.qos.logback.classic.Logger audit = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("audit");
    ch.qos.logback.classic.Level auditLevel = audit.getLevel();
    audit.setLevel(ch.qos.logback.classic.Level.WARN);
    GatewayRunner.Running running = GatewayRunner.start(config, "127.0.0.1", 0);
    try {
      McpHttp http = new McpHttp("http://127.0.0.1:" + running.port);
      String session = http.open("/mcp/echo", KEY).id;
      for (int connections : new int[] {32, 256}) {
        JsonNode result = wrk(running.port, session, lua, connections);
        long requests = result.path("requests").asLong();
        System.out.printf("[reliability] wrk: %d connections for %d s through the runner: %d answers (%.0f/s), %d bad, "
            + "%d socket errors (connect, read, write, timeout), p99 %.1f ms%n", connections, SECONDS, requests,
            requests / (result.path("durationMicros").asLong() / 1e6), result.path("bad").asLong(),
            result.path("socketErrors").asLong(), result.path("p99Micros").asLong() / 1000.0);
        assertThat(requests).as("answers at %d connections", connections).isGreaterThan(connections);
        assertThat(result.path("ok").asLong()).as("every answer a 200 with the echo").isEqualTo(requests);
        assertThat(result.path("bad").asLong()).as("non-200 or wrong answers").isZero();
        assertThat(result.path("socketErrors").asLong()).as("socket errors and timeouts").isZero();
      }
    } finally {
      running.stop();
      audit.setLevel(auditLevel);
    }
  }

  private static JsonNode wrk(int port, String session, Path lua, int connections) throws Exception {
    Path log = Files.createTempFile("wrk", ".log");
    ProcessBuilder builder = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + SECONDS + "s", "--timeout", "10s",
        "-s", lua.toString(), "http://127.0.0.1:" + port + "/mcp/echo")
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("MCP_SESSION_ID", session);
    builder.environment().put("MCP_AUTHORIZATION", KEY);
    builder.environment().put("MCP_PATH", "/mcp/echo");
    Process wrk = builder.start();
    JsonNode result = null;
    StringBuilder printed = new StringBuilder();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(wrk.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        printed.append(line).append('\n');
        if (line.startsWith("WRK_RESULT ")) {
          result = JSON.readTree(line.substring("WRK_RESULT ".length()));
        }
      }
    }
    assertThat(wrk.waitFor(SECONDS + 60L, TimeUnit.SECONDS)).as("wrk finished").isTrue();
    String errors = Files.readString(log);
    Files.deleteIfExists(log);
    assertThat(result).as("wrk's result line; it printed:%n%s%s", printed, errors).isNotNull();
    assertThat(errors).as("answers the script found wrong").doesNotContain("bad answer");
    return result;
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
