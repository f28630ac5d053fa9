package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner as its own process with {@code --log-dir} and a real child-process backend: after
 * some traffic and {@code POST /close}, the directory holds the three kinds of log, in their
 * formats, without the API key or the backend's secret.
 */
class LogDirectoryTest {
  private static final String API_KEY = "runner-test-key-7f3a9c2e5b1d4f6a8c0e";
  private static final String ADMIN_KEY = "runner-admin-key-2b8d4e6f0a1c3e5a7c9e";
  private static final String SECRET = "backend-secret-9d8c7b6a5f4e3d2c";
  private static final Pattern LINE = Pattern.compile(
      "\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z] \\[(TRACE|DEBUG|INFO|WARN|ERROR)] \\[[^\\]\\s]+] .*");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path work;
  private static Path logs;
  private static final List<String> stderr = new ArrayList<>();

  @BeforeAll
  static void runTheGatewayWithTraffic() throws Exception {
    logs = work.resolve("logs");
    Path config = work.resolve("gateway.json");
    List<String> server = StdioTestServer.commandLine();
    Map<String, Object> json = Map.of(
        "gateway", Map.of("apiKey", "${MCP_GATEWAY_API_KEY}", "adminKey", "${MCP_GATEWAY_ADMIN_KEY}"),
        "mcpServers", Map.of("test", Map.of("type", "stdio", "command", server.get(0),
            "args", server.subList(1, server.size()), "env", Map.of("RUNNER_TEST_SECRET", ""))));
    Files.writeString(config, JSON.writeValueAsString(json));

    ProcessBuilder builder = new ProcessBuilder(StdioTestServer.javaBinary(), "-cp", System.getProperty("java.class.path"),
        GatewayRunner.class.getName(), "--config", config.toString(), "--listen", "127.0.0.1:0", "--log-dir", logs.toString());
    builder.environment().put("MCP_GATEWAY_API_KEY", API_KEY);
    builder.environment().put("MCP_GATEWAY_ADMIN_KEY", ADMIN_KEY);
    builder.environment().put("RUNNER_TEST_SECRET", SECRET);
    builder.environment().remove("MCP_GATEWAY_LOG_DIR");
    Process runner = builder.start();
    Thread drain = new Thread(() -> {
      try (BufferedReader err = new BufferedReader(new InputStreamReader(runner.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line = err.readLine(); line != null; line = err.readLine()) {
          synchronized (stderr) {
            stderr.add(line);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    });
    drain.setDaemon(true);
    drain.start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(runner.getInputStream(), StandardCharsets.UTF_8));
      String clientConfig = out.readLine();
      assertThat(clientConfig).as("client configuration on stdout; stderr: %s", stderr).isNotNull();
      String url = JSON.readTree(clientConfig).path("mcpServers").path("test").path("url").asText();
      String base = url.substring(0, url.indexOf("/mcp/"));
      traffic(url, base);
      assertThat(runner.waitFor(30, TimeUnit.SECONDS)).as("the runner exits after POST /close").isTrue();
      drain.join(5_000);
    } finally {
      runner.destroyForcibly();
    }
  }

  private static void traffic(String url, String base) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    assertThat(post(http, url, "wrong-key", null, "{}").statusCode()).isEqualTo(401);
    HttpResponse<String> init = post(http, url, API_KEY, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
        + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(init.statusCode()).isEqualTo(200);
    String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    post(http, url, API_KEY, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    assertThat(post(http, url, API_KEY, session, call(2, "echo", "{\"message\":\"hello log\"}")).body()).contains("hello log");
    assertThat(post(http, url, API_KEY, session, call(3, "env", "{\"name\":\"RUNNER_TEST_SECRET\"}")).body())
        .doesNotContain(SECRET).contains("REDACTED");
    post(http, url, API_KEY, session, call(4, "stderr", "{\"line\":\"a line on stderr\"}"));
    post(http, url, API_KEY, session, call(5, "echo", "{\"message\":\"" + "x".repeat(5000) + "\"}"));
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(health.body()).path("servers").path("test").path("status").asText()).isEqualTo("running");
    assertThat(post(http, base + "/close", API_KEY, null, "").statusCode()).as("not an admin key").isEqualTo(403);
    assertThat(post(http, base + "/close", ADMIN_KEY, null, "").statusCode()).isEqualTo(200);
  }

  private static String call(int id, String tool, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":" + arguments + "}}";
  }

  private static HttpResponse<String> post(HttpClient http, String url, String key, String session, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .header("Authorization", key).POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @AfterAll
  static void showStderrOnFailure() {
    // kept for diagnosis: the assertions quote it where it helps
  }

  @Test
  void theDirectoryHoldsTheGatewayLogAServerLogAndTheMessageLogOwnerOnly() throws IOException {
    try (var files = Files.list(logs)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("mcp-gateway.log", "test.log", "rpc-messages.jsonl");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(logs))).isEqualTo("rwx------");
    for (String file : List.of("mcp-gateway.log", "test.log", "rpc-messages.jsonl")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(logs.resolve(file)))).as(file).isEqualTo("rw-------");
    }
  }

