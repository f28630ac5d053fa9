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
import dev.mcpgateway.testsupport.NodeCommand;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.TestClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of server-everything reached over HTTP: Streamable HTTP, the HTTP+SSE
 * fallback, and a remote that is down and comes back.
 */
class HttpBackendGatewayTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private String start(NodeCommand command) throws IOException {
    NodeProcess process = command.start();
    resources.add(process);
    return NodeTools.awaitListeningUrl(process);
  }

  private McpGateway gateway(String url) {
    GatewayConfig config = GatewayConfig.builder()
        .toolTimeout(Duration.ofSeconds(20))
        .server(ServerConfig.http(url).connectTimeout(Duration.ofSeconds(2)).build("remote"))
        .build();
    McpGateway gateway = McpGateway.builder(config)
        .launcher(BackendKind.HTTP, BackendLauncher.http())
        .interceptors(List.of()) // raw answers; policies have their own tests
        .build();
    resources.add(gateway);
    return gateway;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The fixture command with its {@code --port 0} replaced by {@code port}. */
  private static NodeCommand onPort(NodeCommand command, int port) {
    List<String> line = new ArrayList<>(command.commandLine());
    line.set(line.indexOf("--port") + 1, String.valueOf(port));
    return new NodeCommand(line, command.environment());
  }

  private static JsonNode health(McpGateway gateway) {
    GatewayResponse response = Await.result(gateway.handle(GatewayRequest.get("/health").build()));
    return TestClient.parse(response.bodyText()).path("servers").path("remote");
  }

  private static GatewayResponse initializeRaw(TestClient client) {
    return client.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}");
  }

  private static void listsCallsAndStreamsProgress(McpGateway gateway) {
    TestClient client = new TestClient(gateway, "remote", "key-one");
    JsonNode init = client.initialize();
    assertThat(init.path("result").path("serverInfo").path("name").asText()).contains("everything");

    JsonNode tools = client.request("tools/list", null);
    List<String> names = new ArrayList<>();
    tools.path("result").path("tools").forEach(tool -> names.add(tool.path("name").asText()));
    assertThat(names).contains("echo", "trigger-long-running-operation");
    assertThat(client.callTool("echo", "{\"message\":\"hello over http\"}")).isEqualTo("Echo: hello over http");

    GatewayResponse call = client.post("{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"tools/call\",\"params\":{"
        + "\"name\":\"trigger-long-running-operation\",\"arguments\":{\"duration\":1,\"steps\":3},"
        + "\"_meta\":{\"progressToken\":\"p-1\"}}}");
    assertThat(call.stream()).as("progress turns the answer into a stream").isPresent();
    List<JsonNode> events = new ArrayList<>();
    TestClient.readEvents(call.stream().get(), WAIT).forEach(data -> events.add(TestClient.parse(data)));
    List<JsonNode> progress = events.stream().filter(e -> e.path("method").asText().equals("notifications/progress")).toList();
    assertThat(progress).hasSize(3);
    assertThat(progress).allSatisfy(p -> assertThat(p.path("params").path("progressToken").asText()).isEqualTo("p-1"));
    JsonNode result = events.get(events.size() - 1);
    assertThat(result.path("id").asText()).isEqualTo("slow");
    assertThat(result.path("result").path("content").path(0).path("text").asText()).contains("completed");
  }

  @Test
  void initializesListsCallsAndStreamsProgressFromAStreamableHttpRemote() throws IOException {
    NodeTools.assumeNode();
    McpGateway gateway = gateway(start(NodeTools.serverEverythingHttp()));
    listsCallsAndStreamsProgress(gateway);
    assertThat(health(gateway).path("status").asText()).isEqualTo("running");
  }

  @Test
  void twoCallersGetSeparateRemoteSessions() throws IOException {
    NodeTools.assumeNode();
    McpGateway gateway = gateway(start(NodeTools.serverEverythingHttp()));
    TestClient one = new TestClient(gateway, "remote", "key-one");
    TestClient two = new TestClient(gateway, "remote", "key-two");
    TestClient oneAgain = new TestClient(gateway, "remote", "key-one");
    one.initialize();
    two.initialize();
    oneAgain.initialize();
    // server-everything names the remote session in this tool's answer; calling it twice turns it off again
    String first = one.callTool("toggle-simulated-logging", "{}");
    String second = two.callTool("toggle-simulated-logging", "{}");
    String third = oneAgain.callTool("toggle-simulated-logging", "{}");
    assertThat(first).startsWith("Started simulated");
    assertThat(second).startsWith("Started simulated");
    assertThat(remoteSession(first)).isNotEqualTo(remoteSession(second));
    assertThat(third).as("sessions of one caller share its backend").startsWith("Stopped simulated");
    assertThat(remoteSession(third)).isEqualTo(remoteSession(first));
    two.callTool("toggle-simulated-logging", "{}");
  }

  private static String remoteSession(String toggleAnswer) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("for session ([0-9a-fA-F-]+)").matcher(toggleAnswer);
    assertThat(m.find()).as("a session id in: %s", toggleAnswer).isTrue();
    return m.group(1);
  }

  @Test
  void fallsBackToHttpPlusSseWhenTheRemoteRefusesStreamableHttp() throws IOException {
    NodeTools.assumeNode();
    McpGateway gateway = gateway(start(NodeTools.serverEverythingSse()));
    listsCallsAndStreamsProgress(gateway);
  }

  @Test
  void anUnreachableRemoteAnswers503AndWorksOnceItIsUp() throws IOException {
    NodeTools.assumeNode();
    int port = closedPort();
    McpGateway gateway = gateway("http://127.0.0.1:" + port + "/mcp");
    TestClient client = new TestClient(gateway, "remote", "key-one");

    GatewayResponse refused = initializeRaw(client);
    assertThat(refused.status()).isEqualTo(503);
    JsonNode body = TestClient.parse(refused.bodyText());
    assertThat(body.path("error").asText()).isEqualTo("backend_unavailable");
    assertThat(body.path("server").asText()).isEqualTo("remote");
    assertThat(body.path("message").asText()).contains("connection refused");
    assertThat(health(gateway).path("status").asText()).isEqualTo("error");

    start(onPort(NodeTools.serverEverythingHttp(), port));
    JsonNode init = client.initialize();
    assertThat(init.path("result").path("serverInfo").path("name").asText()).contains("everything");
    assertThat(client.callTool("echo", "{\"message\":\"back\"}")).isEqualTo("Echo: back");
    assertThat(health(gateway).path("status").asText()).isEqualTo("running");
  }

  @Test
  void callsOfAnOpenSessionGet503WhileTheRemoteIsDownAndWorkWhenItIsBack() throws IOException {
    NodeTools.assumeNode();
    int port = closedPort();
    NodeCommand server = onPort(NodeTools.serverEverythingHttp(), port);
    NodeProcess first = server.start();
    resources.add(first);
    McpGateway gateway = gateway(NodeTools.awaitListeningUrl(first));
    TestClient client = new TestClient(gateway, "remote", "key-one");
    client.initialize();
    assertThat(client.callTool("echo", "{\"message\":\"before\"}")).isEqualTo("Echo: before");

    first.close();
    GatewayResponse down = Await.until(WAIT, "a call is answered 503", () -> client.post(
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"x\"}}}"),
        response -> response.status() == 503);
    assertThat(TestClient.parse(down.bodyText()).path("error").asText()).isEqualTo("backend_unavailable");
    assertThat(health(gateway).path("status").asText()).as(health(gateway).toString()).isEqualTo("error");

    start(server);
    String answer = Await.until(WAIT, "calls work again", () -> client.callTool("echo", "{\"message\":\"after\"}"),
        text -> text.equals("Echo: after"));
    assertThat(answer).isEqualTo("Echo: after");
    assertThat(health(gateway).path("status").asText()).isEqualTo("running");
  }
}
