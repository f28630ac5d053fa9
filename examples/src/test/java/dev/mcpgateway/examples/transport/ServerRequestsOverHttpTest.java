package dev.mcpgateway.examples.transport;

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
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every request a backend sends to a client gets an answer or a cancellation, over real HTTP:
 * two sessions of one caller share a recording backend ({@link AskingServer}) that asks for
 * sampling, withdraws what it asked, and sends progress.
 *
 * <p>That a message did <em>not</em> reach the other session is checked without waiting for
 * time to pass: that session then sends a call of its own whose progress can only go to its
 * {@code GET} stream, and the first message there must be that progress.
 */
class ServerRequestsOverHttpTest {
  /** A tool timeout far beyond any wait of the tests: a request left unanswered shows as a failed wait, not as a timeout. */
  private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(10);

  @TempDir
  Path dir;

  private Path record;
  private LoopbackGateway gateway;
  private StreamableHttpProbe a;
  private StreamableHttpProbe b;
  private int markers;

  @BeforeEach
  void start() throws Exception {
    record = dir.resolve("received.jsonl");
    GatewayConfig config = GatewayConfig.builder().toolTimeout(TOOL_TIMEOUT).server(AskingServer.config("ask", record)).build();
    gateway = LoopbackGateway.serve(McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .keepAliveInterval(Duration.ofMillis(100))
        .build());
    a = new StreamableHttpProbe(gateway.url("ask"));
    b = new StreamableHttpProbe(gateway.url("ask"));
  }

  @AfterEach
  void stop() {
    for (StreamableHttpProbe probe : new StreamableHttpProbe[] {a, b}) {
      probe.close();
    }
    gateway.close();
  }

  @Test
  void aBackendsCancellationOfItsRequestReachesOnlyTheSessionThatHadItUnderTheIdItsClientSaw() throws IOException {
    a.initialize("2025-11-25");
    b.initialize("2025-11-25");
    SseConnection otherGet = b.get(null);

    SseConnection call = a.postStream(toolCall("a-1", "withdraw", "{}"));
    JsonNode request = nextMessage(call);
    JsonNode cancelled = nextMessage(call);
    JsonNode answer = nextMessage(call);
    HttpResponse<String> late = a.post(samplingAnswer(request.get("id"), "too late"));

    assertThat(request.path("method").asText()).isEqualTo("sampling/createMessage");
    assertThat(cancelled.path("method").asText()).isEqualTo("notifications/cancelled");
    assertThat(cancelled.path("params").get("requestId")).as("the id the client saw").isEqualTo(request.get("id"));
    assertThat(cancelled.path("params").path("reason").asText()).isEqualTo("the tool changed its mind");
    assertThat(answer.path("id").asText()).isEqualTo("a-1");
    String backendId = answer.path("result").path("content").path(0).path("text").asText().substring("withdrew ".length());
    assertThat(late.statusCode()).isEqualTo(400);
    assertThat(late.body()).contains("no server request").contains("is waiting");

    assertNothingElseReached(b, otherGet);
    assertThat(answersReceived(backendId)).as("the late answer was not forwarded").isEmpty();
  }

  @Test
  void aCancellationOfARequestThatWentToTheGetStreamGoesToThatGetStream() throws IOException {
    a.initialize("2025-11-25");
    b.initialize("2025-11-25");
    SseConnection ownGet = a.get(null);
    SseConnection otherGet = b.get(null);

    HttpResponse<String> answer = a.post(a.protocolVersion(), toolCall("a-2", "withdraw", "{}"), "application/json");
    JsonNode request = nextMessage(ownGet);
    JsonNode cancelled = nextMessage(ownGet);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(StreamableHttpProbe.parse(answer.body()).path("result").path("content").path(0).path("text").asText())
        .startsWith("withdrew ");
    assertThat(request.path("method").asText()).isEqualTo("sampling/createMessage");
    assertThat(cancelled.path("method").asText()).isEqualTo("notifications/cancelled");
    assertThat(cancelled.path("params").get("requestId")).isEqualTo(request.get("id"));
    assertThat(a.post(samplingAnswer(request.get("id"), "too late")).statusCode()).isEqualTo(400);
    assertNothingElseReached(b, otherGet);
  }

