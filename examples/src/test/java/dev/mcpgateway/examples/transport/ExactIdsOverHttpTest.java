package dev.mcpgateway.examples.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client's id comes back in every answer exactly as the client wrote it, byte for byte, over
 * real HTTP: ids that Jackson would write differently (escapes, a lone surrogate, characters
 * beyond ASCII written raw or escaped, {@code -0}, an integer beyond 64 bits) on the fast path
 * that splices the id into the backend's bytes, on the tree paths (a redacted answer, a large
 * result offloaded), in the gateway's own errors (refusal, denial, timeout, cancellation, an
 * id already in flight), as SSE, with progress tokens, in batches and on the unified endpoint.
 */
class ExactIdsOverHttpTest {
  /** Each as the client writes it; in Java source, "\\u" is a backslash and a u. */
  static final List<String> IDS = List.of("\"\\ud800\"", "\"\\u00e9\"", "\"é\"", "\"a\\/b\"", "\"😀\"", "\"\\uD83D\\uDE00\"",
      "-0", "123456789012345678901234567890");
  private static final String SECRET = "s3cr3t-Value-42x";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;
  private static LoopbackGateway gateway;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final AtomicInteger FILES = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .payloadDir(dir.resolve("payloads"))
        .payloadSizeThreshold(4096)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size()))
            .tools(List.of("echo", "env", "progress", "wait", "big")).env("LEAK_SECRET", SECRET).build("test"))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size()))
            .toolTimeout(Duration.ofSeconds(1)).build("slow"))
        .build();
    gateway = LoopbackGateway.serve(McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .unifiedEndpoint(true)
        .build());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static List<String> ids() {
    return IDS;
  }

  @ParameterizedTest
  @MethodSource("ids")
  void aToolAnswerSplicedIntoTheBackendsBytesCarriesTheIdAsWritten(String id) {
    String session = open("test", "2025-06-18");

    Answer answer = post("test", session, "application/json", call(id, "echo", "{\"message\":\"hello\"}"));

    assertThat(answer.status()).isEqualTo(200);
    answer.assertCarries("\"id\":" + id);
    assertThat(answer.text()).contains("hello");
  }

  @ParameterizedTest
  @MethodSource("ids")
  void answersBuiltAsTreesCarryTheIdAsWritten(String id) {
    String session = open("test", "2025-06-18");

    Answer secretRedacted = post("test", session, "application/json", call(id, "env", "{\"name\":\"LEAK_SECRET\"}"));
    Answer tokenRedacted = post("test", session, "application/json",
        call(id, "echo", "{\"message\":\"" + StdioTestServer.TOKEN + "\"}"));
    Answer offloaded = post("test", session, "application/json", call(id, "big", "{\"chars\":20000}"));

    secretRedacted.assertCarries("\"id\":" + id);
    assertThat(secretRedacted.text()).doesNotContain(SECRET);
    tokenRedacted.assertCarries("\"id\":" + id);
    assertThat(tokenRedacted.text()).doesNotContain(StdioTestServer.TOKEN);
    offloaded.assertCarries("\"id\":" + id);
    assertThat(offloaded.text()).contains("payloadPath");
  }

  @ParameterizedTest
  @MethodSource("ids")
  void theGatewaysOwnErrorsCarryTheIdAsWritten(String id) {
    String session = open("test", "2025-06-18");

    Answer refused = post("test", session, "application/json",
        "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{}}");
    Answer denied = post("test", session, "application/json", call(id, "pid", "{}"));
    String slowSession = open("slow", "2025-06-18");
    Answer timedOut = post("slow", slowSession, "application/json", call(id, "wait", waitArguments(releaseFile())));

    assertThat(refused.status()).isEqualTo(400);
    refused.assertCarries("\"id\":" + id);
    assertThat(denied.text()).contains("not allowed");
    denied.assertCarries("\"id\":" + id);
    assertThat(timedOut.text()).contains("did not answer");
    timedOut.assertCarries("\"id\":" + id);
  }

  @ParameterizedTest
  @MethodSource("ids")
  void aCancelledCallIsAnsweredWithTheIdAsWritten(String id) throws IOException {
    String session = open("test", "2025-06-18");
    Path release = releaseFile();
    CompletableFuture<Answer> call = postAsync("test", session, "application/json", call(id, "wait", waitArguments(release)));

    String cancel = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id + "}}";
    // Sent until it lands: a cancellation that comes before its call cancels nothing.
    Await.until(WAIT, "the call is cancelled", () -> post("test", session, "application/json", cancel).status() == 202 && call.isDone());
    Files.createFile(release);

    Answer answer = Await.result(call, WAIT);
    assertThat(answer.text()).contains("-32800");
    answer.assertCarries("\"id\":" + id);
  }

  @ParameterizedTest
  @MethodSource("ids")
  void aSecondCallWithTheIdOfOneInFlightIsRefusedWithTheIdAsWritten(String id) throws IOException {
    String session = open("test", "2025-06-18");
    Path release = releaseFile();
    CompletableFuture<Answer> first = postAsync("test", session, "application/json", call(id, "wait", waitArguments(release)));
    CompletableFuture<Answer> second = postAsync("test", session, "application/json", call(id, "wait", waitArguments(release)));

    // Whichever came second is refused at once; the other waits for the release.
    Answer refused = (Answer) Await.result(CompletableFuture.anyOf(first, second), WAIT);
    CompletableFuture<Answer> other = first.getNow(null) == refused ? second : first;
    Files.createFile(release);
    Answer waited = Await.result(other, WAIT);

    // 400 when the first was in flight already; an error answer when both came at the same moment.
    assertThat(refused.status()).isIn(400, 200);
    assertThat(refused.text()).contains("already in flight");
    refused.assertCarries("\"id\":" + id);
    assertThat(waited.text()).contains("waited");
    waited.assertCarries("\"id\":" + id);
  }

  @ParameterizedTest
  @MethodSource("ids")
  void anSseAnswerAndItsProgressCarryTheIdAndTheTokenAsWritten(String id) {
    String session = open("test", "2025-06-18");

    Answer answer = post("test", session, "text/event-stream", "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"progress\",\"arguments\":{\"steps\":2},\"_meta\":{\"progressToken\":" + id + "}}}");

    assertThat(answer.contentType()).startsWith("text/event-stream");
    answer.assertCarries("\"id\":" + id);
    answer.assertCarries("\"progressToken\":" + id, 2);
  }

  @Test
  void aBatchCarriesEveryIdAsWrittenAsJsonAndAsSse() {
    String session = open("test", "2025-03-26");
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < IDS.size(); i++) {
      String id = IDS.get(i);
      switch (i % 4) {
        case 0:
          elements.add("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");
          break;
        case 1:
          elements.add(call(id, "echo", "{\"message\":\"in a batch\"}"));
          break;
        case 2:
          elements.add("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{}}");
          break;
        default:
          elements.add(call(id, "pid", "{}"));
      }
    }
    String batch = "[" + String.join(",", elements) + "]";

    Answer json = post("test", session, "application/json", batch, "2025-03-26");
    Answer sse = post("test", session, "text/event-stream", batch, "2025-03-26");

    assertThat(json.status()).isEqualTo(200);
    assertThat(json.text()).startsWith("[").endsWith("]");
    assertThat(sse.contentType()).startsWith("text/event-stream");
    for (String id : IDS) {
      json.assertCarries("\"id\":" + id);
      sse.assertCarries("\"id\":" + id);
    }
  }

  @ParameterizedTest
  @MethodSource("ids")
  void theUnifiedEndpointCarriesTheIdAsWritten(String id) {
    String session = open("", "2025-06-18");

    Answer ping = post("", session, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");
    Answer list = post("", session, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/list\"}");
    Answer echo = post("", session, "application/json", call(id, "test___echo", "{\"message\":\"unified\"}"));
    Answer unknown = post("", session, "application/json", call(id, "nowhere___echo", "{}"));

    for (Answer answer : List.of(ping, list, echo, unknown)) {
      assertThat(answer.status()).isEqualTo(200);
      answer.assertCarries("\"id\":" + id);
    }
    assertThat(echo.text()).contains("unified");
    assertThat(unknown.text()).contains("unknown tool");
  }

  /** One HTTP answer as bytes, with its content type and session id ("" when none). */
  record Answer(int status, String contentType, String sessionId, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** Asserts that the answer's bytes hold {@code json}'s UTF-8 bytes. */
    void assertCarries(String json) {
      assertCarries(json, 1);
    }

    /** Asserts that the answer's bytes hold {@code json}'s UTF-8 bytes {@code times} times at least. */
    void assertCarries(String json, int times) {
      byte[] needle = json.getBytes(StandardCharsets.UTF_8);
      int found = 0;
      for (int at = 0; at + needle.length <= body.length; at++) {
        if (java.util.Arrays.equals(body, at, at + needle.length, needle, 0, needle.length)) {
          found++;
        }
      }
      assertThat(found).as("times %s appears in %s", json, text()).isGreaterThanOrEqualTo(times);
    }
  }

  private static String call(String id, String tool, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":"
        + arguments + "}}";
  }

  private static Path releaseFile() {
    return dir.resolve("release-" + FILES.incrementAndGet());
  }

  private static String waitArguments(Path release) {
    return "{\"path\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(release.toString()) + "}";
  }

  /** Initializes a session on {@code server} ("" for the unified endpoint); returns its id. */
  private static String open(String server, String version) {
    Answer init = post(server, null, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
        + "{\"protocolVersion\":\"" + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"ids\",\"version\":\"1\"}}}", null);
    assertThat(init.status()).as(init.text()).isEqualTo(200);
    String session = init.sessionId();
    assertThat(session).isNotEmpty();
    assertThat(post(server, session, "application/json", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", version)
        .status()).isEqualTo(202);
    return session;
  }

  private static Answer post(String server, String session, String accept, String body) {
    return post(server, session, accept, body, null);
  }

  private static Answer post(String server, String session, String accept, String body, String version) {
    try {
      return postAsync(server, session, accept, body, version).join();
    } catch (java.util.concurrent.CompletionException e) {
      throw new UncheckedIOException(new IOException("POST " + server, e.getCause()));
    }
  }

  private static CompletableFuture<Answer> postAsync(String server, String session, String accept, String body) {
    return postAsync(server, session, accept, body, null);
  }

  private static CompletableFuture<Answer> postAsync(String server, String session, String accept, String body, String version) {
    String url = server.isEmpty() ? "http://127.0.0.1:" + gateway.port() + "/mcp" : gateway.url(server);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT)
        .header("Content-Type", "application/json").header("Accept", accept)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)));
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    if (version != null) {
      request.header("MCP-Protocol-Version", version);
    }
    return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> new Answer(
        response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
        response.headers().firstValue("Mcp-Session-Id").orElse(""), response.body()));
  }
}
