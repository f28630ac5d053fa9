package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway end to end through its programmatic API, with real child processes as backends. */
class ProcessGatewayTest {
  private McpGateway gateway;

  @BeforeEach
  void start() {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .toolTimeout(Duration.ofSeconds(5))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size()))
            .passEnv("GATEWAY_TEST_SECRET").env("PLAIN", "value").build("test"))
        .build();
    gateway = McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .environment(Map.of("GATEWAY_TEST_SECRET", "s3cr3t-value")::get)
        .interceptors(List.of()) // these tests look at raw answers; policies have their own tests
        .build();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void initializesListsAndCallsTools() {
    TestClient client = new TestClient(gateway, "test", "key-one");
    JsonNode init = client.initialize();
    assertThat(init.path("result").path("serverInfo").path("name").asText()).isEqualTo("stdio-test-server");
    assertThat(init.path("result").path("protocolVersion").asText()).isEqualTo("2025-06-18");
    assertThat(client.sessionId()).matches("[\\x21-\\x7e]{20,}");

    JsonNode tools = client.request("tools/list", null);
    assertThat(tools.path("result").path("tools")).hasSize(23);
    assertThat(client.callTool("echo", "{\"message\":\"hello\"}")).isEqualTo("hello");
  }

  @Test
  void passesThroughConfiguredEnvironmentOnly() {
    TestClient client = new TestClient(gateway, "test", null);
    client.initialize();
    // the backend has the exact value (only that is redacted), and the client never sees it
    assertThat(client.callTool("env", "{\"name\":\"GATEWAY_TEST_SECRET\"}")).isEqualTo("[REDACTED:secret]");
    assertThat(client.callTool("env", "{\"name\":\"PLAIN\"}")).isEqualTo("value");
    assertThat(client.callTool("env", "{\"name\":\"JAVA_HOME\"}")).isEqualTo("null");
  }

  @Test
  void sharesOneBackendPerKeyAndSeparatesKeys() {
    TestClient first = new TestClient(gateway, "test", "key-one");
    TestClient second = new TestClient(gateway, "test", "key-one");
    TestClient other = new TestClient(gateway, "test", "key-two");
    first.initialize();
    second.initialize();
    other.initialize();
    String firstPid = first.callTool("pid", "{}");
    assertThat(second.callTool("pid", "{}")).isEqualTo(firstPid);
    assertThat(other.callTool("pid", "{}")).isNotEqualTo(firstPid);
  }

  @Test
  void returnsIdsExactlyAsTheClientSentThem() {
    TestClient a = new TestClient(gateway, "test", "k");
    TestClient b = new TestClient(gateway, "test", "k");
    a.initialize();
    b.initialize();
    GatewayResponse stringId = a.post("{\"jsonrpc\":\"2.0\",\"id\":\"abc-1\",\"method\":\"ping\"}");
    GatewayResponse numberId = b.post("{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"ping\"}");
    GatewayResponse sameId = a.post("{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"ping\"}");
    assertThat(TestClient.parse(TestClient.bodyOf(stringId)).get("id").asText()).isEqualTo("abc-1");
    assertThat(TestClient.parse(TestClient.bodyOf(stringId)).get("id").isTextual()).isTrue();
    assertThat(TestClient.parse(TestClient.bodyOf(numberId)).get("id").asLong()).isEqualTo(77);
    assertThat(TestClient.parse(TestClient.bodyOf(sameId)).get("id").asLong()).isEqualTo(77);
  }

  @Test
  void deleteEndsSessionAndStopsTheBackendOfItsLastSession() throws Exception {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    long pid = Long.parseLong(client.callTool("pid", "{}"));
    ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
    assertThat(client.delete().status()).isEqualTo(200);
    child.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(child.isAlive()).isFalse();
    assertThat(client.post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}").status()).isEqualTo(404);
  }

  @Test
  void closingTheGatewayStopsEveryChild() throws Exception {
    TestClient a = new TestClient(gateway, "test", "a");
    TestClient b = new TestClient(gateway, "test", "b");
    a.initialize();
    b.initialize();
    ProcessHandle first = ProcessHandle.of(Long.parseLong(a.callTool("pid", "{}"))).orElseThrow();
    ProcessHandle second = ProcessHandle.of(Long.parseLong(b.callTool("pid", "{}"))).orElseThrow();
    gateway.close();
    assertThat(first.isAlive()).isFalse();
    assertThat(second.isAlive()).isFalse();
    assertThat(a.post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}").status()).isEqualTo(503);
  }

  @Test
  void backendThatDiesFailsItsCallAndIsReplacedOnNextUse() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    String pid = client.callTool("pid", "{}");
    assertThat(client.callTool("crash", "{}")).startsWith("error: server 'test' stopped");
    assertThat(client.callTool("pid", "{}")).isNotEqualTo(pid);
  }

  @Test
  void callThatOutlivesTheToolTimeoutFailsWithATimeoutError() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    assertThat(client.callTool("sleep", "{\"ms\":8000}")).isEqualTo("error: server 'test' did not answer tools/call within 5 s");
    assertThat(client.callTool("echo", "{\"message\":\"still fine\"}")).isEqualTo("still fine");
  }

  @Test
  void progressNotificationsStreamToTheRequestThatAskedForThem() {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    GatewayResponse response = client.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"progress\",\"arguments\":{\"steps\":3},\"_meta\":{\"progressToken\":\"my-token\"}}}");
    assertThat(response.headers()).containsEntry("Content-Type", "text/event-stream");
    List<String> events = TestClient.readEvents(response.stream().orElseThrow(), Duration.ofSeconds(10));
    assertThat(events).hasSize(4);
    assertThat(TestClient.parse(events.get(0)).path("params").path("progressToken").asText()).isEqualTo("my-token");
    assertThat(TestClient.parse(events.get(3)).path("id").asInt()).isEqualTo(5);
  }

  @Test
  void healthReportsServersWithoutAuthentication() {
    GatewayResponse health = Await.result(gateway.handle(GatewayRequest.get("/health").build()));
    assertThat(health.status()).isEqualTo(200);
    JsonNode body = TestClient.parse(health.bodyText());
    assertThat(body.path("status").asText()).isEqualTo("healthy");
    assertThat(body.path("servers").path("test").path("status").asText()).isEqualTo("stopped");
    assertThat(body.path("version").asText()).isNotBlank();
    new TestClient(gateway, "test", null).initialize();
    body = TestClient.parse(Await.result(gateway.handle(GatewayRequest.get("/health").build())).bodyText());
    assertThat(body.path("servers").path("test").path("status").asText()).isEqualTo("running");
  }
}
