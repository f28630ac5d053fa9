package dev.mcpgateway.examples.transport;

import static dev.mcpgateway.examples.transport.ServerRequestsOverHttpTest.nextMessage;
import static dev.mcpgateway.examples.transport.ServerRequestsOverHttpTest.samplingAnswer;
import static dev.mcpgateway.examples.transport.ServerRequestsOverHttpTest.toolCall;
import static dev.mcpgateway.examples.transport.StreamableHttpProbe.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.examples.support.AskingServer;
import dev.mcpgateway.examples.support.RecordingServer;
import dev.mcpgateway.examples.transport.StreamableHttpProbe.SseConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session that ends leaves no work behind, over real HTTP: its calls in flight are cancelled at
 * the backend and answered with an error on their streams, which then end; the backend's
 * requests waiting for its client are answered with an error; its {@code GET} stream ends. The
 * other session of the same caller, on the same backend, keeps its calls and requests. The
 * backend ({@link AskingServer}) records every line it receives.
 */
class SessionEndOverHttpTest {
  private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(10);

  @TempDir
  Path dir;

  private Path record;
  private LoopbackGateway gateway;
  private final List<StreamableHttpProbe> probes = new ArrayList<>();

  private void start(boolean unified) throws Exception {
    record = dir.resolve("received.jsonl");
    GatewayConfig config = GatewayConfig.builder().toolTimeout(TOOL_TIMEOUT).server(AskingServer.config("ask", record)).build();
    // A short keep-alive interval answers a silent call as a stream at once, so that the test sees it open.
    gateway = LoopbackGateway.serve(McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .keepAliveInterval(Duration.ofMillis(100))
        .drainTimeout(Duration.ZERO)
        .unifiedEndpoint(unified)
        .build());
  }

  private StreamableHttpProbe session(String url) {
    StreamableHttpProbe probe = new StreamableHttpProbe(url);
    probes.add(probe);
    probe.initialize("2025-11-25");
    return probe;
  }