  @Test
  void aCancellationNamingNoWaitingRequestIsDroppedAndChangesNoOtherSessionsRequest() {
    a.initialize("2025-11-25");
    b.initialize("2025-11-25");
    SseConnection ownGet = a.get(null);
    SseConnection otherGet = b.get(null);
    SseConnection waiting = b.postStream(toolCall("b-1", "ask", "{}"));
    JsonNode request = nextMessage(waiting);

    // The backend names the id b's client sees, and an id it never used: neither is a request of its own that waits.
    for (String requestId : List.of(request.get("id").toString(), "\"nobody\"")) {
      HttpResponse<String> cancel = a.post(a.protocolVersion(), toolCall("a-cancel", "cancel", "{\"requestId\":" + requestId + "}"),
          "application/json");
      assertThat(StreamableHttpProbe.parse(cancel.body()).path("result").path("content").path(0).path("text").asText())
          .isEqualTo("cancelled");
    }
    HttpResponse<String> answered = b.post(samplingAnswer(request.get("id"), "answered by b"));
    JsonNode result = nextMessage(waiting);

    assertThat(answered.statusCode()).as("b's request still waits for its answer").isEqualTo(202);
    assertThat(result.path("id").asText()).isEqualTo("b-1");
    assertThat(result.path("result").path("content").path(0).path("text").asText()).contains("answered by b");
    assertNothingElseReached(a, ownGet);
    assertNothingElseReached(b, otherGet);
  }

  @Test
  void aSamplingRequestOfACallThatAcceptsOnlyJsonIsAnsweredWithAnErrorAtOnceWhenNoGetStreamIsOpen() throws IOException {
    a.initialize("2025-11-25");
    b.initialize("2025-11-25");
    SseConnection otherGet = b.get(null);

    HttpResponse<String> answer = a.post(a.protocolVersion(), toolCall("a-3", "ask", "{}"), "application/json");

    assertThat(answer.statusCode()).isEqualTo(200);
    JsonNode backendGot = StreamableHttpProbe.parse(StreamableHttpProbe.parse(answer.body())
        .path("result").path("content").path(0).path("text").asText());
    assertThat(backendGot.path("error").path("code").asInt()).isEqualTo(-32603);
    assertThat(backendGot.path("error").path("message").asText())
        .contains("cannot receive sampling/createMessage").contains("no GET stream open");
    assertThat(answersReceived(backendGot.path("id").asText())).as("one answer: the gateway's error").hasSize(1)
        .allSatisfy(received -> assertThat(received.has("error")).isTrue());
    assertNothingElseReached(b, otherGet);
  }

  @Test
  void aSamplingRequestOfABatchElementIsAnsweredWithAnErrorAtOnceWhenNoGetStreamIsOpen() {
    a.initialize("2025-03-26");
    b.initialize("2025-03-26");
    SseConnection otherGet = b.get(null);

    HttpResponse<String> answer = a.post("2025-03-26", "[" + toolCall("a-4", "ask", "{}") + "]", "application/json, text/event-stream");

    assertThat(answer.statusCode()).isEqualTo(200);
    JsonNode responses = StreamableHttpProbe.parse(answer.body());
    assertThat(responses.size()).isEqualTo(1);
    assertThat(responses.path(0).path("id").asText()).isEqualTo("a-4");
    JsonNode backendGot = StreamableHttpProbe.parse(responses.path(0).path("result").path("content").path(0).path("text").asText());
    assertThat(backendGot.path("error").path("message").asText()).contains("part of a batch");
    assertNothingElseReached(b, otherGet);
  }

