package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.EventStream;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.EventCollector;
import dev.mcpgateway.testsupport.EventCollector.Event;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one Redis (sessions, events and the bus there): a client drops the stream of a
 * call on one and resumes it with {@code Last-Event-ID} on the other, which replays the events
 * Redis holds and then shows the rest of the call as the holder produces it, to its answer.
 */
class ResumingOnRedisTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final TestClusters clusters = new TestClusters(RedisServer.shared());
  private final List<McpGateway> gateways = new ArrayList<>();

  @AfterEach
  void close() {
    gateways.forEach(McpGateway::close);
    clusters.close();
  }

  private McpGateway replica(RedisCluster cluster) {
    List<String> command = StdioTestServer.commandLine();
    McpGateway gateway = McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test")).build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .sessionStore(cluster.sessionStore(Duration.ofMinutes(30), 100))
        .eventStore(cluster.eventStore())
        .clusterBus(cluster.bus())
        .drainTimeout(Duration.ZERO)
        .build();
    gateways.add(gateway);
    return gateway;
  }

  @Test
  void aCallDroppedOnOneReplicaIsResumedOnTheOtherToItsAnswer() {
    String prefix = TestClusters.newPrefix();
    RedisCluster clusterOfA = clusters.cluster(prefix);
    McpGateway a = replica(clusterOfA);
    McpGateway b = replica(clusters.cluster(prefix));
    TestClient onA = new TestClient(a, "test", null);
    GatewayResponse init = onA.post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
        + "\"2025-11-25\",\"capabilities\":{\"sampling\":{}},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(init.status()).as(init.bodyText()).isEqualTo(200);
    onA.withSession(init.headers().get("Mcp-Session-Id"));
    onA.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    TestClient onB = new TestClient(b, "test", null).withSession(onA.sessionId());

    EventStream call = onA.post("{\"jsonrpc\":\"2.0\",\"id\":\"call-1\",\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"interview\",\"arguments\":{\"rounds\":2},\"_meta\":{\"progressToken\":\"tok\"}}}").stream().orElseThrow();
    EventCollector first = EventCollector.open(call);
    Event priming = first.next(WAIT);
    first.next(WAIT);
    Event question1 = first.next(WAIT);
    String stream = priming.id().substring(0, priming.id().lastIndexOf('_'));
    call.cancel(); // the client's connection drops; the call goes on
    answer(onA, question1, "first");
    Await.until(WAIT, "progress 2 and question 2 are in Redis",
        () -> clusterOfA.eventStore().replay(onA.sessionId(), stream, 2).size(), n -> n == 2);

    GatewayResponse get = onB.send(GatewayRequest.get("/mcp/test").header("Accept", "text/event-stream")
        .header("Last-Event-ID", question1.id()));
    assertThat(get.status()).as(get.bodyText()).isEqualTo(200);
    EventCollector resumed = EventCollector.open(get.stream().orElseThrow());
    Event progress2 = resumed.nextData(WAIT);
    Event question2 = resumed.nextData(WAIT);
    assertThat(answer(onB, question2, "second").status()).isEqualTo(202); // relayed to A, which waits for it
    Event progress3 = resumed.nextData(WAIT);
    Event result = resumed.nextData(WAIT);
    Await.until(WAIT, "the resumed stream ends with the holder's", resumed::isClosed);

    assertThat(List.of(progress2, question2, progress3, result)).extracting(Event::id)
        .containsExactly(stream + "_3", stream + "_4", stream + "_5", stream + "_6");
    assertThat(resumed.drain()).extracting(Event::data).allMatch(data -> data == null || data.isEmpty());
    assertThat(json(progress3).path("params").path("progress").asInt()).isEqualTo(3);
    assertThat(json(result).path("id").asText()).isEqualTo("call-1");
    assertThat(json(result).path("result").path("content").path(0).path("text").asText()).isEqualTo("first, second");
  }

  private static GatewayResponse answer(TestClient client, Event request, String text) {
    assertThat(json(request).path("method").asText()).isEqualTo("sampling/createMessage");
    return client.post("{\"jsonrpc\":\"2.0\",\"id\":" + json(request).get("id") + ",\"result\":{\"role\":\"assistant\","
        + "\"content\":{\"type\":\"text\",\"text\":\"" + text + "\"},\"model\":\"m\"}}");
  }

  private static JsonNode json(Event event) {
    return TestClient.parse(event.data());
  }
}
