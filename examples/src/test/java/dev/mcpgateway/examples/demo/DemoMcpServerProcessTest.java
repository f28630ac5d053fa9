package dev.mcpgateway.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo server, run as its own process, answers MCP over stdio. One process for all tests. */
class DemoMcpServerProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static Process process;
  private static OutputStream stdin;
  private static final BlockingQueue<String> STDOUT = new LinkedBlockingQueue<>();
  private static final StringBuffer STDERR = new StringBuffer();

  @BeforeAll
  static void startServer() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), DemoMcpServer.class.getName())
        .start();
    stdin = process.getOutputStream();
    drain(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true);
    drain(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false);
  }

  @AfterAll
  static void stopServer() throws Exception {
    stdin.close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  @Test
  void initializeEchoesAKnownProtocolVersionAndOffersToolsAndLogging() throws Exception {
    JsonNode result = call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
        + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}")
        .path("result");

    assertThat(result.path("protocolVersion").asText()).isEqualTo("2025-06-18");
    assertThat(result.path("serverInfo").path("name").asText()).isEqualTo("demo");
    assertThat(result.path("capabilities").has("tools")).isTrue();
    assertThat(result.path("capabilities").has("logging")).isTrue();
  }

  @Test
  void initializeOffersTheNewestVersionForAnUnknownOne() throws Exception {
    JsonNode result = call("{\"jsonrpc\":\"2.0\",\"id\":\"init-2\",\"method\":\"initialize\",\"params\":"
        + "{\"protocolVersion\":\"1999-01-01\"}}");

    assertThat(result.path("id").asText()).isEqualTo("init-2");
    assertThat(result.path("result").path("protocolVersion").asText()).isEqualTo("2025-11-25");
  }

  @Test
  void notificationsGetNoAnswerAndPingGetsAnEmptyResult() throws Exception {
    send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    JsonNode pong = call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");

    // the next line on stdout answers the ping: the notification produced nothing
    assertThat(pong.path("id").asInt()).isEqualTo(3);
    assertThat(pong.path("result").isObject()).isTrue();
    assertThat(pong.path("result").size()).isZero();
  }

  @Test
  void toolsListOffersEchoAddAndCurrentTime() throws Exception {
    JsonNode tools = call("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}").path("result").path("tools");

    assertThat(tools.findValuesAsText("name")).containsExactly("echo", "add", "current_time");
    assertThat(tools.get(1).path("inputSchema").path("required").toString()).isEqualTo("[\"a\",\"b\"]");
  }

  @Test
  void echoAddAndCurrentTimeAnswerWithTextContent() throws Exception {
    JsonNode echo = call(toolCall(5, "echo", "{\"message\":\"hello\"}")).path("result");
    JsonNode add = call(toolCall(6, "add", "{\"a\":2,\"b\":40.5}")).path("result");
    JsonNode time = call(toolCall(7, "current_time", "{}")).path("result");

    assertThat(echo.path("content").toString()).isEqualTo("[{\"type\":\"text\",\"text\":\"hello\"}]");
    assertThat(add.path("content").get(0).path("text").asText()).isEqualTo("42.5");
    assertThat(Instant.parse(time.path("content").get(0).path("text").asText()))
        .isBetween(Instant.now().minus(Duration.ofMinutes(1)), Instant.now().plus(Duration.ofMinutes(1)));
    assertThat(echo.has("isError")).isFalse();
  }

  @Test
  void badArgumentsGiveAToolErrorTheCallerCanCorrect() throws Exception {
    JsonNode result = call(toolCall(8, "add", "{\"a\":\"two\",\"b\":2}")).path("result");

    assertThat(result.path("isError").asBoolean()).isTrue();
    assertThat(result.path("content").get(0).path("text").asText()).contains("must be numbers");
  }

  @Test
  void unknownToolIsInvalidParams() throws Exception {
    JsonNode error = call(toolCall(9, "rm_rf", "{}")).path("error");

    assertThat(error.path("code").asInt()).isEqualTo(-32602);
    assertThat(error.path("message").asText()).isEqualTo("Unknown tool: rm_rf");
  }

  @Test
  void unknownMethodIsMethodNotFound() throws Exception {
    JsonNode response = call("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"resources/list\"}");

    assertThat(response.path("id").asInt()).isEqualTo(10);
    assertThat(response.path("error").path("code").asInt()).isEqualTo(-32601);
  }

  @Test
  void aLineThatIsNotJsonIsAParseErrorWithNullIdAndTheServerGoesOn() throws Exception {
    JsonNode parseError = call("{this is not json");
    JsonNode after = call("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"ping\"}");

    assertThat(parseError.path("error").path("code").asInt()).isEqualTo(-32700);
    assertThat(parseError.has("id")).isTrue();
    assertThat(parseError.get("id").isNull()).isTrue();
    assertThat(after.path("id").asInt()).isEqualTo(11);
  }

  @Test
  void jsonThatIsNotARequestIsInvalidRequest() throws Exception {
    JsonNode response = call("[1,2,3]");

    assertThat(response.path("error").path("code").asInt()).isEqualTo(-32600);
  }

  @Test
  void logsGoToStderrOnly() throws Exception {
    call("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"ping\"}");

    assertThat(STDERR.toString()).contains("[demo-mcp-server] demo MCP server ready on stdio");
  }

  private static String toolCall(int id, String tool, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":" + arguments + "}}";
  }

  /** Sends one line and returns the next line the server prints (tests run one at a time). */
  private static synchronized JsonNode call(String line) throws Exception {
    send(line);
    String answer = STDOUT.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(answer).as("answer to %s; stderr:%n%s", line, STDERR).isNotNull();
    return JSON.readTree(answer);
  }

  private static void send(String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  private static void drain(BufferedReader reader, boolean stdout) {
    Thread thread = new Thread(() -> {
      try {
        String line;
        while ((line = reader.readLine()) != null) {
          if (stdout) {
            STDOUT.add(line);
          } else {
            STDERR.append(line).append('\n');
          }
        }
      } catch (IOException ended) {
        // the process is gone
      }
    }, stdout ? "demo-stdout" : "demo-stderr");
    thread.setDaemon(true);
    thread.start();
  }
}
