package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.TestClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End to end: MCP requests through the gateway to server-everything in a hardened container. */
class GatewayDockerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static DockerClient docker;
  private Process crashed;
  private String crashedOwner;

  @AfterEach
  void killChildGatewayAndRemoveItsContainers() throws InterruptedException {
    if (crashed != null) {
      crashed.destroyForcibly();
      crashed.waitFor(30, TimeUnit.SECONDS);
      ContainerJanitor janitor = new ContainerJanitor(docker, "cleanup", ContainerJanitor.localHostName(), ProcessHandle.current());
      DockerEngine.containers(docker, crashedOwner).forEach(c -> janitor.remove(c.getId()));
    }
  }

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

      Await.until(WAIT, "the dead owner's containers are removed", () -> DockerEngine.containers(docker, deadOwner).isEmpty());
      assertThat(serverContainers()).hasSize(1);
    } finally {
      crashed.close();
    }
  }

  @Test
  void gatewayKilledWithoutCleanupLeavesTheContainersThatOutliveTheirInputAndTheNextLauncherRemovesThem() throws Exception {
    crashed = KillableGateway.start(Path.of("target/killable-gateway.log"));
    crashedOwner = ContainerJanitor.OWNER + "=" + ContainerJanitor.ownerLabel(ContainerJanitor.localHostName(), crashed.toHandle());
    Map<String, String> containers = new HashMap<>();
    BufferedReader out = new BufferedReader(new InputStreamReader(crashed.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null && !line.equals(KillableGateway.READY); line = out.readLine()) {
      String[] serverAndId = line.split(" ");
      containers.put(serverAndId[0], serverAndId[1]);
    }
    assertThat(containers).as("containers of the child gateway (its log: target/killable-gateway.log)")
        .containsOnlyKeys(KillableGateway.SERVERS);
    assertThat(DockerEngine.containers(docker, crashedOwner)).hasSize(2);
    try (McpGateway running = gateway(launcher(), Map.of("MCP_TEST_TOKEN", "t"))) {
      new TestClient(running, "everything", null).initialize();

      long killed = System.nanoTime();
      crashed.destroyForcibly(); // SIGKILL: no shutdown hook, no close
      assertThat(crashed.waitFor(30, TimeUnit.SECONDS)).isTrue();

      // The engine ends a container's stdin when the attach of the dead gateway drops: a server
      // that exits then goes by itself; one that keeps running is an orphan.
      Await.until(WAIT, "the exiting container is gone", () -> !exists(containers.get("everything")));
      long selfRemoved = System.nanoTime() - killed;
      assertThat(exists(containers.get("lingering"))).as("the container that outlives its input is still there").isTrue();
      assertThat(DockerEngine.containers(docker, crashedOwner)).extracting(Container::getId)
          .containsExactly(containers.get("lingering"));

      long cleanup = System.nanoTime();
      DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER).build().close();

      Await.until(WAIT, "the next launcher removed the orphan", () -> DockerEngine.containers(docker, crashedOwner).isEmpty());
      System.out.printf("[reliability] gateway killed: its exiting container went by itself after %d ms; the next launcher"
          + " removed the lingering one within %d ms%n", selfRemoved / 1_000_000, (System.nanoTime() - cleanup) / 1_000_000);
      assertThat(serverContainers()).as("a live gateway's container is kept").hasSize(1);
    }
  }

  private static boolean exists(String containerId) {
    return !docker.listContainersCmd().withShowAll(true).withIdFilter(List.of(containerId)).exec().isEmpty();
  }
}
