package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.testsupport.EventCollector;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways in one JVM sharing one session store, as replicas behind a load balancer share
 * Redis: a session opened on one is served by the other, which starts its own backend for the
 * caller with the session's recorded capabilities; ending the session on one ends it on both.
 */
class ReplicasShareSessionsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Two callers by their keys. */
  private static final Authenticator TWO_CALLERS = request -> request.authorization()
      .filter(key -> key.equals("alice-key") || key.equals("bob-key"))
      .map(key -> AuthResult.success(Identity.of(key.replace("-key", ""), key)))
      .orElse(AuthResult.denied(401, "authentication failed: invalid API key"));

  private final SharedSessionStore shared = new SharedSessionStore(SessionStore.caffeine(Duration.ofMinutes(30), 100));
  private final dev.mcpgateway.cluster.ClusterBus bus = dev.mcpgateway.cluster.ClusterBus.local();
  private final McpGateway a = replica();
  private final McpGateway b = replica();

  private McpGateway replica() {
    List<String> command = StdioTestServer.commandLine();
    return McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
            .build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(TWO_CALLERS)
        .sessionStore(shared.view())
        .clusterBus(bus)
        .build();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    shared.close();
    bus.close();
  }

  @Test
  void aSessionOpenedOnOneReplicaIsServedByTheOtherWithABackendOfItsOwn() {
    TestClient onA = new TestClient(a, "test", "alice-key");
    onA.initialize();
    TestClient onB = new TestClient(b, "test", "alice-key").withSession(onA.sessionId());

    assertThat(onB.callTool("echo", "{\"message\":\"served by b\"}")).isEqualTo("served by b");
    assertThat(onA.callTool("echo", "{\"message\":\"served by a\"}")).isEqualTo("served by a");
    assertThat(onB.callTool("pid", "{}")).isNotEqualTo(onA.callTool("pid", "{}"));
    assertThat(b.stats().activeBackends()).isEqualTo(1);

    // the backend on b was initialized with what the client declared on a: sampling reaches it
    GatewayResponse sampling = onB.post("{\"jsonrpc\":\"2.0\",\"id\":\"s-1\",\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"sample\",\"arguments\":{\"prompt\":\"hi\"}}}");
    EventCollector events = EventCollector.open(sampling.stream().orElseThrow());
    JsonNode request = TestClient.parse(events.nextData(WAIT).data());
    assertThat(request.path("method").asText()).isEqualTo("sampling/createMessage");
    onB.post("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":{\"role\":\"assistant\","
        + "\"content\":{\"type\":\"text\",\"text\":\"from b's client\"},\"model\":\"m\"}}");
    assertThat(TestClient.parse(events.nextData(WAIT).data()).path("result").path("content").path(0).path("text").asText())
        .isEqualTo("from b's client");
  }

  @Test
  void anotherCallerCannotUseTheSessionOnAnyReplica() {
    TestClient onA = new TestClient(a, "test", "alice-key");
    onA.initialize();
    TestClient bobOnB = new TestClient(b, "test", "bob-key").withSession(onA.sessionId());

    GatewayResponse refused = bobOnB.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");

    assertThat(refused.status()).isEqualTo(404);
    assertThat(b.stats().activeBackends()).isZero();
  }

  @Test
  void deletingTheSessionOnOneReplicaEndsItOnBothAndStopsTheirBackends() {
    TestClient onA = new TestClient(a, "test", "alice-key");
    onA.initialize();
    TestClient onB = new TestClient(b, "test", "alice-key").withSession(onA.sessionId());
    assertThat(onB.callTool("echo", "{\"message\":\"x\"}")).isEqualTo("x");

    assertThat(onB.delete().status()).isEqualTo(200);

    assertThat(onA.post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\"}").status()).isEqualTo(404);
    Await.until(WAIT, "both replicas stop the caller's backends", () -> a.stats().activeBackends() + b.stats().activeBackends(), n -> n == 0);
  }

  @Test
  void aReplicaThatClosesLeavesTheSessionToTheOthers() {
    TestClient onA = new TestClient(a, "test", "alice-key");
    onA.initialize();
    assertThat(onA.callTool("echo", "{\"message\":\"before\"}")).isEqualTo("before");

    a.close();

    TestClient onB = new TestClient(b, "test", "alice-key").withSession(onA.sessionId());
    assertThat(onB.callTool("echo", "{\"message\":\"after\"}")).isEqualTo("after");
  }

  @Test
  void anAnswerToAServerRequestThatLandsOnTheOtherReplicaReachesTheBackendThatAsked() {
    TestClient onA = new TestClient(a, "test", "alice-key");
    onA.initialize();
    TestClient onB = new TestClient(b, "test", "alice-key").withSession(onA.sessionId());

    GatewayResponse sampling = onA.post("{\"jsonrpc\":\"2.0\",\"id\":\"s-2\",\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"sample\",\"arguments\":{\"prompt\":\"hi\"}}}");
    EventCollector events = EventCollector.open(sampling.stream().orElseThrow());
    JsonNode request = TestClient.parse(events.nextData(WAIT).data());
    assertThat(request.path("method").asText()).isEqualTo("sampling/createMessage");
    // the load balancer sends the answer to b, which has nothing waiting: it goes to a
    GatewayResponse answered = onB.post("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":{\"role\":\"assistant\","
        + "\"content\":{\"type\":\"text\",\"text\":\"answered on b\"},\"model\":\"m\"}}");

    assertThat(answered.status()).isEqualTo(202);
    assertThat(TestClient.parse(events.nextData(WAIT).data()).path("result").path("content").path(0).path("text").asText())
        .isEqualTo("answered on b");
  }

  @Test
  void aNotificationOfOneReplicasBackendReachesTheGetStreamTheOtherReplicaHolds() {
    TestClient onA = new TestClient(a, "test", "alice-key");
    onA.initialize();
    TestClient onB = new TestClient(b, "test", "alice-key").withSession(onA.sessionId());
    GatewayResponse get = onB.send(dev.mcpgateway.GatewayRequest.get("/mcp/test").header("Accept", "text/event-stream"));
    EventCollector stream = EventCollector.open(get.stream().orElseThrow());

    onA.callTool("broadcast", "{\"uri\":\"test://from-a\"}");

    JsonNode note = TestClient.parse(stream.nextData(WAIT).data());
    assertThat(note.path("method").asText()).isEqualTo("notifications/resources/list_changed");
    assertThat(note.path("params").path("uri").asText()).isEqualTo("test://from-a");
  }

  @Test
  void serverRequestIdsOfTwoReplicasNeverMeet() {
    TestClient onA = new TestClient(a, "test", "alice-key");
    onA.initialize();
    TestClient onB = new TestClient(b, "test", "alice-key").withSession(onA.sessionId());

    JsonNode fromA = firstRequest(onA);
    JsonNode fromB = firstRequest(onB);

    assertThat(fromA.path("id").asLong()).isNotEqualTo(fromB.path("id").asLong());
    assertThat(Math.max(fromA.path("id").asLong(), fromB.path("id").asLong())).isLessThan(1L << 53);
  }

  private static JsonNode firstRequest(TestClient client) {
    GatewayResponse call = client.post("{\"jsonrpc\":\"2.0\",\"id\":\"f\",\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"sample\",\"arguments\":{}}}");
    EventCollector events = EventCollector.open(call.stream().orElseThrow());
    JsonNode request = TestClient.parse(events.nextData(WAIT).data());
    client.post("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":{\"role\":\"assistant\","
        + "\"content\":{\"type\":\"text\",\"text\":\"x\"},\"model\":\"m\"}}");
    events.nextData(WAIT);
    return request;
  }
}
