package dev.mcpgateway.examples.transport;

import static dev.mcpgateway.examples.transport.StreamableHttpProbe.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.examples.transport.StreamableHttpProbe.Event;
import dev.mcpgateway.examples.transport.StreamableHttpProbe.SseConnection;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import dev.mcpgateway.policy.McpResult;
import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Resumable SSE streams over real HTTP: a client drops its connection, events happen, and a
 * {@code GET} with {@code Last-Event-ID} replays exactly what it missed from the gateway's event
 * store, then carries on live. Neither the dropped connection nor the resumption cancels the
 * request the stream belongs to.
 */
class LastEventIdResumptionTest {
  private LoopbackGateway gateway;
  private StreamableHttpProbe client;
  private final BlockingQueue<String> finishedTools = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void getStreamResumedWithLastEventIdReplaysOnlyTheEventsSentWhileDisconnected() throws Exception {
    List<String> command = StdioTestServer.commandLine();
    startGateway(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"));
    client = new StreamableHttpProbe(gateway.url("test"));
    client.initialize("2025-11-25");

    SseConnection stream = client.get(null);
    Event priming = stream.next(WAIT);
    broadcast("test://one");
    Event one = stream.next(WAIT);
    stream.close();
    broadcast("test://two");
    broadcast("test://three");

    SseConnection resumed = client.get(one.id());
    Event two = resumed.next(WAIT);
    Event three = resumed.next(WAIT);
    broadcast("test://four");
    Event four = resumed.next(WAIT);

    String streamId = priming.id().substring(0, priming.id().lastIndexOf('_'));
    assertThat(priming.isPriming()).isTrue();
    assertThat(one.id()).isEqualTo(streamId + "_1");
    assertThat(uri(one)).isEqualTo("test://one");
    assertThat(List.of(two, three, four)).extracting(Event::id)
        .containsExactly(streamId + "_2", streamId + "_3", streamId + "_4");
    assertThat(List.of(two, three, four)).extracting(LastEventIdResumptionTest::uri)
        .containsExactly("test://two", "test://three", "test://four");
  }

  @Test
  void postStreamDroppedMidCallIsResumedWithTheMissedProgressAndTheResultAndIsNotCancelled() throws Exception {
    NodeTools.assumeNode();
    startGateway(NodeTools.serverEverything().serverConfig().build("everything"));
    client = new StreamableHttpProbe(gateway.url("everything"));
    client.initialize("2025-11-25");

    SseConnection call = client.postStream("{\"jsonrpc\":\"2.0\",\"id\":\"call-1\",\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"trigger-long-running-operation\",\"arguments\":{\"duration\":1,\"steps\":4},"
        + "\"_meta\":{\"progressToken\":\"token-1\"}}}");
    Event priming = call.next(WAIT);
    Event firstProgress = call.next(WAIT);
    call.close();
    awaitFinished("trigger-long-running-operation");

    SseConnection resumed = client.get(firstProgress.id());
    List<Event> missed = resumed.awaitEnd(WAIT);

    String streamId = priming.id().substring(0, priming.id().lastIndexOf('_'));
    assertThat(priming.isPriming()).isTrue();
    assertThat(firstProgress.json().path("params").path("progress").asInt()).isEqualTo(1);
    assertThat(firstProgress.json().path("params").path("progressToken").asText()).isEqualTo("token-1");
    assertThat(missed).extracting(Event::id)
        .containsExactly(streamId + "_2", streamId + "_3", streamId + "_4", streamId + "_5");
    assertThat(missed.subList(0, 3)).extracting(e -> e.json().path("params").path("progress").asInt())
        .containsExactly(2, 3, 4);
    Event result = missed.get(3);
    assertThat(result.json().path("id").asText()).isEqualTo("call-1");
    assertThat(result.json().path("result").path("content").path(0).path("text").asText())
        .startsWith("Long running operation completed");
  }

  @Test
  void lastEventIdOfAnotherStreamResumesThatStreamOnly() throws Exception {
    List<String> command = StdioTestServer.commandLine();
    startGateway(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"));
    client = new StreamableHttpProbe(gateway.url("test"));
    client.initialize("2025-11-25");
    SseConnection standalone = client.get(null);
    standalone.next(WAIT);
    broadcast("test://on-the-get-stream");
    standalone.next(WAIT);

    SseConnection call = client.postStream("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"progress\",\"arguments\":{\"steps\":2},\"_meta\":{\"progressToken\":\"t\"}}}");
    List<Event> callEvents = call.awaitEnd(WAIT);
    SseConnection replay = client.get(callEvents.get(0).id());
    List<Event> replayed = replay.awaitEnd(WAIT);

    assertThat(callEvents).hasSize(4); // priming, two progress notifications, the result
    assertThat(replayed).extracting(Event::id).containsExactly(callEvents.get(1).id(), callEvents.get(2).id(),
        callEvents.get(3).id());
    assertThat(replayed).extracting(Event::data).noneMatch(data -> data.contains("on-the-get-stream"));
  }

  private void startGateway(ServerConfig server) throws Exception {
    Interceptor recorder = new Interceptor() {
      @Override
      public Verdict onResponse(McpCall call, McpResult result) {
        call.toolName().ifPresent(finishedTools::add);
        return Verdict.pass();
      }
    };
    gateway = LoopbackGateway.serve(McpGateway.builder(GatewayConfig.builder().server(server).build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .interceptors(List.of(recorder))
        .build());
  }

  private void broadcast(String uri) {
    HttpResponse<String> response = client.post("{\"jsonrpc\":\"2.0\",\"id\":\"b-" + uri + "\",\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"broadcast\",\"arguments\":{\"uri\":\"" + uri + "\"}}}");
    assertThat(response.statusCode()).isEqualTo(200);
  }

  private void awaitFinished(String tool) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String finished;
    do {
      finished = finishedTools.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(finished).as("%s did not finish in time", tool).isNotNull();
    } while (!finished.equals(tool));
  }

  private static String uri(Event event) {
    return event.json().path("params").path("uri").asText();
  }
}