  @AfterEach
  void stop() {
    probes.forEach(StreamableHttpProbe::close);
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void deletingASessionCancelsItsCallsAnswersItsServerRequestsAndEndsItsStreamsAndNoOtherSessions() throws Exception {
    start(false);
    StreamableHttpProbe a = session(gateway.url("ask"));
    StreamableHttpProbe b = session(gateway.url("ask"));
    SseConnection ownGet = a.get(null);
    SseConnection otherGet = b.get(null);
    SseConnection blocked = a.postStream(toolCall("a-block", "block", "{\"by\":\"a\"}"));
    SseConnection asking = a.postStream(toolCall("a-ask", "ask", "{\"by\":\"a\"}"));
    JsonNode ownRequest = nextMessage(asking);
    SseConnection otherAsking = b.postStream(toolCall("b-ask", "ask", "{\"by\":\"b\"}"));
    JsonNode otherRequest = nextMessage(otherAsking);
    long blockedAtBackend = backendId("block", "a");
    long askingAtBackend = backendId("ask", "a");
    long otherAtBackend = backendId("ask", "b");

    assertThat(a.delete()).isEqualTo(200);

    assertAnsweredAsEndedAndClosed(blocked, "a-block");
    assertAnsweredAsEndedAndClosed(asking, "a-ask");
    assertThat(ownGet.awaitEnd(WAIT)).as("the GET stream ends, with nothing on it").allMatch(StreamableHttpProbe.Event::isPriming);
    Await.until(WAIT, "the backend hears both cancellations and the error answer",
        () -> cancellationsReceived().containsAll(List.of(blockedAtBackend, askingAtBackend))
            && !answersReceived(askedId(ownRequest)).isEmpty());
    JsonNode refused = answersReceived(askedId(ownRequest)).get(0);
    assertThat(refused.path("error").path("message").asText()).contains("session ended");

    // The other session's call and request are untouched: its client answers, and its tool gets the answer.
    assertThat(b.post(samplingAnswer(otherRequest.get("id"), "answered by b")).statusCode()).isEqualTo(202);
    JsonNode otherResult = nextMessage(otherAsking);
    assertThat(otherResult.path("id").asText()).isEqualTo("b-ask");
    assertThat(otherResult.path("result").path("content").path(0).path("text").asText()).contains("answered by b");
    assertThat(cancellationsReceived()).doesNotContain(otherAtBackend);
    assertThat(otherGet.ended()).isFalse();
    assertThat(RecordingServer.received(record)).filteredOn(m -> m.path("method").asText().equals("notifications/cancelled"))
        .allSatisfy(m -> assertThat(m.path("params").path("reason").asText()).isEqualTo("the client's session ended"));
  }

  @Test
  void endingAUnifiedSessionCancelsTheCallsOfItsChildSessionsAndAnswersTheirServerRequests() throws Exception {
    start(true);
    StreamableHttpProbe unified = session("http://127.0.0.1:" + gateway.port() + "/mcp");
    SseConnection blocked = unified.postStream(toolCall("u-block", "ask___block", "{\"by\":\"u\"}"));
    SseConnection asking = unified.postStream(toolCall("u-ask", "ask___ask", "{\"by\":\"u\"}"));
    JsonNode request = nextMessage(asking);
    long blockedAtBackend = backendId("block", "u");
    long askingAtBackend = backendId("ask", "u");

    assertThat(unified.delete()).isEqualTo(200);

    assertAnsweredAsEndedAndClosed(blocked, "u-block");
    assertAnsweredAsEndedAndClosed(asking, "u-ask");
    Await.until(WAIT, "the backend hears both cancellations and the error answer",
        () -> cancellationsReceived().containsAll(List.of(blockedAtBackend, askingAtBackend))
            && !answersReceived(askedId(request)).isEmpty());
  }

  @Test
  void closingTheGatewayAnswersCallsStillInFlightWithAnErrorAndCancelsThemAtTheBackend() throws Exception {
    start(false);
    StreamableHttpProbe a = session(gateway.url("ask"));
    SseConnection blocked = a.postStream(toolCall("a-block", "block", "{\"by\":\"a\"}"));
    SseConnection asking = a.postStream(toolCall("a-ask", "ask", "{\"by\":\"a\"}"));
    JsonNode request = nextMessage(asking);
    long blockedAtBackend = backendId("block", "a");

    CompletableFuture<Void> closed = CompletableFuture.runAsync(gateway::close);
    JsonNode answer = nextMessage(blocked);
    Await.result(closed, WAIT);

    assertThat(answer.path("id").asText()).isEqualTo("a-block");
    assertThat(answer.path("error").path("message").asText()).isEqualTo("server 'ask' stopped: stopped by the gateway");
    assertThat(blocked.awaitEnd(WAIT)).isEmpty();
    assertThat(nextMessage(asking).path("error").path("message").asText()).startsWith("server 'ask' stopped");
    assertThat(asking.awaitEnd(WAIT)).isEmpty();
    // The backend read everything before it stopped: the gateway closed its input and waited for it.
    assertThat(RecordingServer.received(record)).anySatisfy(m -> {
      assertThat(m.path("method").asText()).isEqualTo("notifications/cancelled");
      assertThat(m.path("params").path("requestId").asLong()).isEqualTo(blockedAtBackend);
      assertThat(m.path("params").path("reason").asText()).isEqualTo("the gateway is closing");
    });
    assertThat(answersReceived(askedId(request))).hasSize(1);
  }

  /** The call's stream carries its error answer (the session ended), then ends. */
  private static void assertAnsweredAsEndedAndClosed(SseConnection stream, String id) {
    JsonNode answer = nextMessage(stream);
    assertThat(answer.path("id").asText()).isEqualTo(id);
    assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32800);
    assertThat(answer.path("error").path("message").asText()).contains("the session ended");
    assertThat(stream.awaitEnd(WAIT)).as("the stream of %s ends after its answer", id).isEmpty();
  }

  /** The backend-side id of the {@code tool} call made with the argument {@code by}, once the backend has it. */
  private long backendId(String tool, String by) {
    JsonNode call = Await.until(WAIT, "the backend receives " + tool + " of " + by, () -> RecordingServer.received(record).stream()
        .filter(m -> m.path("method").asText().equals("tools/call") && m.path("params").path("name").asText().equals(tool)
            && m.path("params").path("arguments").path("by").asText().equals(by))
        .findFirst().orElse(null), Objects::nonNull);
    return call.get("id").asLong();
  }

  private List<Long> cancellationsReceived() throws IOException {
    return RecordingServer.received(record).stream()
        .filter(m -> m.path("method").asText().equals("notifications/cancelled"))
        .map(m -> m.path("params").path("requestId").asLong())
        .toList();
  }

  private List<JsonNode> answersReceived(String backendId) throws IOException {
    return RecordingServer.received(record).stream()
        .filter(m -> !m.has("method") && m.path("id").asText().equals(backendId))
        .toList();
  }

  /** The backend's id of a request it sent: AskingServer says it in the request's text. */
  private static String askedId(JsonNode request) {
    String text = request.path("params").path("messages").path(0).path("content").path("text").asText();
    return text.substring("asked as ".length());
  }
}
