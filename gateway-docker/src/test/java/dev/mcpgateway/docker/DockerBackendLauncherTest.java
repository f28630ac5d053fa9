package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.mcpgateway.backend.Backend;
import dev.mcpgateway.backend.LaunchRequest;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testing.RecordingBackendListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The launcher against a real engine, with server-everything in a container speaking JSON lines. */
class DockerBackendLauncherTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
      + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}";
  private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

  private static DockerClient docker;
  private static DockerBackendLauncher launcher;

  @BeforeAll
  static void startLauncher() {
    docker = DockerEngine.require();
    if (docker == null) {
      return;
    }
    launcher = DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER).gracePeriod(Duration.ofSeconds(10)).build();
  }

  @BeforeEach
  void engineAnswers() {
    DockerEngine.assumeAvailable();
  }

  @AfterAll
  static void noContainerRemains() {
    if (launcher != null) {
      launcher.close();
      DockerEngine.assertNoGatewayContainers(docker);
      DockerClients.closeQuietly(docker);
    }
  }

  private static ServerConfig everything() {
    return ServerConfig.container(DockerEngine.EVERYTHING_IMAGE).build("everything");
  }

  private static Backend launch(ServerConfig server, String sessionKey, Map<String, String> env, RecordingBackendListener listener)
      throws IOException {
    return launcher.launch(LaunchRequest.builder(server, listener).sessionKey(sessionKey).environment(env)
        .startupTimeout(WAIT).build());
  }

  private static Backend initialized(ServerConfig server, String sessionKey, Map<String, String> env,
      RecordingBackendListener listener) throws Exception {
    Backend backend = launch(server, sessionKey, env, listener);
    backend.send(INITIALIZE.getBytes(StandardCharsets.UTF_8));
    listener.next("\"id\":1", WAIT);
    backend.send(INITIALIZED.getBytes(StandardCharsets.UTF_8));
    return backend;
  }

  private static String containerOf(String sessionKey) {
    List<Container> found = DockerEngine.containers(docker, ContainerJanitor.SESSION + "=" + sessionKey);
    assertThat(found).hasSize(1);
    return found.get(0).getId();
  }

  private static byte[] call(int id, String tool, String arguments) {
    return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":" + arguments + "}}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void serverEverythingInAContainerAnswersInitializeToolsListAndToolsCall() throws Exception {
    RecordingBackendListener listener = new RecordingBackendListener();
    long started = System.nanoTime();
    try (Backend backend = initialized(everything(), "session-" + UUID.randomUUID(), Map.of(), listener)) {
      LoggerFactory.getLogger(getClass()).info("Container start to initialize answer took {} ms",
          (System.nanoTime() - started) / 1_000_000);
      backend.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(listener.next("\"id\":2", WAIT)).contains("\"echo\"").contains("get-env");

      backend.send(call(3, "echo", "{\"message\":\"hello from the gateway\"}"));

      assertThat(listener.next("\"id\":3", WAIT)).contains("Echo: hello from the gateway");
      assertThat(backend.isAlive()).isTrue();
      assertThat(backend.describe()).startsWith("container ");
    }
    assertThat(listener.exits()).containsExactly("stopped by the gateway");
  }

  @Test
  void containerCarriesLabelsForInstanceServerAndSession() throws Exception {
    String session = "session-" + UUID.randomUUID();
    try (Backend backend = launch(everything(), session, Map.of(), new RecordingBackendListener())) {
      Map<String, String> labels = DockerEngine.containers(docker, ContainerJanitor.SESSION + "=" + session).get(0).getLabels();

      assertThat(labels).containsEntry(ContainerJanitor.MANAGED, "true").containsEntry(ContainerJanitor.SERVER, "everything")
          .containsKey(ContainerJanitor.INSTANCE).containsKey(ContainerJanitor.OWNER);
      assertThat(backend.isAlive()).isTrue();
    }
  }

  @Test
  void limitsHoldFromInsideTheContainer() throws Exception {
    String session = "session-" + UUID.randomUUID();
    try (Backend backend = initialized(everything(), session, Map.of(), new RecordingBackendListener())) {
      String id = containerOf(session);

      String memory = DockerEngine.exec(docker, id,
          "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes").trim();
      String pids = DockerEngine.exec(docker, id,
          "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max").trim();
      String interfaces = DockerEngine.exec(docker, id, "ls /sys/class/net");
      String status = DockerEngine.exec(docker, id, "grep -E 'CapEff|CapPrm|NoNewPrivs' /proc/1/status");
      String rootWrite = DockerEngine.exec(docker, id, "touch /probe 2>&1 || echo refused");
      String tmpWrite = DockerEngine.exec(docker, id, "touch /tmp/probe && echo written");

      assertThat(memory).isEqualTo(String.valueOf(512L * 1024 * 1024));
      assertThat(pids).isEqualTo("256");
      assertThat(interfaces.trim().split("\\s+")).containsExactly("lo");
      assertThat(status).contains("CapEff:\t0000000000000000").contains("CapPrm:\t0000000000000000").contains("NoNewPrivs:\t1");
      assertThat(rootWrite).contains("Read-only file system").contains("refused");
      assertThat(tmpWrite).contains("written");
      assertThat(backend.isAlive()).isTrue();
    }
  }

  @Test
  void serverSettingsOverrideTheDefaultLimits() throws Exception {
    String session = "session-" + UUID.randomUUID();
    ServerConfig server = everything().toBuilder().memoryLimitBytes(256L * 1024 * 1024).pidsLimit(64).cpuLimit(0.5)
        .build("everything");
    try (Backend backend = initialized(server, session, Map.of(), new RecordingBackendListener())) {
      var host = docker.inspectContainerCmd(containerOf(session)).exec().getHostConfig();

      assertThat(host.getMemory()).isEqualTo(256L * 1024 * 1024);
      assertThat(host.getMemorySwap()).isEqualTo(256L * 1024 * 1024);
      assertThat(host.getPidsLimit()).isEqualTo(64L);
      assertThat(host.getNanoCPUs()).isEqualTo(500_000_000L);
      assertThat(host.getNetworkMode()).isEqualTo("none");
      assertThat(host.getPrivileged()).isFalse();
      assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
      assertThat(backend.isAlive()).isTrue();
    }
  }

  @Test
  void passesEnvironmentToTheContainerWithoutLoggingTheValue() throws Exception {
    String secret = "s3cret-" + UUID.randomUUID();
    RecordingBackendListener listener = new RecordingBackendListener();
    try (Backend backend = initialized(everything().toBuilder().passEnv("MCP_TEST_TOKEN").build("everything"),
        "session-" + UUID.randomUUID(), Map.of("MCP_TEST_TOKEN", secret), listener)) {
      backend.send(call(2, "get-env", "{}"));

      assertThat(listener.next("\"id\":2", WAIT)).contains("MCP_TEST_TOKEN").contains(secret);
    }
    assertThat(Files.readString(Path.of("target/gateway-docker-test.log"))).contains("Started server 'everything'")
        .doesNotContain(secret);
  }

  @Test
  void containerKilledMidCallIsReportedOnceAndRefusesInput() throws Exception {
    String session = "session-" + UUID.randomUUID();
    RecordingBackendListener listener = new RecordingBackendListener();
    try (Backend backend = initialized(everything(), session, Map.of(), listener)) {
      backend.send(("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
          + "\"trigger-long-running-operation\",\"arguments\":{\"duration\":30,\"steps\":30},"
          + "\"_meta\":{\"progressToken\":\"p\"}}}").getBytes(StandardCharsets.UTF_8));
      listener.next("notifications/progress", WAIT);

      docker.killContainerCmd(containerOf(session)).exec();

      listener.awaitExit(WAIT);
      assertThat(listener.exits()).containsExactly("exited with status 137");
      assertThat(backend.isAlive()).isFalse();
      assertThatThrownBy(() -> backend.send(call(3, "echo", "{\"message\":\"x\"}")))
          .isInstanceOf(IOException.class).hasMessageContaining("server 'everything'");
    }
    assertThat(listener.exits()).hasSize(1);
  }

  /** Which uid and gid the container's own process (pid 1) and a process started in it run as. */
  private static String idsInside(ServerConfig server) throws Exception {
    String session = "session-" + UUID.randomUUID();
    try (Backend backend = launch(server, session, Map.of(), new RecordingBackendListener())) {
      String id = containerOf(session);
      String fromId = DockerEngine.exec(docker, id, "echo $(id -u):$(id -g)").trim();
      String[] uid = DockerEngine.exec(docker, id, "grep '^Uid:' /proc/1/status").trim().split("\\s+");
      String[] gid = DockerEngine.exec(docker, id, "grep '^Gid:' /proc/1/status").trim().split("\\s+");
      assertThat(backend.isAlive()).isTrue();
      assertThat(uid[1] + ":" + gid[1]).as("pid 1 runs as the container's user").isEqualTo(fromId);
      return fromId;
    }
  }

  @Test
  void containersRunAsAnUnprivilegedUserUnlessTheServerNamesOne() throws Exception {
    // The base image names no user, so the engine alone would run it as root.
    assertThat(docker.inspectImageCmd(DockerEngine.BASE_IMAGE).exec().getConfig().getUser()).isNullOrEmpty();
    ServerConfig plain = ServerConfig.container(DockerEngine.BASE_IMAGE).entrypoint("/bin/cat").build("plain");

    assertThat(idsInside(plain)).as("by default").isEqualTo("65534:65534");
    assertThat(idsInside(plain.toBuilder().user("1000:1000").build("plain"))).as("\"user\": \"1000:1000\"").isEqualTo("1000:1000");
    assertThat(idsInside(plain.toBuilder().args(List.of("--user", "4242:4243")).build("plain"))).as("--user in args")
        .isEqualTo("4242:4243");
    assertThat(idsInside(plain.toBuilder().user("0:0").build("plain"))).as("root only when named").isEqualTo("0:0");
  }

  @Test
  void closeEndsStdinRemovesTheContainerAndIsIdempotent() throws Exception {
    String session = "session-" + UUID.randomUUID();
    RecordingBackendListener listener = new RecordingBackendListener();
    Backend backend = initialized(everything(), session, Map.of(), listener);
    String id = containerOf(session);

    backend.close();
    backend.close();

    assertThat(DockerEngine.containers(docker, ContainerJanitor.SESSION + "=" + session)).isEmpty();
    assertThat(listener.exits()).containsExactly("stopped by the gateway");
    assertThat(Files.readString(Path.of("target/gateway-docker-test.log")))
        .contains("Stopped server 'everything' (container " + id.substring(0, 12) + "): it exited after its input ended");
  }

  @Test
  void containerIgnoringTheEndOfItsInputIsKilledAfterTheGracePeriod() throws Exception {
    String session = "session-" + UUID.randomUUID();
    ServerConfig stubborn = ServerConfig.container(DockerEngine.BASE_IMAGE).entrypoint("/bin/sleep")
        .entrypointArgs(List.of("600")).build("stubborn");
    RecordingBackendListener listener = new RecordingBackendListener();
    try (DockerBackendLauncher quick = DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER)
        .gracePeriod(Duration.ofMillis(300)).build()) {
      Backend backend = quick.launch(LaunchRequest.builder(stubborn, listener).sessionKey(session).startupTimeout(WAIT).build());
      String id = containerOf(session);

      backend.close();

      assertThat(DockerEngine.containers(docker, ContainerJanitor.SESSION + "=" + session)).isEmpty();
      assertThat(listener.exits()).containsExactly("stopped by the gateway");
      assertThat(Files.readString(Path.of("target/gateway-docker-test.log")))
          .contains("Stopped server 'stubborn' (container " + id.substring(0, 12) + "): killed after the grace period of 300 ms");
    }
  }

  @Test
  void missingImageWithPullPolicyNeverFailsNamingServerAndImage() {
    ServerConfig server = ServerConfig.container("mcp-gateway-test/not-there:1").build("ghost");

    assertThatThrownBy(() -> launch(server, "s", Map.of(), new RecordingBackendListener()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("server 'ghost'").hasMessageContaining("mcp-gateway-test/not-there:1")
        .hasMessageContaining("NEVER");
  }

  @Test
  void imagePinnedToAnotherDigestIsRefused() {
    ServerConfig server = everything().toBuilder().imageDigest("sha256:" + "0".repeat(64)).build("pinned");

    assertThatThrownBy(() -> launch(server, "s", Map.of(), new RecordingBackendListener()))
        .isInstanceOf(IOException.class).hasMessageContaining("server 'pinned'").hasMessageContaining("not the pinned");
  }

  @Test
  void imagePinnedToItsDigestStarts() throws Exception {
    String digest = docker.inspectImageCmd(DockerEngine.EVERYTHING_IMAGE).exec().getId();
    ServerConfig server = everything().toBuilder().imageDigest(digest).build("pinned");

    try (Backend backend = launch(server, "session-" + UUID.randomUUID(), Map.of(), new RecordingBackendListener())) {
      assertThat(backend.isAlive()).isTrue();
    }
  }
}