  @Test
  void aSamplingRequestOfACallThatAcceptsOnlyJsonGoesToTheGetStreamOfItsSessionWhenOneIsOpen() {
    a.initialize("2025-11-25");
    b.initialize("2025-11-25");
    SseConnection ownGet = a.get(null);
    SseConnection otherGet = b.get(null);

    CompletableFuture<HttpResponse<String>> call = CompletableFuture.supplyAsync(
        () -> a.post(a.protocolVersion(), toolCall("a-5", "ask", "{}"), "application/json"));
    JsonNode request = nextMessage(ownGet);
    HttpResponse<String> answered = a.post(samplingAnswer(request.get("id"), "answered on the GET stream"));
    HttpResponse<String> answer = Await.result(call, WAIT);

    assertThat(request.path("method").asText()).isEqualTo("sampling/createMessage");
    assertThat(answered.statusCode()).isEqualTo(202);
    assertThat(StreamableHttpProbe.parse(answer.body()).path("result").path("content").path(0).path("text").asText())
        .contains("answered on the GET stream");
    assertNothingElseReached(b, otherGet);
  }

  @Test
  void progressOfCallsThatCannotCarryItGoesToTheGetStreamWhenOneIsOpenAndIsDroppedOtherwise() {
    a.initialize("2025-03-26");
    b.initialize("2025-03-26");
    SseConnection otherGet = b.get(null);

    // No GET stream: the progress has nowhere to go, and the call is answered all the same.
    HttpResponse<String> unseen = a.post("2025-03-26", progressCall("a-6", "dropped", 2), "application/json");
    SseConnection ownGet = a.get(null);
    HttpResponse<String> batch = a.post("2025-03-26", "[" + progressCall("a-7", "in-batch", 2) + "]", "application/json, text/event-stream");
    JsonNode first = nextMessage(ownGet);
    JsonNode second = nextMessage(ownGet);

    assertThat(StreamableHttpProbe.parse(unseen.body()).path("result").path("content").path(0).path("text").asText()).isEqualTo("done");
    assertThat(StreamableHttpProbe.parse(batch.body()).path(0).path("result").path("content").path(0).path("text").asText())
        .isEqualTo("done");
    for (JsonNode progress : List.of(first, second)) {
      assertThat(progress.path("method").asText()).isEqualTo("notifications/progress");
      assertThat(progress.path("params").path("progressToken").asText()).as("the batch element's own token").isEqualTo("in-batch");
    }
    assertThat(List.of(first, second)).extracting(p -> p.path("params").path("progress").asInt()).containsExactly(1, 2);
    assertNothingElseReached(b, otherGet);
  }

  /**
   * Sends a call of {@code probe}'s own that accepts only JSON and has progress: the progress
   * can only go to its {@code GET} stream, so the first message there shows that nothing else
   * came before.
   */
  private void assertNothingElseReached(StreamableHttpProbe probe, SseConnection get) {
    String token = "marker-" + (++markers);
    HttpResponse<String> answer = probe.post(probe.protocolVersion(), progressCall("m-" + markers, token, 1), "application/json");
    assertThat(answer.statusCode()).isEqualTo(200);
    JsonNode first = nextMessage(get);
    assertThat(first.path("method").asText()).as("the first message on the GET stream: %s", first).isEqualTo("notifications/progress");
    assertThat(first.path("params").path("progressToken").asText()).as("the first message on the GET stream: %s", first)
        .isEqualTo(token);
  }

  /** The answers (a client's, or the gateway's errors) the backend received to its request {@code backendId}. */
  private List<JsonNode> answersReceived(String backendId) throws IOException {
    return RecordingServer.received(record).stream()
        .filter(m -> !m.has("method") && m.path("id").asText().equals(backendId))
        .toList();
  }

  /** The next message of a stream, past priming events. */
  static JsonNode nextMessage(SseConnection connection) {
    while (true) {
      StreamableHttpProbe.Event event = connection.next(WAIT);
      if (!event.isPriming()) {
        return event.json();
      }
    }
  }

  static String toolCall(String id, String tool, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":" + arguments + "}}";
  }

  private static String progressCall(String id, String token, int steps) {
    return "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"progress\","
        + "\"arguments\":{\"steps\":" + steps + "},\"_meta\":{\"progressToken\":\"" + token + "\"}}}";
  }

  static String samplingAnswer(JsonNode id, String text) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"role\":\"assistant\",\"model\":\"m\","
        + "\"content\":{\"type\":\"text\",\"text\":\"" + text + "\"}}}";
  }
}
