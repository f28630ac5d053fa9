package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End to end: MCP requests through the gateway to server-everything in a hardened container. */
class GatewayDockerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static DockerClient docker;

  @BeforeAll
  static void requireEngine() {
    docker = DockerEngine.require();
  }

  @BeforeEach
  void engineAnswers() {
    DockerEngine.assumeAvailable();
  }

  @AfterAll
  static void noContainerRemains() {
    if (docker != null) {
      DockerEngine.assertNoGatewayContainers(docker);
      DockerClients.closeQuietly(docker);
    }
  }

  private static McpGateway gateway(DockerBackendLauncher launcher, Map<String, String> environment) {
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.container(DockerEngine.EVERYTHING_IMAGE).passEnv("MCP_TEST_TOKEN").build("everything"))
        .build();
    return McpGateway.builder(config).launcher(BackendKind.CONTAINER, launcher).environment(environment::get).build();
  }

  private static DockerBackendLauncher launcher() {
    return DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER).gracePeriod(Duration.ofSeconds(1)).build();
  }

  /** This JVM's containers of server 'everything' (other builds may share the engine). */
  private static List<Container> serverContainers() {
    return DockerEngine.own(docker, ContainerJanitor.SERVER + "=everything");
  }

  @Test
  void clientListsAndCallsToolsOfAContainerizedServerThroughTheGateway() {
    try (McpGateway gateway = gateway(launcher(), Map.of("MCP_TEST_TOKEN", "t"))) {
      TestClient client = new TestClient(gateway, "everything", null);
      JsonNode initialize = client.initialize();

      JsonNode tools = client.request("tools/list", null);
      String echo = client.callTool("echo", "{\"message\":\"through the gateway\"}");

      assertThat(initialize.path("result").path("serverInfo").path("name").asText()).isEqualTo("mcp-servers/everything");
      assertThat(tools.path("result").path("tools").findValuesAsText("name")).contains("echo", "get-env");
      assertThat(echo).isEqualTo("Echo: through the gateway");
      assertThat(serverContainers()).hasSize(1);
    }
    assertThat(serverContainers()).isEmpty();
  }

  @Test
  void passThroughEnvironmentReachesTheContainerAndNoLog() throws Exception {
    String secret = "pass-through-" + UUID.randomUUID();
    try (McpGateway gateway = gateway(launcher(), Map.of("MCP_TEST_TOKEN", secret))) {
      TestClient client = new TestClient(gateway, "everything", null);
      client.initialize();

      String environ = DockerEngine.exec(docker, serverContainers().get(0).getId(), "tr '\\0' '\\n' < /proc/1/environ");

      assertThat(environ).contains("MCP_TEST_TOKEN=" + secret);
      assertThat(client.callTool("get-env", "{}")).contains("MCP_TEST_TOKEN").doesNotContain(secret);
    }
    assertThat(Files.readString(Path.of("target/gateway-docker-test.log"))).doesNotContain(secret);
  }

  @Test
  void containerKilledMidCallGivesTheClientAnErrorAndTheNextCallWorks() {
    try (McpGateway gateway = gateway(launcher(), Map.of("MCP_TEST_TOKEN", "t"))) {
      TestClient client = new TestClient(gateway, "everything", null);
      client.initialize();
      CompletableFuture<GatewayResponse> longCall = gateway.handle(GatewayRequest.post("/mcp/everything")
          .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
          .header("Mcp-Session-Id", client.sessionId())
          .body("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\",\"params\":{\"name\":"
              + "\"trigger-long-running-operation\",\"arguments\":{\"duration\":60,\"steps\":60}}}")
          .remoteAddress("127.0.0.1:40000").build()).toCompletableFuture();
      assertThat(DockerEngine.await(WAIT, () -> serverContainers().size() == 1)).isTrue();

      docker.killContainerCmd(serverContainers().get(0).getId()).exec();

      JsonNode failed = TestClient.parse(TestClient.bodyOf(TestClient.await(longCall)));
      assertThat(failed.path("error").path("message").asText()).contains("everything");
      assertThat(client.callTool("echo", "{\"message\":\"again\"}")).isEqualTo("Echo: again");
    }
  }

  @Test
  void aGatewayThatDiedWithoutCleanupLeavesContainersTheNextStartRemoves() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String deadOwner = ContainerJanitor.OWNER + "=" + ContainerJanitor.ownerLabel(ContainerJanitor.localHostName(), gone.toHandle());
    DockerBackendLauncher dead = DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER).owner(gone.toHandle()).build();
    McpGateway crashed = gateway(dead, Map.of("MCP_TEST_TOKEN", "t"));
    DockerBackendLauncher alive = launcher();
    try (McpGateway running = gateway(alive, Map.of("MCP_TEST_TOKEN", "t"))) {
      new TestClient(crashed, "everything", null).initialize();
      new TestClient(running, "everything", null).initialize();
      assertThat(DockerEngine.containers(docker, deadOwner)).hasSize(1);
      assertThat(serverContainers()).hasSize(1);

      DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER).build().close();

      assertThat(DockerEngine.await(WAIT, () -> DockerEngine.containers(docker, deadOwner).isEmpty())).isTrue();
      assertThat(serverContainers()).hasSize(1);
    } finally {
      crashed.close();
    }
  }
}
