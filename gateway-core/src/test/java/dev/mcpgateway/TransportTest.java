package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.EventCollector;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streamable HTTP beyond request/response: streams, resumption, server requests, batches, origins. */
class TransportTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private McpGateway gateway;

  @BeforeEach
  void start() {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
    gateway = McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .keepAliveInterval(Duration.ofMillis(300))
        .allowedOrigins(Set.of("https://app.example.com"))
        .build();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private GatewayResponse openGet(TestClient client, String lastEventId) {
    GatewayRequest.Builder get = GatewayRequest.get("/mcp/test").header("Accept", "text/event-stream");
    if (lastEventId != null) {
      get.header("Last-Event-ID", lastEventId);
    }
    return client.send(get);
  }

  private static TestClient initialized(McpGateway gateway, String key, String version) {
    TestClient client = new TestClient(gateway, "test", key);
    GatewayResponse response = client.post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
        + version + "\",\"capabilities\":{\"sampling\":{}},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(response.status()).isEqualTo(200);
    return client.withSession(response.headers().get("Mcp-Session-Id"));
  }

  @Test
  void serverNotificationsReachTheGetStreamOfEverySessionOnTheBackend() {
    TestClient a = new TestClient(gateway, "test", "k");
    TestClient b = new TestClient(gateway, "test", "k");
    a.initialize();
    b.initialize();
    EventCollector aEvents = EventCollector.open(openGet(a, null).stream().orElseThrow());
    EventCollector bEvents = EventCollector.open(openGet(b, null).stream().orElseThrow());
    assertThat(a.callTool("broadcast", "{\"uri\":\"test://changed\"}")).isEqualTo("broadcast");
    assertThat(TestClient.parse(aEvents.nextData(WAIT).data()).path("params").path("uri").asText()).isEqualTo("test://changed");
    assertThat(TestClient.parse(bEvents.nextData(WAIT).data()).path("method").asText()).isEqualTo("notifications/resources/list_changed");
  }

  @Test
  void everyEventHasAnIdUniqueWithinTheSessionThatNamesItsStream() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    EventCollector get = EventCollector.open(openGet(client, null).stream().orElseThrow());
    GatewayResponse post = client.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"progress\",\"arguments\":{\"steps\":2},\"_meta\":{\"progressToken\":1}}}");
    EventCollector postEvents = EventCollector.open(post.stream().orElseThrow());
    String first = postEvents.nextData(WAIT).id();
    String second = postEvents.nextData(WAIT).id();
    client.callTool("broadcast", "{}");
    String onGet = get.nextData(WAIT).id();
    assertThat(List.of(first, second, onGet)).doesNotHaveDuplicates().allMatch(id -> id.matches("\\d+_\\d+"));
    assertThat(first.split("_")[0]).isEqualTo(second.split("_")[0]).isNotEqualTo(onGet.split("_")[0]);
  }

  @Test
  void streamsOf2025_11_25SessionsStartWithAPrimingEvent() {
    TestClient client = initialized(gateway, "k", "2025-11-25");
    EventCollector get = EventCollector.open(openGet(client, null).stream().orElseThrow());
    EventCollector.Event priming = get.next(WAIT);
    assertThat(priming.id()).endsWith("_0");
    assertThat(priming.data()).isEmpty();

    TestClient old = initialized(gateway, "k", "2025-06-18");
    EventCollector oldGet = EventCollector.open(openGet(old, null).stream().orElseThrow());
    old.callTool("broadcast", "{}");
    assertThat(oldGet.next(WAIT).data()).contains("resources/list_changed");
  }

  @Test
  void reconnectingWithLastEventIdReplaysOnlyWhatWasMissedOnThatStream() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    GatewayResponse first = openGet(client, null);
    EventCollector firstEvents = EventCollector.open(first.stream().orElseThrow());
    client.callTool("broadcast", "{\"uri\":\"test://1\"}");
    String seen = firstEvents.nextData(WAIT).id();
    first.stream().orElseThrow().cancel(); // the connection drops
    client.callTool("broadcast", "{\"uri\":\"test://2\"}");
    client.callTool("broadcast", "{\"uri\":\"test://3\"}");
    // events of another stream must not be replayed
    GatewayResponse progress = client.post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"progress\",\"arguments\":{\"steps\":1},\"_meta\":{\"progressToken\":1}}}");
    TestClient.readEvents(progress.stream().orElseThrow(), WAIT);

    EventCollector resumed = EventCollector.open(openGet(client, seen).stream().orElseThrow());
    assertThat(TestClient.parse(resumed.nextData(WAIT).data()).path("params").path("uri").asText()).isEqualTo("test://2");
    assertThat(TestClient.parse(resumed.nextData(WAIT).data()).path("params").path("uri").asText()).isEqualTo("test://3");
    client.callTool("broadcast", "{\"uri\":\"test://4\"}");
    assertThat(TestClient.parse(resumed.nextData(WAIT).data()).path("params").path("uri").asText()).isEqualTo("test://4");
    assertThat(resumed.drain()).allMatch(e -> e.data() == null || !e.data().contains("progress"));
  }

  @Test
  void aPostStreamWhoseConnectionDroppedCanBeResumedWithItsResult() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    GatewayResponse post = client.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"progress\",\"arguments\":{\"steps\":1},\"_meta\":{\"progressToken\":\"t\"}}}");
    // the client reads nothing and drops; the result arrives while no one listens
    post.stream().orElseThrow().cancel();
    EventCollector replay = EventCollector.open(openGet(client, "1_0").stream().orElseThrow());
    List<String> data = new java.util.ArrayList<>();
    data.add(replay.nextData(WAIT).data());
    data.add(replay.nextData(WAIT).data());
    assertThat(TestClient.parse(data.get(1)).path("id").asInt()).isEqualTo(7);
  }

  @Test
  void idleStreamsCarryKeepAliveComments() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    EventCollector get = EventCollector.open(openGet(client, null).stream().orElseThrow());
    EventCollector.Event event = get.next(Duration.ofSeconds(5));
    assertThat(event.comment()).isEqualTo("keep-alive");
  }

  @Test
  void samplingRequestsFromTheServerReachTheClientAndItsAnswerReachesTheServer() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    GatewayResponse call = client.post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"sample\",\"arguments\":{\"prompt\":\"hello\"}}}");
    EventCollector events = EventCollector.open(call.stream().orElseThrow());
    JsonNode request = TestClient.parse(events.nextData(WAIT).data());
    assertThat(request.path("method").asText()).isEqualTo("sampling/createMessage");
    GatewayResponse answer = client.post("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":"
        + "{\"role\":\"assistant\",\"model\":\"m\",\"content\":{\"type\":\"text\",\"text\":\"sampled!\"}}}");
    assertThat(answer.status()).isEqualTo(202);
    JsonNode result = TestClient.parse(events.nextData(WAIT).data());
    assertThat(result.path("id").asInt()).isEqualTo(3);
    assertThat(result.path("result").path("content").path(0).path("text").asText()).isEqualTo("sampled!");
  }

  @Test
  void twoSessionsSharingABackendEachReceiveOnlyTheirOwnMessages() {
    TestClient a = new TestClient(gateway, "test", "k");
    TestClient b = new TestClient(gateway, "test", "k");
    a.initialize();
    b.initialize();
    assertThat(a.callTool("pid", "{}")).isEqualTo(b.callTool("pid", "{}"));
    EventCollector bGet = EventCollector.open(openGet(b, null).stream().orElseThrow());
    GatewayResponse aCall = a.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"log\",\"arguments\":{\"text\":\"for a only\"}}}");
    List<String> aEvents = TestClient.readEvents(aCall.stream().orElseThrow(), WAIT);
    assertThat(aEvents.get(0)).contains("for a only");
    GatewayResponse aProgress = a.post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"progress\",\"arguments\":{\"steps\":2},\"_meta\":{\"progressToken\":\"a\"}}}");
    assertThat(TestClient.readEvents(aProgress.stream().orElseThrow(), WAIT)).hasSize(3);
    b.callTool("echo", "{\"message\":\"b\"}");
    assertThat(bGet.drain()).allMatch(e -> e.data() == null || e.data().isEmpty());
  }

  @Test
  void cancellationReachesTheBackendWithItsOwnRequestId() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    java.util.concurrent.CompletableFuture<GatewayResponse> slow = gateway.handle(GatewayRequest.post("/mcp/test")
        .header("Authorization", "k").header("Mcp-Session-Id", client.sessionId()).header("Content-Type", "application/json")
        .body("{\"jsonrpc\":\"2.0\",\"id\":\"client-42\",\"method\":\"tools/call\",\"params\":{\"name\":\"sleep\",\"arguments\":{\"ms\":3000}}}")
        .build()).toCompletableFuture();
    assertThat(client.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"client-42\"}}").status())
        .isEqualTo(202);
    assertThat(TestClient.parse(Await.result(slow).bodyText()).path("error").path("code").asInt()).isEqualTo(-32800);
    String cancelled = client.callTool("cancellations", "{}");
    assertThat(cancelled).matches("\\d+");
  }

  @Test
  void batchesAreAnsweredFor2025_03_26AndRefusedLater() {
    TestClient client = initialized(gateway, "k", "2025-03-26");
    GatewayResponse response = client.send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("MCP-Protocol-Version", "2025-03-26")
        .body("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"},"
            + "{\"jsonrpc\":\"2.0\",\"id\":\"two\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"m\"}}}]"));
    JsonNode answers = TestClient.parse(response.bodyText());
    assertThat(answers.isArray()).isTrue();
    assertThat(answers).hasSize(3);
    assertThat(answers.get(1).path("error").path("code").asInt()).as("an unknown notification is refused in its place")
        .isEqualTo(-32600);
    assertThat(answers.get(1).path("error").path("message").asText()).contains("notifications/x");
    assertThat(answers.get(2).path("id").asText()).isEqualTo("two");
    assertThat(answers.get(2).path("result").path("content").path(0).path("text").asText()).isEqualTo("m");

    // The session's revision decides, whatever the header says (another key: a backend of its own, on 2025-06-18).
    TestClient later = initialized(gateway, "other", "2025-06-18");
    GatewayResponse refused = later.send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("MCP-Protocol-Version", "2025-03-26").body("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]"));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.bodyText()).contains("batches are not supported in protocol revision 2025-06-18");
  }

  @Test
  void foreignOriginsAreRefusedAndLoopbackOrConfiguredOnesPass() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
    GatewayRequest.Builder evil = GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Origin", "https://evil.example").body(ping);
    assertThat(client.send(evil).status()).isEqualTo(403);
    assertThat(client.send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Origin", "http://localhost:5173").body(ping)).status()).isEqualTo(200);
    assertThat(client.send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Origin", "https://app.example.com").body(ping)).status()).isEqualTo(200);
  }

  @Test
  void loopbackListenersRefuseForeignHostNames() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
    assertThat(client.send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Host", "attacker.example:8000").localAddress("127.0.0.1").body(ping)).status()).isEqualTo(403);
    assertThat(client.send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Host", "localhost:8000").localAddress("127.0.0.1").body(ping)).status()).isEqualTo(200);
    assertThat(client.send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Host", "[::1]:8000").localAddress("::1").body(ping)).status()).isEqualTo(200);
    assertThat(client.send(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Host", "gateway.internal:8000").localAddress("10.0.0.5").body(ping)).status()).isEqualTo(200);
  }
}