  @Test
  void theGatewayLogUsesTheSeedsLineFormatAndHasEverything() throws IOException {
    List<String> lines = Files.readAllLines(logs.resolve("mcp-gateway.log"));
    assertThat(lines).isNotEmpty();
    assertThat(lines).allSatisfy(line -> assertThat(line).matches(LINE));
    assertThat(lines).anyMatch(line -> line.matches(".*\\] \\[(WARN|ERROR)] \\[auth] Authentication failed: .*path=/mcp/test"));
    assertThat(lines).anyMatch(line -> line.contains("[test] [stderr] a line on stderr"));
    assertThat(lines).anyMatch(line -> line.contains("MCP gateway closed"));
    assertThat(lines).noneMatch(line -> line.startsWith("{")).as("the message log stays in its own file");
  }

  @Test
  void theServerLogHoldsTheBackendsStderrAndLifecycle() throws IOException {
    List<String> lines = Files.readAllLines(logs.resolve("test.log"));
    assertThat(lines).allSatisfy(line -> assertThat(line).matches(LINE));
    assertThat(lines).anyMatch(line -> line.contains("[INFO] [test] Started backend for"));
    assertThat(lines).anyMatch(line -> line.endsWith("[test] [stderr] a line on stderr"));
    assertThat(lines).anyMatch(line -> line.contains("Backend for") && line.contains("stopped: stopped by the gateway"));
    assertThat(lines).noneMatch(line -> line.contains("[auth]"));
  }

  @Test
  void theMessageLogHasOneJsonObjectPerMessageWithSizesAndDurations() throws IOException {
    List<JsonNode> messages = new ArrayList<>();
    for (String line : Files.readAllLines(logs.resolve("rpc-messages.jsonl"))) {
      messages.add(JSON.readTree(line));
    }
    assertThat(messages).hasSizeGreaterThanOrEqualTo(8);
    JsonNode echoIn = messages.stream().filter(m -> m.path("direction").asText().equals("in") && m.path("id").asText().equals("2"))
        .findFirst().orElseThrow();
    assertThat(echoIn.path("server").asText()).isEqualTo("test");
    assertThat(echoIn.path("method").asText()).isEqualTo("tools/call");
    assertThat(echoIn.path("bytes").asInt()).isPositive();
    assertThat(echoIn.path("body").path("arguments").path("message").asText()).isEqualTo("hello log");
    JsonNode echoOut = messages.stream().filter(m -> m.path("direction").asText().equals("out") && m.path("id").asText().equals("2"))
        .findFirst().orElseThrow();
    assertThat(echoOut.has("duration_ms")).isTrue();
    assertThat(echoOut.path("status").asText()).isEqualTo("ok");
    assertThat(echoOut.path("identity").asText()).isNotEqualTo(API_KEY);
    JsonNode big = messages.stream().filter(m -> m.path("direction").asText().equals("in") && m.path("id").asText().equals("5"))
        .findFirst().orElseThrow();
    assertThat(big.path("bytes").asInt()).isGreaterThan(5000);
    assertThat(big.path("body").toString()).hasSizeLessThan(600).contains("...(5000 chars)");
  }

  @Test
  void noLogFileContainsTheApiKeyOrTheBackendsSecret() throws IOException {
    try (var files = Files.list(logs)) {
      for (Path file : files.toList()) {
        String text = Files.readString(file);
        assertThat(text).as(file.toString()).doesNotContain(API_KEY).doesNotContain(ADMIN_KEY).doesNotContain(SECRET);
      }
    }
    synchronized (stderr) {
      assertThat(String.join("\n", stderr)).doesNotContain(API_KEY).doesNotContain(ADMIN_KEY).doesNotContain(SECRET);
    }
  }
}
