package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.mcpgateway.GatewayListener;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's fault cases with containers: server-everything in a container behind
 * {@link McpGateway} and the Docker launcher, killed mid-call, closed under load, and churned.
 * Figures go to stdout as {@code [reliability] ...} lines.
 */
class ContainerFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SERVER = "everything";
  private static final String MANAGED = ContainerJanitor.MANAGED + "=true";
  private static DockerClient docker;

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private McpGateway gateway;

  @BeforeAll
  static void requireEngine() {
    docker = DockerEngine.require();
  }

  @BeforeEach
  void engineAnswers() {
    DockerEngine.assumeAvailable();
  }

  @AfterEach
  void closeGateway() throws InterruptedException {
    threads.shutdownNow();
    threads.awaitTermination(30, TimeUnit.SECONDS);
    if (gateway != null) {
      gateway.close();
      DockerEngine.assertNoGatewayContainers(docker);
    }
  }

  @AfterAll
  static void noContainerRemains() {
    if (docker != null) {
      DockerEngine.assertNoGatewayContainers(docker);
      DockerClients.closeQuietly(docker);
    }
  }

  /** A gateway whose callers are named by their Authorization header: one container per key. */
  private static McpGateway gateway(Duration drainTimeout, GatewayListener listener) {
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.container(DockerEngine.EVERYTHING_IMAGE).build(SERVER))
        .build();
    Authenticator byKey = request -> request.authorization()
        .map(key -> AuthResult.success(Identity.of(key, key)))
        .orElse(AuthResult.denied(401, "authentication failed: no key"));
    DockerBackendLauncher launcher = DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER)
        .gracePeriod(Duration.ofSeconds(1)).build();
    McpGateway.Builder builder = McpGateway.builder(config).authenticator(byKey).launcher(BackendKind.CONTAINER, launcher)
        .drainTimeout(drainTimeout);
    if (listener != null) {
      builder.interceptors(List.of(new Listening(listener)));
    }
    return builder.build();
  }

  /** This JVM's containers of the test server (other builds may share the engine). */
  private static List<Container> serverContainers() {
    return DockerEngine.own(docker, ContainerJanitor.SERVER + "=" + SERVER);
  }

  private static String text(JsonNode answer) {
    return answer.path("result").path("content").path(0).path("text").asText();
  }

  private static String error(JsonNode answer) {
    return answer.path("error").path("message").asText();
  }

  @Test
  void killedContainerFailsEveryCallInFlightWithinASecondNamingTheServerAndTheNextCallStartsAFreshOne() throws Exception {
    gateway = gateway(Duration.ofSeconds(30), null);
    TestClient client = new TestClient(gateway, SERVER, "key-a");
    client.initialize();
    List<InFlightCall> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(InFlightCall.start(gateway, SERVER, "key-a", client.sessionId(), 100 + i, 60, 600));
    }
    for (InFlightCall call : calls) {
      call.atBackend().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(serverContainers()).hasSize(1);
    String killedId = serverContainers().get(0).getId();

    long killed = System.nanoTime();
    docker.killContainerCmd(killedId).exec();

    long slowest = 0;
    for (InFlightCall call : calls) {
      JsonNode answer = call.answer().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(error(answer)).startsWith("server '" + SERVER + "' stopped").contains("exited with status 137");
      slowest = Math.max(slowest, call.answeredNanos() - killed);
    }
    long fastest = calls.stream().mapToLong(c -> c.answeredNanos() - killed).min().orElseThrow();
    System.out.printf("[reliability] container killed: 8 calls in flight answered with an error %d-%d ms after the kill%n",
        fastest / 1_000_000, slowest / 1_000_000);
    assertThat(Duration.ofNanos(slowest)).as("every call in flight fails within a second").isLessThan(Duration.ofSeconds(1));

    long restarted = System.nanoTime();
    assertThat(client.callTool("echo", "{\"message\":\"again\"}")).isEqualTo("Echo: again");
    System.out.printf("[reliability] the next call started a fresh container and was answered in %d ms%n",
        (System.nanoTime() - restarted) / 1_000_000);
    assertThat(serverContainers()).extracting(Container::getId).hasSize(1).doesNotContain(killedId);
  }

  @Test
  void closeUnderLoadLetsShortCallsFinishFailsLongOnesNamingTheServerAndLeavesNoContainer() throws Exception {
    gateway = gateway(Duration.ofSeconds(3), null);
    List<InFlightCall> shortCalls = new ArrayList<>();
    List<InFlightCall> longCalls = new ArrayList<>();
    long id = 100;
    for (String key : List.of("key-a", "key-b", "key-c")) {
      for (int session = 0; session < 2; session++) {
        TestClient client = new TestClient(gateway, SERVER, key);
        client.initialize();
        for (int i = 0; i < 2; i++) {
          shortCalls.add(InFlightCall.start(gateway, SERVER, key, client.sessionId(), id++, 1.5, 15));
          longCalls.add(InFlightCall.start(gateway, SERVER, key, client.sessionId(), id++, 60, 600));
        }
      }
    }
    for (InFlightCall call : shortCalls) {
      call.atBackend().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    for (InFlightCall call : longCalls) {
      call.atBackend().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    // Test clients declare sampling: a session that can receive server requests holds a container
    // of its own while its calls run, so the two sessions of each key run on two.
    assertThat(serverContainers()).as("a container per session with calls in flight").hasSize(6);

    long closing = System.nanoTime();
    CompletableFuture<Void> closed = CompletableFuture.runAsync(gateway::close, threads);

    for (InFlightCall call : shortCalls) {
      assertThat(text(call.answer().get(WAIT.toSeconds(), TimeUnit.SECONDS))).as("a call shorter than the drain finishes")
          .startsWith("Long running operation completed");
    }
    long slowest = 0;
    for (InFlightCall call : longCalls) {
      assertThat(error(call.answer().get(WAIT.toSeconds(), TimeUnit.SECONDS))).as("a call longer than the drain fails")
          .startsWith("server '" + SERVER + "' stopped");
      slowest = Math.max(slowest, call.answeredNanos() - closing);
    }
    closed.get(60, TimeUnit.SECONDS);
    long closeMillis = (System.nanoTime() - closing) / 1_000_000;
    assertThat(DockerEngine.own(docker, MANAGED)).as("containers left right after close() returned").isEmpty();
    System.out.printf("[reliability] close() under load (3 keys, 6 sessions, 24 calls in flight, 3 s drain): 12 short calls"
        + " finished, 12 long ones failed by %d ms; close returned after %d ms with no container left%n",
        slowest / 1_000_000, closeMillis);
  }

  @Test
  void sessionsOpenAndEndOnThreeKeysUnderChurnWithNoErrorsAndNoContainerLeft() throws Exception {
    long seconds = Long.getLong("gateway.docker.soak.seconds", 20);
    int workers = Integer.getInteger("gateway.docker.soak.workers", 8);
    AtomicInteger starts = new AtomicInteger();
    AtomicInteger stops = new AtomicInteger();
    gateway = gateway(Duration.ofSeconds(30), new GatewayListener() {
      @Override
      public void serverStarted(String server, String identity, String backend) {
        starts.incrementAndGet();
      }

      @Override
      public void serverStopped(String server, String identity, String reason) {
        stops.incrementAndGet();
      }
    });
    List<String> keys = List.of("key-a", "key-b", "key-c");
    AtomicLong sessions = new AtomicLong();
    AtomicLong calls = new AtomicLong();
    Queue<String> errors = new ConcurrentLinkedQueue<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      String key = keys.get(w % keys.size());
      int worker = w;
      running.add(CompletableFuture.runAsync(() -> {
        while (System.nanoTime() < end) {
          try {
            TestClient client = new TestClient(gateway, SERVER, key);
            client.initialize();
            sessions.incrementAndGet();
            for (int i = 0; i < 3; i++) {
              String message = "w" + worker + "-" + i;
              String echo = client.callTool("echo", "{\"message\":\"" + message + "\"}");
              calls.incrementAndGet();
              if (!echo.equals("Echo: " + message)) {
                errors.add(key + ": " + echo);
              }
            }
            int deleted = client.delete().status();
            if (deleted != 200 && deleted != 204) {
              errors.add(key + ": DELETE answered " + deleted);
            }
          } catch (RuntimeException | AssertionError e) {
            errors.add(key + ": " + e);
          }
        }
      }, threads));
    }
    for (CompletableFuture<Void> worker : running) {
      worker.get(seconds + 120, TimeUnit.SECONDS);
    }
    gateway.close();
    Await.until(WAIT, "no container of this test is left", () -> DockerEngine.own(docker, MANAGED).isEmpty());
    System.out.printf("[reliability] container churn (%d s, %d workers, 3 keys): %d sessions opened and ended, %d calls,"
        + " %d containers started and %d stopped, %d errors, no container left%n",
        seconds, workers, sessions.get(), calls.get(), starts.get(), stops.get(), errors.size());

    assertThat(errors).as("errors").isEmpty();
    assertThat(sessions.get()).isGreaterThan(workers);
    // A key's container restarts only when all its sessions happen to be ended at once: counted, not forced.
    assertThat(starts.get()).as("containers started and stopped").isEqualTo(stops.get()).isGreaterThanOrEqualTo(keys.size());
  }

  /** Hears the gateway's events through the interceptor chain. */
  private record Listening(GatewayListener listener) implements Interceptor, GatewayListener {
    @Override
    public void serverStarted(String server, String identity, String backend) {
      listener.serverStarted(server, identity, backend);
    }

    @Override
    public void serverStopped(String server, String identity, String reason) {
      listener.serverStopped(server, identity, reason);
    }
  }
}
