package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.EventCollector;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.TestClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of a server of the stateless revision 2026-07-28 ({@code stateless-server.mjs}),
 * used by clients of the session-based revisions: initialize answered from server/discover, calls,
 * multi-round-trip requests relayed as server-to-client requests, progress, logs, cancellation by
 * closing the request's stream, and subscriptions through subscriptions/listen.
 */
class StatelessHttpBackendGatewayTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<AutoCloseable> resources = new ArrayList<>();
  private McpGateway gateway;
  private String url;

  @BeforeEach
  void start() throws IOException {
    NodeTools.assumeNode();
    NodeProcess server = NodeTools.statelessServerHttp().start();
    resources.add(server);
    url = NodeTools.awaitListeningUrl(server);
    gateway = gateway(null);
    resources.add(gateway);
  }

  /** A gateway in front of the server; in cluster mode with {@code clusterSecret} when not null. */
  private McpGateway gateway(String clusterSecret) {
    GatewayConfig.Builder config = GatewayConfig.builder()
        .toolTimeout(Duration.ofSeconds(20))
        .server(ServerConfig.http(url).connectTimeout(Duration.ofSeconds(2)).build("remote"));
    if (clusterSecret != null) {
      config.cluster(dev.mcpgateway.config.ClusterConfig.of("redis://127.0.0.1:6379", clusterSecret));
    }
    return McpGateway.builder(config.build())
        .launcher(BackendKind.HTTP, BackendLauncher.http())
        .interceptors(List.of()) // raw answers; policies have their own tests
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private TestClient client(String key) {
    TestClient client = new TestClient(gateway, "remote", key);
    client.initialize();
    return client;
  }

  private static String post(String method, String params, long id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  private static String text(JsonNode response) {
    return response.path("result").path("content").path(0).path("text").asText();
  }

  private static EventCollector openGet(TestClient client) {
    GatewayResponse get = client.send(GatewayRequest.get("/mcp/remote").header("Accept", "text/event-stream"));
    assertThat(get.status()).isEqualTo(200);
    return EventCollector.open(get.stream().orElseThrow());
  }

  @Test
  void initializeIsAnsweredFromServerDiscoverAndRequestsReachTheServerWithTheRevisionsMetaAndHeaders() {
    TestClient client = new TestClient(gateway, "remote", "key-one");
    JsonNode init = client.initialize().path("result");
    assertThat(init.path("serverInfo").path("name").asText()).isEqualTo("stateless-fixture");
    assertThat(init.path("instructions").asText()).contains("stateless revision");
    assertThat(init.path("capabilities").path("tools").path("listChanged").asBoolean()).isTrue();
    assertThat(init.path("capabilities").path("resources").path("subscribe").asBoolean()).isTrue();

    List<String> names = new ArrayList<>();
    client.request("tools/list", null).path("result").path("tools").forEach(tool -> names.add(tool.path("name").asText()));
    assertThat(names).contains("echo", "ask_name", "two_rounds", "needs_sampling", "progress", "change_tools");
    // every request passes the server's checks: _meta, MCP-Protocol-Version, Mcp-Method and Mcp-Name
    assertThat(client.callTool("echo", "{\"message\":\"hello, 2026\"}")).isEqualTo("Echo: hello, 2026");
    JsonNode prompt = client.request("prompts/get", "{\"name\":\"greeting\",\"arguments\":{\"name\":\"Ada\"}}");
    assertThat(prompt.path("result").path("messages").path(0).path("content").path("text").asText()).isEqualTo("Hello, Ada");
    JsonNode read = client.request("resources/read", "{\"uri\":\"test://r1\"}");
    assertThat(read.path("result").path("contents").path(0).path("text").asText()).isEqualTo("r1 version 1");
    JsonNode unknown = client.request("tools/call", "{\"name\":\"nope\",\"arguments\":{}}");
    assertThat(unknown.path("error").path("message").asText()).contains("unknown tool");
    assertThat(client.request("ping", null).path("result").isObject()).isTrue();
    // a tool whose argument the server mirrors into Mcp-Param-Region (x-mcp-header), learned from tools/list;
    // the server refuses a call whose header is missing or differs
    assertThat(client.callTool("region", "{\"region\":\"us-west1\"}")).isEqualTo("Region: us-west1");
    assertThat(client.callTool("region", "{\"region\":\"Zürich \"}")).isEqualTo("Region: Zürich ");
  }

  @Test
  void anInputRequiredResultBecomesAnElicitationOfTheClientAndItsAnswerCompletesTheCall() {
    TestClient client = client("key-one");
    GatewayResponse call = client.post(post("tools/call", "{\"name\":\"ask_name\",\"arguments\":{}}", 41));
    EventCollector events = EventCollector.open(call.stream().orElseThrow());
    JsonNode elicitation = TestClient.parse(events.nextData(WAIT).data());
    assertThat(elicitation.path("method").asText()).isEqualTo("elicitation/create");
    assertThat(elicitation.path("params").path("message").asText()).isEqualTo("What is your name?");
    assertThat(elicitation.path("params").path("requestedSchema").path("required").path(0).asText()).isEqualTo("name");

    GatewayResponse answer = client.post("{\"jsonrpc\":\"2.0\",\"id\":" + elicitation.get("id")
        + ",\"result\":{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}}");
    assertThat(answer.status()).isEqualTo(202);
    JsonNode result = TestClient.parse(events.nextData(WAIT).data());
    assertThat(result.path("id").asInt()).isEqualTo(41);
    assertThat(text(result)).isEqualTo("Hello, Ada");
  }

  @Test
  void aDeclinedElicitationIsSentAsDeclineAndTwoRoundsAskElicitationThenSampling() {
    TestClient client = client("key-one");
    GatewayResponse declined = client.post(post("tools/call", "{\"name\":\"ask_name\",\"arguments\":{}}", 5));
    EventCollector declinedEvents = EventCollector.open(declined.stream().orElseThrow());
    JsonNode ask = TestClient.parse(declinedEvents.nextData(WAIT).data());
    client.post("{\"jsonrpc\":\"2.0\",\"id\":" + ask.get("id") + ",\"error\":{\"code\":-1,\"message\":\"no\"}}");
    assertThat(text(TestClient.parse(declinedEvents.nextData(WAIT).data()))).isEqualTo("No name given");

    GatewayResponse call = client.post(post("tools/call", "{\"name\":\"two_rounds\",\"arguments\":{}}", 6));
    EventCollector events = EventCollector.open(call.stream().orElseThrow());
    JsonNode first = TestClient.parse(events.nextData(WAIT).data());
    assertThat(first.path("method").asText()).isEqualTo("elicitation/create");
    assertThat(first.path("params").path("message").asText()).isEqualTo("First question?");
    client.post("{\"jsonrpc\":\"2.0\",\"id\":" + first.get("id") + ",\"result\":{\"action\":\"accept\",\"content\":{\"name\":\"one\"}}}");
    JsonNode second = TestClient.parse(events.nextData(WAIT).data());
    assertThat(second.path("method").asText()).isEqualTo("sampling/createMessage");
    client.post("{\"jsonrpc\":\"2.0\",\"id\":" + second.get("id")
        + ",\"result\":{\"role\":\"assistant\",\"model\":\"m\",\"content\":{\"type\":\"text\",\"text\":\"two\"}}}");
    JsonNode result = TestClient.parse(events.nextData(WAIT).data());
    assertThat(result.path("id").asInt()).isEqualTo(6);
    assertThat(text(result)).isEqualTo("first: one, second: two");
  }

  @Test
  void theClientsCapabilitiesReachTheServerInEveryRequest() {
    TestClient without = new TestClient(gateway, "remote", "key-without-sampling");
    GatewayResponse init = without.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"plain\",\"version\":\"1\"}}}");
    assertThat(init.status()).isEqualTo(200);
    without.withSession(init.headers().get("Mcp-Session-Id"));
    JsonNode refused = without.request("tools/call", "{\"name\":\"needs_sampling\",\"arguments\":{}}");
    assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32021);
    assertThat(refused.path("error").path("data").path("requiredCapabilities").has("sampling")).isTrue();

    TestClient with = client("key-with-sampling");
    GatewayResponse call = with.post(post("tools/call", "{\"name\":\"needs_sampling\",\"arguments\":{}}", 9));
    EventCollector events = EventCollector.open(call.stream().orElseThrow());
    JsonNode sampling = TestClient.parse(events.nextData(WAIT).data());
    assertThat(sampling.path("method").asText()).isEqualTo("sampling/createMessage");
    with.post("{\"jsonrpc\":\"2.0\",\"id\":" + sampling.get("id")
        + ",\"result\":{\"role\":\"assistant\",\"model\":\"m\",\"content\":{\"type\":\"text\",\"text\":\"yes\"}}}");
    assertThat(text(TestClient.parse(events.nextData(WAIT).data()))).isEqualTo("Sampled: yes");
  }

  @Test
  void progressAndLogMessagesOfTheRequestsStreamReachItsClient() {
    TestClient client = client("key-one");
    GatewayResponse call = client.post(post("tools/call",
        "{\"name\":\"progress\",\"arguments\":{\"steps\":3},\"_meta\":{\"progressToken\":\"p-1\"}}", 3));
    List<JsonNode> events = new ArrayList<>();
    TestClient.readEvents(call.stream().orElseThrow(), WAIT).forEach(data -> events.add(TestClient.parse(data)));
    assertThat(events).hasSize(4);
    assertThat(events.subList(0, 3)).allSatisfy(p -> {
      assertThat(p.path("method").asText()).isEqualTo("notifications/progress");
      assertThat(p.path("params").path("progressToken").asText()).isEqualTo("p-1");
    });
    assertThat(text(events.get(3))).isEqualTo("done 3 steps");

    // without a level the server logs nothing; logging/setLevel becomes the _meta log level of later requests
    assertThat(TestClient.bodyOf(client.post(post("tools/call", "{\"name\":\"log\",\"arguments\":{\"message\":\"quiet\"}}", 4))))
        .doesNotContain("quiet");
    assertThat(client.request("logging/setLevel", "{\"level\":\"info\"}").path("result").isObject()).isTrue();
    GatewayResponse logged = client.post(post("tools/call", "{\"name\":\"log\",\"arguments\":{\"message\":\"loud\"}}", 5));
    List<JsonNode> logEvents = new ArrayList<>();
    TestClient.readEvents(logged.stream().orElseThrow(), WAIT).forEach(data -> logEvents.add(TestClient.parse(data)));
    assertThat(logEvents.get(0).path("method").asText()).isEqualTo("notifications/message");
    assertThat(logEvents.get(0).path("params").path("data").asText()).isEqualTo("loud");
    assertThat(text(logEvents.get(logEvents.size() - 1))).isEqualTo("logged");
  }

  @Test
  void cancellingACallClosesItsStreamAtTheServer() {
    TestClient client = client("key-one");
    GatewayResponse call = client.post(post("tools/call",
        "{\"name\":\"sleep\",\"arguments\":{\"ms\":600000},\"_meta\":{\"progressToken\":\"s\"}}", 12));
    EventCollector events = EventCollector.open(call.stream().orElseThrow());
    JsonNode started = TestClient.parse(events.nextData(WAIT).data());
    assertThat(started.path("method").asText()).isEqualTo("notifications/progress");

    assertThat(client.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":12}}").status())
        .isEqualTo(202);
    assertThat(TestClient.parse(events.nextData(WAIT).data()).path("error").path("code").asInt()).isEqualTo(-32800);
    String seen = Await.until(WAIT, "the server saw the stream closed", () -> client.callTool("cancellations", "{}"),
        count -> count.equals("1"));
    assertThat(seen).isEqualTo("1");
  }

  @Test
  void resourceSubscriptionsAndListChangesArriveOnTheClientsGetStream() {
    TestClient client = client("key-one");
    EventCollector get = openGet(client);

    assertThat(client.request("resources/subscribe", "{\"uri\":\"test://r1\"}").path("result").isObject()).isTrue();
    assertThat(client.callTool("touch_resource", "{\"uri\":\"test://r1\"}")).isEqualTo("notified 1");
    JsonNode updated = TestClient.parse(get.nextData(WAIT).data());
    assertThat(updated.path("method").asText()).isEqualTo("notifications/resources/updated");
    assertThat(updated.path("params").path("uri").asText()).isEqualTo("test://r1");
    assertThat(updated.path("params").has("_meta")).as("the subscription id stays between gateway and server").isFalse();

    assertThat(client.callTool("change_tools", "{}")).isEqualTo("notified 1");
    JsonNode changed = TestClient.parse(get.nextData(WAIT).data());
    assertThat(changed.path("method").asText()).isEqualTo("notifications/tools/list_changed");

    assertThat(client.request("resources/unsubscribe", "{\"uri\":\"test://r1\"}").path("result").isObject()).isTrue();
    assertThat(client.callTool("touch_resource", "{\"uri\":\"test://r1\"}")).isEqualTo("notified 0");
    assertThat(client.callTool("change_tools", "{}")).as("one listen stream, with the new filter").isEqualTo("notified 1");
  }

  /** A request of a client of revision 2026-07-28: its own _meta and the revision's headers. */
  private GatewayResponse stateless(long id, String method, String params) {
    return stateless(gateway, id, method, params);
  }

  private static GatewayResponse stateless(McpGateway gateway, long id, String method, String params) {
    String meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
        + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"modern\",\"version\":\"1\"},"
        + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}";
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":{"
        + (params.isEmpty() ? meta : params + "," + meta) + "}}";
    GatewayRequest.Builder request = GatewayRequest.post("/mcp/remote")
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Authorization", "key-modern")
        .header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", method)
        .remoteAddress("127.0.0.1:40000")
        .body(body);
    JsonNode name = TestClient.parse(body).path("params").get("name");
    if (name != null) {
      request.header("Mcp-Name", name.asText());
    }
    return Await.result(gateway.handle(request.build()));
  }

  @Test
  void aClientOfTheSameRevisionIsRelayedNativelyWithItsRoundsAndState() {
    JsonNode first = TestClient.parse(TestClient.bodyOf(stateless(1, "tools/call", "\"name\":\"ask_name\",\"arguments\":{}")));
    JsonNode asked = first.path("result");
    assertThat(asked.path("resultType").asText()).as(first.toString()).isEqualTo("input_required");
    assertThat(asked.path("inputRequests").path("user_name").path("method").asText()).isEqualTo("elicitation/create");

    JsonNode done = TestClient.parse(TestClient.bodyOf(stateless(2, "tools/call", "\"name\":\"ask_name\",\"arguments\":{},"
        + "\"inputResponses\":{\"user_name\":{\"action\":\"accept\",\"content\":{\"name\":\"Grace\"}}},"
        + "\"requestState\":" + asked.get("requestState"))));
    assertThat(text(done)).as(done.toString()).isEqualTo("Hello, Grace");
  }

  @Test
  void aRelayedStateContinuesOnAnyReplicaOfTheClusterWithoutTheBus() {
    // the backend's own state is sealed into the gateway's: no call waits anywhere, so any replica
    // that can open it (the same cluster secret) goes on with it; no bus is involved
    String secret = "a shared cluster secret of more than 32 characters";
    McpGateway first = gateway(secret);
    resources.add(first);
    McpGateway second = gateway(secret);
    resources.add(second);
    JsonNode asked = TestClient.parse(TestClient.bodyOf(stateless(first, 1, "tools/call", "\"name\":\"ask_name\",\"arguments\":{}")))
        .path("result");
    assertThat(asked.path("resultType").asText()).as(asked.toString()).isEqualTo("input_required");

    JsonNode done = TestClient.parse(TestClient.bodyOf(stateless(second, 2, "tools/call", "\"name\":\"ask_name\",\"arguments\":{},"
        + "\"inputResponses\":{\"user_name\":{\"action\":\"accept\",\"content\":{\"name\":\"Lin\"}}},"
        + "\"requestState\":" + asked.get("requestState"))));
    assertThat(text(done)).as(done.toString()).isEqualTo("Hello, Lin");

    // a replica of another cluster (another secret) cannot open it
    McpGateway stranger = gateway("another cluster's secret, also over 32 characters");
    resources.add(stranger);
    JsonNode refused = TestClient.parse(TestClient.bodyOf(stateless(stranger, 3, "tools/call", "\"name\":\"ask_name\",\"arguments\":{},"
        + "\"inputResponses\":{\"user_name\":{\"action\":\"accept\",\"content\":{\"name\":\"Lin\"}}},"
        + "\"requestState\":" + asked.get("requestState"))));
    assertThat(refused.path("error").path("code").asInt()).as(refused.toString()).isEqualTo(-32602);
  }
}
