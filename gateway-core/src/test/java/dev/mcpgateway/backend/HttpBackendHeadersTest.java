package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ConfigLoader;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.testsupport.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the HTTP launcher sends to a remote, seen by a recording server: headers, sessions, versions, DELETE. */
class HttpBackendHeadersTest {
  private static final String SECRET = "tok-9f8e7d6c5b4a-never-log-me";

  private FakeRemoteServer remote;
  private McpGateway gateway;
  private PrintStream originalErr;
  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    // slf4j-simple writes to whatever System.err is at the time: keep a copy of everything logged
    originalErr = System.err;
    System.setErr(new PrintStream(new TeeStream(originalErr, logs), true, StandardCharsets.UTF_8));
    remote = new FakeRemoteServer();
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("REMOTE_TOKEN", SECRET)).parse("{\"mcpServers\":{\"remote\":{"
        + "\"type\":\"http\",\"url\":\"" + remote.url() + "\",\"connectTimeout\":3,\"toolTimeout\":10,"
        + "\"headers\":{\"Authorization\":\"Bearer ${REMOTE_TOKEN}\",\"X-Tenant\":\"acme\"}}}}");
    gateway = McpGateway.builder(config)
        .launcher(BackendKind.HTTP, BackendLauncher.http())
        .interceptors(List.of())
        .build();
  }

  @AfterEach
  void stop() {
    try {
      if (gateway != null) {
        gateway.close();
      }
      if (remote != null) {
        remote.close();
      }
    } finally {
      System.setErr(originalErr);
    }
  }

  @Test
  void configuredHeadersWithVariablesReachTheRemoteOnEveryRequestAndNeverTheLogs() {
    TestClient client = new TestClient(gateway, "remote", "caller");
    client.initialize();
    assertThat(client.callTool("echo", "{\"message\":\"hi\"}")).isEqualTo("hi");
    GatewayResponse health = Await.result(gateway.handle(GatewayRequest.get("/health").build()));
    client.delete();
    gateway.close();

    List<FakeRemoteServer.Seen> seen = remote.seen();
    assertThat(seen).extracting(FakeRemoteServer.Seen::method).contains("POST", "DELETE");
    assertThat(seen).allSatisfy(request -> {
      assertThat(request.headers()).containsEntry("authorization", "Bearer " + SECRET).containsEntry("x-tenant", "acme");
    });
    assertThat(logs.toString(StandardCharsets.UTF_8)).contains("Server 'remote' is ready").doesNotContain(SECRET);
    assertThat(health.bodyText()).doesNotContain(SECRET);
  }

  @Test
  void requestsAfterInitializeCarryTheRemoteSessionAndProtocolVersionAndCloseSendsDelete() {
    TestClient client = new TestClient(gateway, "remote", "caller");
    client.initialize();
    client.request("tools/list", null);
    gateway.close();

    List<FakeRemoteServer.Seen> seen = remote.seen();
    FakeRemoteServer.Seen probe = seen.get(0);
    assertThat(probe.rpcMethod()).as("the era probe comes first").isEqualTo("server/discover");
    assertThat(probe.headers()).containsEntry("mcp-protocol-version", "2026-07-28").containsEntry("mcp-method", "server/discover");
    FakeRemoteServer.Seen initialize = seen.get(1);
    assertThat(initialize.rpcMethod()).isEqualTo("initialize");
    assertThat(initialize.headers()).doesNotContainKey("mcp-session-id");
    assertThat(initialize.headers().get("accept")).contains("application/json").contains("text/event-stream");
    assertThat(initialize.headers().get("content-type")).isEqualTo("application/json");
    List<FakeRemoteServer.Seen> later = seen.subList(2, seen.size());
    assertThat(later).extracting(FakeRemoteServer.Seen::rpcMethod).contains("notifications/initialized", "tools/list");
    assertThat(later).allSatisfy(request -> assertThat(request.headers()).containsEntry("mcp-session-id", "remote-session-1"));
    assertThat(later).filteredOn(request -> "tools/list".equals(request.rpcMethod()))
        .allSatisfy(request -> assertThat(request.headers()).containsEntry("mcp-protocol-version", "2025-06-18"));
    // The GET stream opens beside the calls, on a connection of its own, so it may reach the
    // remote at any point, even after the DELETE; every POST comes before the DELETE.
    List<String> withoutGet = seen.stream().map(FakeRemoteServer.Seen::method).filter(method -> !method.equals("GET")).toList();
    assertThat(withoutGet.get(withoutGet.size() - 1)).isEqualTo("DELETE");
    assertThat(withoutGet).containsOnlyOnce("DELETE");
  }

  @Test
  void theEraProbeGoesOnceAndASessionBasedRemoteIsRememberedForEveryLaunch() {
    new TestClient(gateway, "remote", "caller-one").initialize();
    TestClient second = new TestClient(gateway, "remote", "caller-two");
    second.initialize();
    assertThat(second.callTool("echo", "{\"message\":\"second backend\"}")).isEqualTo("second backend");
    assertThat(remote.seen()).extracting(FakeRemoteServer.Seen::rpcMethod).containsOnlyOnce("server/discover")
        .filteredOn("initialize"::equals).hasSize(2);
  }

  @Test
  void anAnswerWhoseStreamDropsArrivesThroughLastEventId() {
    TestClient client = new TestClient(gateway, "remote", "caller");
    client.initialize();
    assertThat(client.callTool("dropped", "{}")).isEqualTo("resumed");
    assertThat(remote.seen()).anySatisfy(request -> assertThat(request.headers()).containsEntry("last-event-id", "e1"));
  }

  @Test
  void aRemoteThatAnswersHttp500GivesTheCallerAJsonRpcError() {
    TestClient client = new TestClient(gateway, "remote", "caller");
    client.initialize();
    assertThat(client.callTool("broken", "{}")).isEqualTo("error: server 'remote' answered HTTP 500");
    assertThat(client.callTool("echo", "{\"message\":\"still there\"}")).isEqualTo("still there");
  }

  /** Writes to two streams. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream first;
    private final ByteArrayOutputStream second;

    TeeStream(java.io.OutputStream first, ByteArrayOutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws java.io.IOException {
      first.write(b);
      synchronized (second) {
        second.write(b);
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
      first.write(bytes, offset, length);
      synchronized (second) {
        second.write(bytes, offset, length);
      }
    }
  }
}
