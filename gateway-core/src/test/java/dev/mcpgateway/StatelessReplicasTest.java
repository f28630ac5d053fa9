package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ClusterConfig;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.EventCollector;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of a gateway in one JVM, sharing the cluster secret and a bus, in front of a
 * session-based backend on stdio each: a stateless client's multi-round-trip retry that lands on
 * the replica that does not hold its parked call is sent to the one that does, and the client gets
 * what it would have got there (the next input request, the result, the request's notifications);
 * an altered state is refused and cancels the call on its holder; a holder that is gone or falls
 * silent ends the retry with a clear error instead of a wait; a client that closes its stream on the
 * receiving replica cancels the call at the backend.
 */
class StatelessReplicasTest {
  static final String VERSION = "2026-07-28";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SECRET = "a shared cluster secret of more than 32 characters";

  private static final Authenticator TWO_CALLERS = request -> request.authorization()
      .filter(key -> key.equals("alice-key") || key.equals("bob-key"))
      .map(key -> AuthResult.success(Identity.of(key.replace("-key", ""), key)))
      .orElse(AuthResult.denied(401, "authentication failed: invalid API key"));

  private final ClusterBus shared = ClusterBus.local();
  private final ReplicaBus busA = new ReplicaBus(shared);
  private final ReplicaBus busB = new ReplicaBus(shared);
  private final McpGateway a = replica(busA);
  private final McpGateway b = replica(busB);
  private long nextId = 100;

  @TempDir
  Path dir;

  private static McpGateway replica(ClusterBus bus) {
    List<String> command = StdioTestServer.commandLine();
    return McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
            .cluster(ClusterConfig.of("redis://127.0.0.1:6379", SECRET)) // only its secret matters here
            .build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(TWO_CALLERS)
        .unifiedEndpoint(true)
        .clusterBus(bus)
        .build();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    shared.close();
  }

  /**
   * A stateless tools/call of {@code tool} with {@code arguments} on {@code gateway}; {@code params}
   * are more members of its params (each followed by a comma), {@code meta} more members of its
   * {@code _meta} (each followed by a comma).
   */
  private GatewayResponse call(McpGateway gateway, String key, String path, String tool, String arguments, String params, String meta) {
    long id = ++nextId;
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{" + params
        + "\"name\":\"" + tool + "\",\"arguments\":" + arguments + ",\"_meta\":{" + meta
        + "\"io.modelcontextprotocol/protocolVersion\":\"" + VERSION + "\","
        + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"},"
        + "\"io.modelcontextprotocol/clientCapabilities\":{\"sampling\":{},\"elicitation\":{}}}}}";
    return Await.result(gateway.handle(GatewayRequest.post(path)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Authorization", key)
        .header("MCP-Protocol-Version", VERSION)
        .header("Mcp-Method", "tools/call")
        .header("Mcp-Name", tool)
        .remoteAddress("127.0.0.1:40000")
        .body(body)
        .build()));
  }

  private JsonNode json(McpGateway gateway, String tool, String params) {
    return TestClient.parse(TestClient.bodyOf(call(gateway, "alice-key", "/mcp/test", tool, "{}", params, "")));
  }

  /** The params of a retry: the state and the answers. */
  private static String retry(JsonNode asked, String responses) {
    return "\"requestState\":" + asked.path("result").get("requestState") + ",\"inputResponses\":{" + responses + "},";
  }

  private static String sampled(String text) {
    return "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"" + text + "\"},\"model\":\"m\",\"stopReason\":\"endTurn\"}";
  }

  private static String onlyKey(JsonNode asked) {
    return asked.path("result").path("inputRequests").fieldNames().next();
  }

  @Test
  void aRetryOnTheOtherReplicaGetsTheResultOfTheCallTheFirstHolds() {
    JsonNode asked = json(a, "sample", "");
    assertThat(asked.path("result").path("resultType").asText()).isEqualTo("input_required");
    String key = onlyKey(asked);

    JsonNode done = json(b, "sample", retry(asked, "\"" + key + "\":" + sampled("Paris")));

    assertThat(done.path("id").asLong()).isEqualTo(nextId);
    assertThat(done.path("result").path("resultType").asText()).isEqualTo("complete");
    assertThat(done.path("result").path("content").path(0).path("text").asText()).isEqualTo("Paris");
    assertThat(b.stats().activeBackends()).as("the call went on where it waited: b started no backend").isZero();
  }

  @Test
  void roundsThatAlternateReplicasEachGoOnWhereTheCallWaitsWithTheirNotifications() {
    // the backend sends progress for the token of the call's first request; each round's stream gets it with its own token
    JsonNode first = TestClient.parse(TestClient.bodyOf(call(a, "alice-key", "/mcp/test", "welcome", "{}", "",
        "\"progressToken\":\"p-first\",")));
    assertThat(first.path("result").path("inputRequests").path(onlyKey(first)).path("method").asText()).isEqualTo("elicitation/create");

    // on b without an answer: asked again, with a new state
    JsonNode again = json(b, "welcome", retry(first, ""));
    assertThat(again.path("result").path("resultType").asText()).isEqualTo("input_required");
    assertThat(onlyKey(again)).isEqualTo(onlyKey(first));
    assertThat(again.path("result").path("requestState").asText()).isNotEqualTo(first.path("result").path("requestState").asText());

    // on a, which holds the call, with the name: the next round asks for sampling
    JsonNode named = json(a, "welcome",
        retry(again, "\"" + onlyKey(again) + "\":{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}"));
    assertThat(named.path("result").path("inputRequests").path(onlyKey(named)).path("method").asText())
        .isEqualTo("sampling/createMessage");

    // on b again with the greeting: the call's progress and log message, then its result, on b's stream
    GatewayResponse last = call(b, "alice-key", "/mcp/test", "welcome", "{}",
        retry(named, "\"" + onlyKey(named) + "\":" + sampled("Hi Ada")),
        "\"progressToken\":\"p-last\",\"io.modelcontextprotocol/logLevel\":\"info\",");
    List<String> events = TestClient.readEvents(last.stream().orElseThrow(), WAIT);
    assertThat(events).hasSize(3);
    JsonNode progress = TestClient.parse(events.get(0));
    assertThat(progress.path("method").asText()).isEqualTo("notifications/progress");
    assertThat(progress.path("params").path("progressToken").asText()).isEqualTo("p-last");
    assertThat(TestClient.parse(events.get(1)).path("params").path("data").asText()).isEqualTo("welcomed Ada");
    JsonNode result = TestClient.parse(events.get(2));
    assertThat(result.path("id").asLong()).isEqualTo(nextId);
    assertThat(result.path("result").path("content").path(0).path("text").asText()).isEqualTo("Ada: Hi Ada");
  }

  @Test
  void aRetryOnTheUnifiedEndpointOfTheOtherReplicaGoesOnToo() {
    JsonNode asked = TestClient.parse(TestClient.bodyOf(call(a, "alice-key", "/mcp", "test___sample", "{}", "", "")));
    String key = onlyKey(asked);

    JsonNode done = TestClient.parse(TestClient.bodyOf(call(b, "alice-key", "/mcp", "test___sample", "{}",
        retry(asked, "\"" + key + "\":" + sampled("unified")), "")));

    assertThat(done.path("result").path("content").path(0).path("text").asText()).isEqualTo("unified");
  }

  @Test
  void anAlteredStateOnTheOtherReplicaIsRefusedAndCancelsTheCallOnItsHolder() {
    JsonNode asked = json(a, "sample", "");
    String state = asked.path("result").path("requestState").asText();
    String key = onlyKey(asked);

    JsonNode tampered = json(b, "sample", "\"requestState\":\"" + state + "-TAMPERED\",\"inputResponses\":{\"" + key + "\":"
        + sampled("x") + "},");
    assertThat(tampered.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(tampered.path("error").path("message").asText()).contains("altered");

    // the call is gone on a: the genuine state finds nothing to continue, on either replica
    JsonNode genuine = json(b, "sample", retry(asked, "\"" + key + "\":" + sampled("x")));
    assertThat(genuine.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(genuine.path("error").path("message").asText()).contains("ended");
    Await.until(WAIT, "the backend on a hears the cancellation",
        () -> json(a, "cancellations", "").path("result").path("content").path(0).path("text").asText(), text -> !text.isEmpty());
  }

  @Test
  void anotherCallersStateIsRefusedOnTheOtherReplica() {
    JsonNode asked = json(a, "sample", "");

    JsonNode foreign = TestClient.parse(TestClient.bodyOf(call(b, "bob-key", "/mcp/test", "sample", "{}",
        retry(asked, "\"" + onlyKey(asked) + "\":" + sampled("x")), "")));

    assertThat(foreign.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(foreign.path("error").path("message").asText()).contains("another caller");
  }

  @Test
  void aRetryWhoseHolderClosedGetsAClearErrorWithItsId() {
    JsonNode asked = json(a, "sample", "");
    a.close();

    GatewayResponse response = call(b, "alice-key", "/mcp/test", "sample", "{}",
        retry(asked, "\"" + onlyKey(asked) + "\":" + sampled("x")), "");

    assertThat(response.status()).isEqualTo(502);
    JsonNode error = TestClient.parse(TestClient.bodyOf(response));
    assertThat(error.path("id").asLong()).isEqualTo(nextId);
    assertThat(error.path("error").path("code").asInt()).isEqualTo(-32603);
    assertThat(error.path("error").path("message").asText()).contains("held by another replica", "cannot be reached",
        "send the request again");
  }

  /**
   * The welcome of {@code name}, started on a and answered on b, running on a until the file
   * {@code release} exists: the events of its last request, on b, after its progress notification.
   */
  private EventCollector welcomeRunningOnAStreamedOnB(String name, Path release, EventStream[] stream) {
    String arguments = "{\"path\":" + new com.fasterxml.jackson.databind.node.TextNode(release.toString()) + "}";
    JsonNode first = TestClient.parse(TestClient.bodyOf(call(a, "alice-key", "/mcp/test", "welcome", arguments, "",
        "\"progressToken\":\"p-first\",")));
    JsonNode named = TestClient.parse(TestClient.bodyOf(call(b, "alice-key", "/mcp/test", "welcome", arguments,
        retry(first, "\"" + onlyKey(first) + "\":{\"action\":\"accept\",\"content\":{\"name\":\"" + name + "\"}}"), "")));
    GatewayResponse running = call(b, "alice-key", "/mcp/test", "welcome", arguments,
        retry(named, "\"" + onlyKey(named) + "\":" + sampled("hey")), "\"progressToken\":\"p-run\",");
    stream[0] = running.stream().orElseThrow();
    EventCollector events = EventCollector.open(stream[0]);
    assertThat(TestClient.parse(events.nextData(WAIT).data()).path("method").asText()).isEqualTo("notifications/progress");
    return events;
  }

  @Test
  void aHolderThatFallsSilentWhileTheCallRunsEndsTheStreamWithTheError() throws Exception {
    Path release = dir.resolve("release");
    try {
      EventCollector events = welcomeRunningOnAStreamedOnB("Bo", release, new EventStream[1]);

      busA.silence(); // a is cut off from the bus: no more word of it

      JsonNode error = TestClient.parse(events.nextData(WAIT).data());
      assertThat(error.path("id").asLong()).isEqualTo(nextId);
      assertThat(error.path("error").path("message").asText()).contains("cannot be reached", "fell silent");
      Await.until(WAIT, "b ends the stream", events::isClosed);
    } finally {
      Files.writeString(release, "go");
    }
  }

  @Test
  void closingTheStreamOnTheOtherReplicaCancelsTheCallAtTheBackend() throws Exception {
    Path release = dir.resolve("release");
    try {
      EventStream[] stream = new EventStream[1];
      welcomeRunningOnAStreamedOnB("Cy", release, stream);

      stream[0].cancel();

      Await.until(WAIT, "the backend on a hears the cancellation",
          () -> json(a, "cancellations", "").path("result").path("content").path(0).path("text").asText(), text -> !text.isEmpty());
    } finally {
      Files.writeString(release, "go");
    }
  }

  /**
   * One replica's view of a shared bus, which a test can cut off: then what the replica publishes
   * is lost and nothing reaches it, as when it hangs or its network fails.
   */
  static final class ReplicaBus implements ClusterBus {
    private final ClusterBus shared;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile boolean silent;

    ReplicaBus(ClusterBus shared) {
      this.shared = shared;
    }

    void silence() {
      silent = true;
    }

    @Override
    public void publish(String topic, byte[] message) {
      if (!silent) {
        shared.publish(topic, message);
      }
    }

    @Override
    public Subscription subscribe(String topic, Consumer<byte[]> handler) {
      Subscription subscription = shared.subscribe(topic, message -> {
        if (!silent) {
          handler.accept(message);
        }
      });
      subscriptions.add(subscription);
      return subscription;
    }

    @Override
    public void close() {
      subscriptions.forEach(Subscription::close);
    }
  }
}
