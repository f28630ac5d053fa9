package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The backend of a 2026-07-28 server ({@code stateless-server.mjs}) on its own, as the gateway
 * drives it: a stateless client's request relayed as it is, server requests of concurrent calls,
 * their withdrawal on cancellation, and the encoding of {@code Mcp-Name}.
 */
class StatelessHttpBackendTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
      + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}";

  private NodeProcess server;
  private HttpBackendLauncher launcher;
  private Backend backend;
  private final Listener listener = new Listener();

  /** Keeps what the backend delivers, in order. */
  private static final class Listener implements BackendListener {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final List<JsonNode> skipped = new ArrayList<>();

    @Override
    public void onMessage(byte[] message) {
      try {
        messages.add(JSON.readTree(message));
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + new String(message, StandardCharsets.UTF_8), e);
      }
    }

    @Override
    public void onExit(String reason) {}

    /** The next message that matches, keeping the ones before it in {@link #skipped}. */
    JsonNode next(Predicate<JsonNode> wanted) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        JsonNode message = messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (message == null) {
          throw new AssertionError("no such message within " + WAIT + "; skipped " + skipped);
        }
        if (wanted.test(message)) {
          return message;
        }
        skipped.add(message);
      }
    }

    JsonNode response(int id) throws InterruptedException {
      return next(m -> m.path("id").isInt() && m.path("id").asInt() == id && !m.has("method"));
    }
  }

  @BeforeEach
  void start() throws Exception {
    NodeTools.assumeNode();
    server = NodeTools.statelessServerHttp().start();
    launcher = HttpBackendLauncher.create();
    backend = launcher.launch(LaunchRequest.builder(ServerConfig.http(NodeTools.awaitListeningUrl(server)).build("remote"), listener)
        .startupTimeout(WAIT).build());
    send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
        + "\"capabilities\":{\"elicitation\":{}},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}");
    assertThat(listener.response(1).path("result").path("protocolVersion").asText()).isEqualTo("2026-07-28");
    send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
  }

  @AfterEach
  void stop() {
    if (backend != null) {
      backend.close();
    }
    if (launcher != null) {
      launcher.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void send(String json) throws IOException {
    backend.send(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String toolCall(int id, String tool, String extra) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\"" + extra + "}}";
  }

  @Test
  void describeNamesTheUrlAndTheRevision() {
    assertThat(backend.describe()).startsWith("url http://127.0.0.1:").endsWith("/mcp (2026-07-28)");
  }

  @Test
  void aStatelessClientsRequestGoesAsItIsAndItsInputRequiredResultComesBackUnchanged() throws Exception {
    send(toolCall(5, "ask_name", "," + META));
    JsonNode first = listener.response(5).path("result");
    assertThat(first.path("resultType").asText()).isEqualTo("input_required");
    assertThat(first.path("inputRequests").path("user_name").path("method").asText()).isEqualTo("elicitation/create");
    assertThat(listener.skipped).noneMatch(m -> m.has("method"));

    send(toolCall(6, "ask_name", ",\"requestState\":" + first.get("requestState")
        + ",\"inputResponses\":{\"user_name\":{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}}," + META));
    JsonNode done = listener.response(6).path("result");
    assertThat(done.path("content").path(0).path("text").asText()).isEqualTo("Hello, Ada");
    assertThat(done.path("_meta").path("io.modelcontextprotocol/serverInfo").path("name").asText()).isEqualTo("stateless-fixture");
  }

  @Test
  void concurrentCallsAskUnderDistinctIdsAndACancelledCallsRequestIsWithdrawn() throws Exception {
    send(toolCall(7, "ask_name", ""));
    send(toolCall(8, "ask_name", ""));
    Set<String> asked = new HashSet<>();
    asked.add(listener.next(m -> "elicitation/create".equals(m.path("method").asText())).path("id").asText());
    asked.add(listener.next(m -> "elicitation/create".equals(m.path("method").asText())).path("id").asText());
    assertThat(asked).containsExactlyInAnyOrder("user_name", "user_name#2");

    send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7}}");
    JsonNode withdrawn = listener.next(m -> "notifications/cancelled".equals(m.path("method").asText()));
    String gone = withdrawn.path("params").path("requestId").asText();
    assertThat(asked).contains(gone);
    asked.remove(gone);
    String left = asked.iterator().next();

    send("{\"jsonrpc\":\"2.0\",\"id\":\"" + gone + "\",\"result\":{\"action\":\"accept\",\"content\":{\"name\":\"Late\"}}}");
    send("{\"jsonrpc\":\"2.0\",\"id\":\"" + left + "\",\"result\":{\"action\":\"accept\",\"content\":{\"name\":\"Bob\"}}}");
    JsonNode answer = listener.next(m -> m.has("id") && !m.has("method"));
    assertThat(answer.path("id").asInt()).as("the cancelled call gets no answer").isEqualTo(8);
    assertThat(answer.path("result").path("content").path(0).path("text").asText()).isEqualTo("Hello, Bob");
  }

  @Test
  void aNameOutsidePlainAsciiTravelsBase64EncodedInMcpName() throws Exception {
    assertThat(StatelessHttpBackend.headerValue("test://r1")).isEqualTo("test://r1");
    assertThat(StatelessHttpBackend.headerValue("Grüße")).isEqualTo("=?base64?R3LDvMOfZQ==?=");
    assertThat(StatelessHttpBackend.headerValue(" padded ")).isEqualTo("=?base64?IHBhZGRlZCA=?=");
    assertThat(StatelessHttpBackend.headerValue("=?base64?literal?=")).startsWith("=?base64?PT9iYXNlNjQ/");

    send("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://grüße\"}}");
    JsonNode error = listener.response(9).path("error");
    assertThat(error.path("code").asInt()).as("the server matched the header: %s", error).isEqualTo(-32602);
    assertThat(error.path("message").asText()).contains("resource not found");
  }
}
