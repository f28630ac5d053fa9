package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.examples.demo.DemoMcpServer;
import dev.mcpgateway.examples.support.DemoServer;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.examples.support.TaggedAskingServer;
import dev.mcpgateway.testsupport.NodeCommand;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.StdioTestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three standalone runners in cluster mode (each its own JVM) on one {@code redis-server}, behind
 * {@code haproxy} with {@code balance roundrobin} and no stickiness, so that consecutive requests
 * of one session go to different replicas: real SDK clients (Java and TypeScript) with sampling
 * and elicitation, {@code Last-Event-ID} replay and live following on other replicas, a replica
 * killed with SIGKILL, Redis restarted without persistence, and a churn of sessions that leaves no
 * backend and no key behind. The haproxy configuration is the one in docs/cluster.md ("Tested
 * setup").
 *
 * <p>Needs {@code haproxy}, {@code redis-server} and Node with the npm test packages (all
 * installed by {@code .ci/run}); without them the class is skipped with the reason printed,
 * except under {@code CI=true}, where it fails.
 */
@Tag("replicas")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterBehindHaproxyTest {
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final String SECRET = "haproxy-test-cluster-secret-0123456789abcdef";
  private static final List<String> REPLICAS = List.of("r1", "r2", "r3");
  private static final String CHURN_MARKER = "-Dmcp.e2e.backend=churn";
  private static final String RECOVER_MARKER = "-Dmcp.e2e.backend=recover";
  private static final String PROTOCOL_RESUMABLE = "2025-11-25";

  /** Why the tests skip: a tool that is not installed (null: none). */
  private String missing;
  private Path dir;
  private Process redis;
  private int redisPort;
  private Path runnerConfig;
  /** The replicas by haproxy server name ({@code r1}...), in order. */
  private final Map<String, Replica> replicas = new LinkedHashMap<>();
  private Process haproxy;
  private int frontendPort;
  private int statsPort;
  private McpHttp http;
  private final HttpClient statsClient = HttpClient.newHttpClient();
  /** For the streams read as they arrive; a stream the test drops closes its connection. */
  private final HttpClient streamClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  /** A runner replica: the haproxy server name, its fixed loopback port, its process. */
  private static final class Replica {
    final String name;
    final int port;
    NodeProcess process;
    /** How much of its stderr the current scenario has already looked at. */
    int stderrChecked;

    Replica(String name, int port) {
      this.name = name;
      this.port = port;
    }

    McpHttp direct() {
      return new McpHttp("http://127.0.0.1:" + port);
    }
  }

  @BeforeAll
  void startRedisReplicasAndHaproxy() throws Exception {
    missing = missing("haproxy", "/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy");
    if (missing == null) {
      missing = missing("redis-server", "/usr/bin/redis-server", "/usr/local/bin/redis-server");
    }
    if (missing != null) {
      return; // each test is skipped with the reason
    }
    NodeTools.assumeNode();
    dir = Files.createTempDirectory("cluster-behind-haproxy");
    redisPort = freePort();
    startRedis();
    runnerConfig = Files.writeString(dir.resolve("gateway.json"), runnerConfig(redisPort).toString());
    for (String name : REPLICAS) {
      replicas.put(name, new Replica(name, freePort()));
    }
    for (Replica replica : replicas.values()) {
      launch(replica);
    }
    for (Replica replica : replicas.values()) {
      awaitServing(replica);
    }
    frontendPort = freePort();
    statsPort = freePort();
    Path config = Files.writeString(dir.resolve("haproxy.cfg"), haproxyConfig());
    haproxy = new ProcessBuilder("haproxy", "-f", config.toString(), "-db").redirectErrorStream(true)
        .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    Await.until(DEADLINE, "haproxy serves with every replica UP", () -> {
      if (!haproxy.isAlive()) {
        throw new AssertionError("haproxy exited: " + Files.readString(dir.resolve("haproxy.log")));
      }
      Map<String, Map<String, String>> stats;
      try {
        stats = stats();
      } catch (UncheckedIOException notYetListening) {
        return false;
      }
      return REPLICAS.stream().allMatch(r -> stats.containsKey(r) && stats.get(r).get("status").equals("UP"));
    });
    http = new McpHttp("http://127.0.0.1:" + frontendPort);
  }

  @AfterAll
  void stopEverything() throws Exception {
    List<ProcessHandle> left = new ArrayList<>();
    if (haproxy != null) {
      haproxy.destroy();
      if (!haproxy.waitFor(30, TimeUnit.SECONDS)) {
        haproxy.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    for (Replica replica : replicas.values()) {
      if (replica.process != null) {
        left.addAll(replica.process.process().descendants().toList());
        left.add(replica.process.process().toHandle());
        replica.process.close();
      }
    }
    if (redis != null) {
      redis.destroy();
      redis.waitFor(30, TimeUnit.SECONDS);
    }
    try {
      Await.until(DEADLINE, "no runner, backend, haproxy or redis-server process left",
          () -> left.stream().filter(ProcessHandle::isAlive).toList(), List::isEmpty);
      assertThat(haproxy == null || !haproxy.isAlive()).as("haproxy stopped").isTrue();
    } finally {
      left.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      if (dir != null) {
        try (var files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /**
   * Each test starts with Redis and the three replicas up (whatever an earlier test left), and
   * looks only at what the replicas log from its start on.
   */
  @BeforeEach
  void everythingUpAndLogsMarked() throws Exception {
    Assumptions.assumeTrue(missing == null, missing);
    if (!redis.isAlive()) {
      startRedis();
    }
    for (Replica replica : replicas.values()) {
      if (!replica.process.process().isAlive()) {
        launch(replica);
        awaitServing(replica);
      }
    }
    Await.until(DEADLINE, "every replica is UP in haproxy",
        () -> REPLICAS.stream().allMatch(r -> "UP".equals(stats().get(r).get("status"))));
    for (Replica replica : replicas.values()) {
      replica.stderrChecked = replica.process.stderr().length();
    }
  }

  // --- (a) SDK clients with server requests ------------------------------------------------------

  @Test
  void theJavaSdkClientDoesAFullSessionWithSamplingAndElicitationAcrossReplicas() {
    Map<String, Long> before = requestsPerReplica();
    List<String> sampled = new CopyOnWriteArrayList<>();
    List<String> elicited = new CopyOnWriteArrayList<>();
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder("http://127.0.0.1:" + frontendPort).endpoint("/mcp/asking").build();
    List<JsonNode> results = new ArrayList<>();
    try (McpSyncClient client = McpClient.sync(transport)
        .clientInfo(new McpSchema.Implementation("cluster-java-sdk", "1.0.0"))
        .requestTimeout(DEADLINE)
        .initializationTimeout(DEADLINE)
        .capabilities(McpSchema.ClientCapabilities.builder().sampling().elicitation().build())
        .sampling(request -> {
          String text = ((McpSchema.TextContent) request.messages().get(0).content()).text();
          sampled.add(text);
          return McpSchema.CreateMessageResult.builder(McpSchema.Role.ASSISTANT,
              new McpSchema.TextContent("sampled by the Java client: " + text), "java-client-model").build();
        })
        .elicitation(request -> {
          elicited.add(request.message());
          return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT,
              Map.of("answer", "elicited by the Java client: " + request.message()));
        })
        .build()) {
      McpSchema.InitializeResult init = client.initialize();
      List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
      for (int i = 1; i <= 6; i++) {
        // one or two server requests per call, so that the calls themselves move across replicas
        Map<String, Object> arguments = Map.of("tag", "java-" + i,
            "asks", i % 2 == 0 ? List.of("sampling") : List.of("sampling", "elicitation"));
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("ask", arguments));
        assertThat(result.isError()).as("call %s: %s", i, result).isNotEqualTo(Boolean.TRUE);
        results.add(json(((McpSchema.TextContent) result.content().get(0)).text()));
      }
      assertThat(init.serverInfo().name()).isEqualTo("asking");
      assertThat(tools).contains("ask", "pid");
    }

    for (int i = 1; i <= 6; i++) {
      JsonNode result = results.get(i - 1);
      assertThat(result.path("answers").size()).as("%s", result).isEqualTo(i % 2 == 0 ? 1 : 2);
      assertThat(result.path("tag").asText()).isEqualTo("java-" + i);
      assertThat(result.path("answers").path("sampling/createMessage").path("content").path("text").asText())
          .isEqualTo("sampled by the Java client: tag:java-" + i);
      if (i % 2 == 1) {
        assertThat(result.path("answers").path("elicitation/create").path("action").asText()).isEqualTo("accept");
        assertThat(result.path("answers").path("elicitation/create").path("content").path("answer").asText())
            .isEqualTo("elicited by the Java client: tag:java-" + i);
      }
    }
    assertThat(sampled).hasSize(6);
    assertThat(elicited).hasSize(3);
    assertEveryReplicaServedSince(before);
    assertNoErrorLogged();
  }

  @Test
  void theTypeScriptSdkClientDoesAFullSessionWithSamplingAndElicitationAcrossReplicas() throws Exception {
    Map<String, Long> before = requestsPerReplica();
    NodeProcess client = NodeTools.sdkClient("answer-server-requests.mjs", "http://127.0.0.1:" + frontendPort + "/mcp/asking",
        null, "--tool", "ask", "--calls", "6",
        "--arguments", TaggedAskingServer.arguments("ts-{index}", "sampling", "elicitation")).start();
    List<JsonNode> steps = new ArrayList<>();
    try {
      int exit = client.awaitExit(DEADLINE);
      for (String line : client.stdoutLines()) {
        steps.add(json(line));
      }
      assertThat(exit).as("exit of answer-server-requests.mjs; stdout %s; stderr:%n%s", steps, client.stderr()).isZero();
    } finally {
      client.close();
    }

    assertThat(steps).extracting(step -> step.path("step").asText())
        .containsExactly("connected", "tools", "call", "call", "call", "call", "call", "call", "asked", "ended");
    assertThat(steps.get(0).path("serverInfo").path("name").asText()).isEqualTo("asking");
    for (int i = 1; i <= 6; i++) {
      JsonNode result = json(steps.get(1 + i).path("result").path("content").path(0).path("text").asText());
      assertThat(result.path("answers").size()).as("%s", result).isEqualTo(2);
      assertThat(result.path("tag").asText()).isEqualTo("ts-" + i);
      assertThat(result.path("answers").path("sampling/createMessage").path("content").path("text").asText())
          .isEqualTo("sampled by the TypeScript client: tag:ts-" + i);
      assertThat(result.path("answers").path("elicitation/create").path("content").path("answer").asText())
          .isEqualTo("elicited by the TypeScript client: tag:ts-" + i);
    }
    assertThat(steps.get(8).path("sampling").asInt()).isEqualTo(6);
    assertThat(steps.get(8).path("elicitation").asInt()).isEqualTo(6);
    assertEveryReplicaServedSince(before);
    assertNoErrorLogged();
  }

  // --- (b) Last-Event-ID on another replica -------------------------------------------------------

  /**
   * A stream that ended on one replica is replayed from its {@code Last-Event-ID} by each of the
   * three, from the events in Redis. (A stream still live on its replica is followed by the one the
   * resumption lands on: the next test.)
   */
  @Test
  void aFinishedStreamIsReplayedFromItsLastEventIdByEveryReplica() {
    String session = openResumable("everything");
    McpHttp.Answer call = postInSession("everything", session, "{\"jsonrpc\":\"2.0\",\"id\":\"call-1\",\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"trigger-long-running-operation\",\"arguments\":{\"duration\":1,\"steps\":3},"
        + "\"_meta\":{\"progressToken\":\"token-1\"}}}");
    assertThat(call.status()).as(call.body()).isEqualTo(200);
    List<SseEvent> events = SseEvent.parse(call.body());
    // the priming event, three progress notifications, the result
    assertThat(events).hasSize(5);
    assertThat(events.get(0).data()).isEmpty();
    assertThat(events.get(4).json().path("result").path("content").path(0).path("text").asText())
        .startsWith("Long running operation completed");

    Map<String, List<SseEvent>> replayedBy = new HashMap<>();
    for (int i = 0; i < 2 * REPLICAS.size() && replayedBy.size() < REPLICAS.size(); i++) {
      Resumption resumed = resume("everything", session, events.get(1).id());
      assertThat(resumed.answer().status()).as(resumed.answer().body()).isEqualTo(200);
      replayedBy.put(resumed.replica(), resumed.events());
    }

    assertThat(replayedBy.keySet()).containsExactlyInAnyOrderElementsOf(REPLICAS);
    replayedBy.forEach((replica, replayed) -> assertThat(replayed).as("replayed by %s", replica)
        .extracting(SseEvent::id).containsExactly(events.get(2).id(), events.get(3).id(), events.get(4).id()));
    replayedBy.forEach((replica, replayed) -> assertThat(replayed.get(2).data()).as("replayed by %s", replica)
        .isEqualTo(events.get(4).data()));
    assertThat(deleteSession("everything", session, PROTOCOL_RESUMABLE).status()).isEqualTo(200);
    assertNoErrorLogged();
  }

  /**
   * A call whose connection drops, resumed with {@code Last-Event-ID} on another replica while it
   * still runs on its own: the resumed stream shows the rest of the call live (progress, a sampling
   * request, the answer), each event once, in order, with the ids the holder gave them, and ends with
   * the call. The tool ({@code interview}) waits for each sampling answer, so nothing happens after
   * the first question until the test answers it, after the resumption is open: every event of the
   * resumed stream is followed live, none was stored before. The client's answers go through haproxy
   * to whichever replica is next and reach the tool on the holder.
   */
  @Test
  void aStreamStillLiveOnOneReplicaIsFollowedToItsEndFromAnother() {
    String session = openResumable("interview", "{\"sampling\":{}}");
    String holder;
    SseEvent priming;
    SseEvent progress1;
    SseEvent question1;
    try (LiveStream call = stream("POST", "interview", session, null, "{\"jsonrpc\":\"2.0\",\"id\":\"call-1\","
        + "\"method\":\"tools/call\",\"params\":{\"name\":\"interview\",\"arguments\":{\"rounds\":2},"
        + "\"_meta\":{\"progressToken\":\"token-1\"}}}")) {
      assertThat(call.status()).isEqualTo(200);
      holder = call.replica();
      priming = call.next();
      progress1 = call.next();
      question1 = call.next();
    } // the client's connection drops: the call goes on on its replica, waiting for the answer to question 1
    String stream = priming.id().substring(0, priming.id().lastIndexOf('_'));
    assertThat(priming.data()).isEmpty();
    assertThat(progress1.json().path("params").path("progress").asInt()).isEqualTo(1);
    assertThat(question1.json().path("method").asText()).isEqualTo("sampling/createMessage");

    // round robin sends the resumption to the next replica; one that lands on the holder is dropped and sent again
    List<String> resumedOn = new ArrayList<>();
    LiveStream resumed = null;
    for (int i = 0; i < REPLICAS.size() && (resumed == null || resumed.replica().equals(holder)); i++) {
      if (resumed != null) {
        resumed.close();
      }
      resumed = stream("GET", "interview", session, question1.id(), null);
      assertThat(resumed.status()).as("resumption on %s", resumed.replica()).isEqualTo(200);
      resumedOn.add(resumed.replica());
    }
    List<String> answeredOn = new ArrayList<>();
    List<SseEvent> followed = new ArrayList<>();
    try (LiveStream live = resumed) {
      assertThat(live.replica()).as("the replica of the last resumption of %s", resumedOn).isNotEqualTo(holder);
      answeredOn.add(answer("interview", session, question1, "first"));
      followed.add(live.next()); // progress 2
      SseEvent question2 = live.next();
      followed.add(question2);
      answeredOn.add(answer("interview", session, question2, "second"));
      followed.add(live.next()); // progress 3
      followed.add(live.next()); // the result
      assertThat(live.awaitEnd()).as("events after the result").isEmpty();
    }
    System.out.println("ClusterBehindHaproxyTest: the call held by " + holder + " was resumed on " + resumedOn
        + "; the answers to its questions landed on " + answeredOn);

    assertThat(List.of(priming, progress1, question1)).extracting(SseEvent::id)
        .containsExactly(stream + "_0", stream + "_1", stream + "_2");
    assertThat(followed).extracting(SseEvent::id).containsExactly(stream + "_3", stream + "_4", stream + "_5", stream + "_6");
    assertThat(followed.get(0).json().path("params").path("progress").asInt()).isEqualTo(2);
    assertThat(followed.get(1).json().path("method").asText()).isEqualTo("sampling/createMessage");
    assertThat(followed.get(2).json().path("params").path("progress").asInt()).isEqualTo(3);
    JsonNode result = followed.get(3).json();
    assertThat(result.path("id").asText()).isEqualTo("call-1");
    assertThat(result.path("result").path("content").path(0).path("text").asText()).as("the tool got both answers")
        .isEqualTo("first, second");
    assertThat(deleteSession("interview", session, PROTOCOL_RESUMABLE).status()).isEqualTo(200);
    assertNoErrorLogged();
  }

  // --- (c) a replica killed with SIGKILL ----------------------------------------------------------

  @Test
  void aReplicaKilledMidRunFailsOnlyItsCallsInFlightAndItsSessionsGoOnElsewhere() throws Exception {
    int calls = 2 * REPLICAS.size();
    List<McpHttp.Session> sessions = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      sessions.add(http.open("/mcp/everything", null));
    }
    ExecutorService pool = Executors.newFixedThreadPool(calls);
    try {
      Map<String, Map<String, String>> idle = stats();
      long open = REPLICAS.stream().mapToLong(r -> number(idle.get(r), "scur")).sum(); // streams of earlier tests, if any
      List<Future<McpHttp.Answer>> inFlight = new ArrayList<>();
      for (McpHttp.Session session : sessions) {
        McpHttp own = new McpHttp("http://127.0.0.1:" + frontendPort); // a connection of its own
        inFlight.add(pool.submit(() -> own.post("/mcp/everything", null, session.id, McpHttp.toolCall(3,
            "trigger-long-running-operation", "{\"duration\":10,\"steps\":1}"))));
      }
      Map<String, Map<String, String>> busy = Await.until(DEADLINE, "every call is in flight at a replica",
          this::stats, s -> REPLICAS.stream().mapToLong(r -> number(s.get(r), "scur")).sum() == open + calls);
      Map<String, Long> callsAt = new HashMap<>();
      REPLICAS.forEach(r -> callsAt.put(r, number(busy.get(r), "scur") - number(idle.get(r), "scur")));
      String victim = REPLICAS.stream().max(Comparator.comparingLong(callsAt::get)).orElseThrow();
      long victimCalls = callsAt.get(victim);
      Replica killed = replicas.get(victim);
      List<ProcessHandle> orphans = killed.process.process().descendants().toList();

      killed.process.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no drain, no goodbye

      int failed = 0;
      List<String> outcomes = new ArrayList<>();
      for (Future<McpHttp.Answer> call : inFlight) {
        McpHttp.Answer answer;
        try {
          answer = call.get(DEADLINE.toSeconds(), TimeUnit.SECONDS); // never hangs: fails or answers in bounded time
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(UncheckedIOException.class);
          outcomes.add("connection closed");
          failed++;
          continue;
        }
        outcomes.add(Integer.toString(answer.status()));
        if (answer.status() == 200) {
          assertThat(answer.json().path("result").path("content").path(0).path("text").asText())
              .startsWith("Long running operation completed");
        } else {
          assertThat(answer.status()).as(answer.body()).isEqualTo(502); // haproxy: the server went away mid-request
          failed++;
        }
      }
      System.out.println("ClusterBehindHaproxyTest: killed " + victim + " with " + victimCalls + " of " + calls
          + " calls in flight; the calls ended with " + outcomes);
      assertThat(victimCalls).isPositive();
      assertThat(failed).as("the calls in flight on %s fail, the others answer", victim).isEqualTo(victimCalls);

      // the sessions' next requests succeed on the other replicas, which start backends for them
      for (McpHttp.Session session : sessions) {
        for (int i = 0; i < REPLICAS.size(); i++) {
          String message = "after the kill " + i;
          JsonNode echo = session.callTool("echo", "{\"message\":\"" + message + "\"}");
          assertThat(echo.path("result").path("content").path(0).path("text").asText()).isEqualTo("Echo: " + message);
        }
      }
      Await.until(DEADLINE, "the killed replica's backends exit once their stdin closes",
          () -> orphans.stream().filter(ProcessHandle::isAlive).toList(), List::isEmpty);
      for (McpHttp.Session session : sessions) {
        assertThat(session.delete().status()).isEqualTo(200);
      }

      // the replica comes back on its port and haproxy sends it requests again
      launch(killed);
      awaitServing(killed);
      Await.until(DEADLINE, victim + " is UP again in haproxy", () -> "UP".equals(stats().get(victim).get("status")));
      Map<String, Long> before = requestsPerReplica();
      McpHttp.Session fresh = http.open("/mcp/everything", null);
      for (int i = 0; i < REPLICAS.size(); i++) {
        fresh.callTool("echo", "{\"message\":\"back\"}");
      }
      assertThat(fresh.delete().status()).isEqualTo(200);
      assertEveryReplicaServedSince(before);
    } finally {
      pool.shutdownNow();
    }
  }

  // --- (d) Redis restarted without persistence ---------------------------------------------------

  @Test
  void whileRedisIsDownNewSessionsGet503AndAfterItsRestartLostSessionsGet404AndNewOnesWork() throws Exception {
    McpHttp.Session before = http.open("/mcp/recover", null);
    for (int i = 0; i < REPLICAS.size(); i++) {
      before.callTool("echo", "{\"message\":\"before\"}"); // every replica now serves it
    }

    redis.destroy();
    assertThat(redis.waitFor(30, TimeUnit.SECONDS)).isTrue();

    Set<String> refusedBy = new LinkedHashSet<>();
    for (int i = 0; i < 3 * REPLICAS.size() && refusedBy.size() < REPLICAS.size(); i++) {
      McpHttp.Answer init = http.post("/mcp/recover", null, null, McpHttp.initializeBody());
      assertThat(init.status()).as(init.body()).isEqualTo(503);
      assertThat(init.header("Retry-After")).isEqualTo("1");
      assertThat(init.body()).contains("sessions are unavailable").doesNotContain(Integer.toString(redisPort));
      refusedBy.add(init.header("X-Replica"));
    }
    assertThat(refusedBy).containsExactlyInAnyOrderElementsOf(REPLICAS);
    for (int i = 0; i < REPLICAS.size(); i++) {
      McpHttp.Answer ping = http.post("/mcp/recover", null, before.id, McpHttp.request(50 + i, "ping", null));
      assertThat(ping.status()).as("a request of a session held or not held while Redis is down: %s", ping.body())
          .isIn(200, 503);
    }

    startRedis();

    McpHttp.Answer reopened = Await.until(DEADLINE, "new sessions open again once Redis answers",
        () -> http.post("/mcp/recover", null, null, McpHttp.initializeBody()), a -> a.status() == 200);
    String reopenedId = reopened.header("Mcp-Session-Id");
    List<Integer> statuses = new ArrayList<>();
    Await.until(DEADLINE, "the session whose record Redis lost gets 404", () -> {
      int status = http.post("/mcp/recover", null, before.id, McpHttp.request(60, "ping", null)).status();
      statuses.add(status);
      return status == 404;
    });
    System.out.println("ClusterBehindHaproxyTest: after the restart of Redis the lost session got " + statuses);
    assertThat(statuses).as("answers to the lost session").allMatch(s -> s == 200 || s == 404);

    // the client starts anew
    McpHttp.Session anew = http.open("/mcp/recover", null);
    for (int i = 0; i < REPLICAS.size(); i++) {
      JsonNode echo = anew.callTool("echo", "{\"message\":\"anew " + i + "\"}");
      assertThat(echo.path("result").path("content").path(0).path("text").asText()).isEqualTo("anew " + i);
    }
    assertThat(anew.delete().status()).isEqualTo(200);
    assertThat(http.send("DELETE", "/mcp/recover", null, "Mcp-Session-Id", reopenedId, "MCP-Protocol-Version",
        McpHttp.PROTOCOL_VERSION).status()).isEqualTo(200);
  }

  // --- (e) churn ---------------------------------------------------------------------------------

  @Test
  void aChurnOfSessionsAcrossReplicasHasNoErrorAndLeavesNoBackendAndNoSessionKey() throws Exception {
    int threads = 8;
    int sessionsPerThread = 25;
    Map<String, Long> before = requestsPerReplica();
    Queue<String> errors = new ConcurrentLinkedQueue<>();
    Queue<String> ids = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          McpHttp own = new McpHttp("http://127.0.0.1:" + frontendPort);
          for (int s = 0; s < sessionsPerThread; s++) {
            churnOnce(own, "t" + thread + "-s" + s, ids, errors);
          }
        }));
      }
      for (Future<?> worker : workers) {
        worker.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(errors).as("unexpected errors").isEmpty();
    assertThat(ids).hasSize(threads * sessionsPerThread).doesNotHaveDuplicates();
    assertEveryReplicaServedSince(before);
    for (Replica replica : replicas.values()) {
      Await.until(DEADLINE, replica.name + " holds no churn backend", () -> health(replica).path("servers").path("churn"),
          churn -> churn.path("backends").asInt(-1) == 0 && churn.path("starts").asInt() > 0);
      Await.until(DEADLINE, replica.name + " has no churn child process",
          () -> dev.mcpgateway.examples.support.Children.matching(replica.process.process().toHandle(), CHURN_MARKER),
          List::isEmpty);
    }
    Set<String> churned = Set.copyOf(ids);
    List<String> keys = Await.until(DEADLINE, "no key of a churned session is left in Redis", () -> redisKeys(),
        found -> found.stream().noneMatch(key -> churned.stream().anyMatch(key::contains)));
    assertThat(redisCli("ZRANGE", "mcpgw:sessions", "0", "-1")).noneMatch(churned::contains);
    for (String key : keys) {
      assertThat(key).as("a key documented in docs/cluster.md").matches("mcpgw:(session:|sessions$|events:|rate:).*");
      assertThat(Long.parseLong(redisCli("TTL", key).get(0))).as("TTL of %s", key).isPositive();
    }
    assertNoErrorLogged();
  }

  /** One session of the churn: open, list, call, end; every unexpected answer goes to {@code errors}. */
  private static void churnOnce(McpHttp http, String tag, Queue<String> ids, Queue<String> errors) {
    try {
      McpHttp.Answer init = http.post("/mcp/churn", null, null, McpHttp.initializeBody());
      if (init.status() != 200) {
        errors.add(tag + " initialize: " + init.status() + " " + init.body());
        return;
      }
      String id = init.header("Mcp-Session-Id");
      ids.add(id);
      expect(http.post("/mcp/churn", null, id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), 202,
          tag + " initialized", errors);
      McpHttp.Answer list = http.post("/mcp/churn", null, id, McpHttp.request(2, "tools/list", "{}"));
      if (expect(list, 200, tag + " tools/list", errors) && !McpHttp.toolNames(list.json().path("result")).contains("echo")) {
        errors.add(tag + " tools/list without echo: " + list.body());
      }
      McpHttp.Answer echo = http.post("/mcp/churn", null, id, McpHttp.toolCall(3, "echo", "{\"message\":\"" + tag + "\"}"));
      if (expect(echo, 200, tag + " echo", errors)
          && !tag.equals(echo.json().path("result").path("content").path(0).path("text").asText())) {
        errors.add(tag + " echo answered " + echo.body());
      }
      expect(http.send("DELETE", "/mcp/churn", null, "Mcp-Session-Id", id, "MCP-Protocol-Version", McpHttp.PROTOCOL_VERSION),
          200, tag + " DELETE", errors);
    } catch (RuntimeException e) {
      errors.add(tag + ": " + e);
    }
  }

  private static boolean expect(McpHttp.Answer answer, int status, String what, Queue<String> errors) {
    if (answer.status() != status) {
      errors.add(what + ": " + answer.status() + " " + answer.body());
      return false;
    }
    return true;
  }

  // --- resumption helpers ------------------------------------------------------------------------

  /** What a {@code GET} with {@code Last-Event-ID} gave: the answer, the replica that served it, its events. */
  record Resumption(McpHttp.Answer answer, String replica, List<SseEvent> events) {}

  /** Resumes a stream of {@code session} after {@code lastEventId} through haproxy. */
  private Resumption resume(String server, String session, String lastEventId) {
    McpHttp.Answer answer = http.send("GET", "/mcp/" + server, null, "Accept", "text/event-stream", "Mcp-Session-Id", session,
        "MCP-Protocol-Version", PROTOCOL_RESUMABLE, "Last-Event-ID", lastEventId);
    return new Resumption(answer, answer.header("X-Replica"), SseEvent.parse(answer.body()));
  }

  /** Opens a session of the protocol revision whose streams are resumable; returns its id. */
  private String openResumable(String server) {
    return openResumable(server, "{}");
  }

  /** {@link #openResumable(String)} for a client with {@code capabilities} (JSON). */
  private String openResumable(String server, String capabilities) {
    McpHttp.Answer init = http.post("/mcp/" + server, null, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
        + "\"params\":{\"protocolVersion\":\"" + PROTOCOL_RESUMABLE + "\",\"capabilities\":" + capabilities + ","
        + "\"clientInfo\":{\"name\":\"resuming-client\",\"version\":\"1.0\"}}}");
    assertThat(init.status()).as(init.body()).isEqualTo(200);
    String session = init.header("Mcp-Session-Id");
    assertThat(postInSession(server, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").status())
        .isEqualTo(202);
    return session;
  }

  private McpHttp.Answer postInSession(String server, String session, String body) {
    return http.send("POST", "/mcp/" + server, body, "Content-Type", "application/json", "Accept", McpHttp.ACCEPT_BOTH,
        "Mcp-Session-Id", session, "MCP-Protocol-Version", PROTOCOL_RESUMABLE);
  }

  /** Answers the sampling request {@code request} through haproxy with {@code text}; returns the replica it landed on. */
  private String answer(String server, String session, SseEvent request, String text) {
    assertThat(request.json().path("method").asText()).isEqualTo("sampling/createMessage");
    McpHttp.Answer answer = postInSession(server, session, "{\"jsonrpc\":\"2.0\",\"id\":" + request.json().get("id")
        + ",\"result\":{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"" + text + "\"},"
        + "\"model\":\"test-model\"}}");
    assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    return answer.header("X-Replica");
  }

  /**
   * Sends {@code method} (a {@code POST} of {@code body}, or a {@code GET} resuming after
   * {@code lastEventId}) in {@code session} through haproxy, on a connection of its own, and reads
   * the answer as SSE as it arrives.
   */
  private LiveStream stream(String method, String server, String session, String lastEventId, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontendPort + "/mcp/" + server))
        .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", PROTOCOL_RESUMABLE);
    if (body == null) {
      request.GET().header("Accept", "text/event-stream").header("Last-Event-ID", lastEventId);
    } else {
      request.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
          .header("Content-Type", "application/json").header("Accept", McpHttp.ACCEPT_BOTH);
    }
    try {
      return new LiveStream(streamClient.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * A response read as SSE on a daemon thread as it arrives: its replica ({@code X-Replica}), its
   * events one at a time (comments such as keep-alives skipped). {@link #close()} drops the
   * connection, as a client whose network went away.
   */
  private static final class LiveStream implements AutoCloseable {
    private static final SseEvent END = new SseEvent(null, null);
    private final HttpResponse<InputStream> response;
    private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();

    LiveStream(HttpResponse<InputStream> response) {
      this.response = response;
      Thread reader = new Thread(this::read, "cluster-sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    int status() {
      return response.statusCode();
    }

    String replica() {
      return response.headers().firstValue("X-Replica").orElse(null);
    }

    private void read() {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        StringBuilder block = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
          if (!line.isEmpty()) {
            block.append(line).append('\n');
            continue;
          }
          events.addAll(SseEvent.parse(block.toString()));
          block.setLength(0);
        }
      } catch (IOException dropped) {
        // closed by the client or the server
      } finally {
        events.add(END);
      }
    }

    /** The next event; fails when the stream ends first or nothing comes within the deadline. */
    SseEvent next() {
      SseEvent event = poll();
      if (event == END) {
        events.add(END);
        throw new AssertionError("the stream ended while an event was expected");
      }
      return event;
    }

    /** Waits for the end of the stream; returns the events that came before it. */
    List<SseEvent> awaitEnd() {
      List<SseEvent> rest = new ArrayList<>();
      for (SseEvent event = poll(); event != END; event = poll()) {
        rest.add(event);
      }
      events.add(END);
      return rest;
    }

    private SseEvent poll() {
      try {
        SseEvent event = events.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (event == null) {
          throw new AssertionError("no event within " + DEADLINE);
        }
        return event;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    @Override
    public void close() {
      try {
        response.body().close();
      } catch (IOException e) {
        // already gone
      }
    }
  }

  private McpHttp.Answer deleteSession(String server, String session, String protocol) {
    return http.send("DELETE", "/mcp/" + server, null, "Mcp-Session-Id", session, "MCP-Protocol-Version", protocol);
  }

  /** One server-sent event: its id and data (the data lines joined). */
  record SseEvent(String id, String data) {
    JsonNode json() {
      return ClusterBehindHaproxyTest.json(data);
    }

    static List<SseEvent> parse(String body) {
      List<SseEvent> events = new ArrayList<>();
      for (String block : body.replace("\r\n", "\n").split("\n\n")) {
        String id = null;
        List<String> data = new ArrayList<>();
        boolean field = false;
        for (String line : block.split("\n")) {
          if (line.startsWith("id:")) {
            id = line.substring(3).trim();
            field = true;
          } else if (line.startsWith("data:")) {
            data.add(line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5));
            field = true;
          }
        }
        if (field) {
          events.add(new SseEvent(id, String.join("\n", data)));
        }
      }
      return events;
    }
  }

  // --- assertions on replicas and haproxy --------------------------------------------------------

  /** Asserts that every replica answered requests since {@code before} (haproxy's counters). */
  private void assertEveryReplicaServedSince(Map<String, Long> before) {
    Map<String, Long> now = requestsPerReplica();
    Map<String, Long> served = new LinkedHashMap<>();
    REPLICAS.forEach(r -> served.put(r, now.get(r) - before.getOrDefault(r, 0L)));
    assertThat(served).as("requests per replica").allSatisfy((replica, count) -> assertThat(count).isPositive());
  }

  /** Asserts that no replica logged an ERROR since the test began. */
  private void assertNoErrorLogged() {
    for (Replica replica : replicas.values()) {
      String stderr = replica.process.stderr();
      String recent = stderr.substring(Math.min(replica.stderrChecked, stderr.length()));
      assertThat(recent.lines().filter(l -> l.contains("[ERROR]") || l.contains(" ERROR ")).toList())
          .as("ERROR lines of %s", replica.name).isEmpty();
    }
  }

  /** haproxy's HTTP requests counter of each replica. */
  private Map<String, Long> requestsPerReplica() {
    Map<String, Map<String, String>> stats = stats();
    Map<String, Long> requests = new LinkedHashMap<>();
    REPLICAS.forEach(r -> requests.put(r, number(stats.get(r), "req_tot")));
    return requests;
  }

  private static long number(Map<String, String> row, String column) {
    String value = row.get(column);
    return value == null || value.isEmpty() ? 0 : Long.parseLong(value);
  }

  /** haproxy's statistics of the backend {@code replicas} (CSV), one row per server by name. */
  private Map<String, Map<String, String>> stats() {
    HttpResponse<String> response;
    try {
      response = statsClient.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    List<String> lines = response.body().lines().toList();
    String[] columns = lines.get(0).replaceFirst("^# ", "").split(",", -1);
    Map<String, Map<String, String>> rows = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] values = line.split(",", -1);
      if (values.length < 2 || !values[0].equals("replicas")) {
        continue;
      }
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < columns.length && i < values.length; i++) {
        row.put(columns[i], values[i]);
      }
      rows.put(values[1], row);
    }
    return rows;
  }

  private static JsonNode health(Replica replica) {
    return replica.direct().send("GET", "/health", null).json();
  }

  // --- processes ---------------------------------------------------------------------------------

  /** Null when {@code tool} is installed; else why the tests skip (under {@code CI=true} it fails instead). */
  private static String missing(String tool, String... locations) {
    boolean present = java.util.Arrays.stream(locations).anyMatch(p -> Files.isExecutable(Path.of(p)));
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError(tool + " is missing: .ci/run installs it");
    }
    if (present) {
      return null;
    }
    System.out.println("SKIPPED ClusterBehindHaproxyTest: no " + tool + " on this machine (Debian: apt-get install " + tool + ")");
    return tool + " is not installed";
  }

  private void startRedis() throws Exception {
    Path log = dir.resolve("redis-" + System.nanoTime() + ".log");
    redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Await.until(DEADLINE, "redis-server starts", () -> Files.readString(log), text -> text.contains("Ready to accept connections"));
  }

  private void launch(Replica replica) throws IOException {
    replica.process = NodeCommand.of(List.of(DemoServer.java(), "-cp", System.getProperty("java.class.path"),
        GatewayRunner.class.getName(), "--config", runnerConfig.toString(), "--listen", "127.0.0.1:" + replica.port))
        .withEnv("CLUSTER_SECRET", SECRET).start(dir);
    replica.stderrChecked = 0;
  }

  private void awaitServing(Replica replica) {
    replica.process.awaitLine(line -> line.startsWith("{"), DEADLINE);
  }

  /**
   * The runners' configuration: cluster mode on the test's Redis, a rate limit far above what the
   * tests send (so its buckets live in Redis), and a server per scenario so that their backends
   * are counted apart.
   */
  private static ObjectNode runnerConfig(int redisPort) {
    ObjectNode root = McpHttp.JSON.createObjectNode();
    ObjectNode gateway = root.putObject("gateway");
    gateway.putObject("cluster").put("redis", "redis://127.0.0.1:" + redisPort).put("secret", "${CLUSTER_SECRET}");
    gateway.putObject("rateLimit").put("requestsPerSecond", 100_000).put("burst", 100_000);
    ObjectNode servers = root.putObject("mcpServers");
    command(servers, TaggedAskingServer.config().build("asking"));
    command(servers, NodeTools.serverEverything().serverConfig().build("everything"));
    List<String> interview = StdioTestServer.commandLine(); // its tool interview waits for each sampling answer
    command(servers, ServerConfig.command(interview.get(0)).args(interview.subList(1, interview.size())).build("interview"));
    command(servers, demo("recover", RECOVER_MARKER));
    command(servers, demo("churn", CHURN_MARKER));
    return root;
  }

  /** The demo server with its own marker on the command line, so that its processes can be found. */
  private static ServerConfig demo(String name, String marker) {
    return ServerConfig.command(DemoServer.java()).args(List.of(marker, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), DemoMcpServer.class.getName())).build(name);
  }

  private static void command(ObjectNode servers, ServerConfig server) {
    ObjectNode entry = servers.putObject(server.name());
    entry.put("type", "stdio");
    entry.put("command", server.command().orElseThrow());
    ArrayNode args = entry.putArray("args");
    server.args().forEach(args::add);
  }

  /**
   * The haproxy configuration of docs/cluster.md ("Tested setup"): round robin without stickiness
   * over the three replicas, each request to the next replica ({@code http-server-close}), a
   * request whose replica refuses the connection sent to another one, TCP health checks, and
   * long enough timeouts for SSE streams (the gateway sends a keep-alive comment every 15 s).
   * {@code X-Replica} names the replica that answered, and the statistics page counts requests
   * per replica: both only for the test.
   */
  private String haproxyConfig() {
    StringBuilder servers = new StringBuilder();
    for (Replica replica : replicas.values()) {
      servers.append("  server ").append(replica.name).append(" 127.0.0.1:").append(replica.port).append('\n');
    }
    return """
        global
          maxconn 4096

        defaults
          mode http
          option http-server-close
          timeout connect 5s
          timeout client 5m
          timeout server 5m
          timeout http-request 30s
          retries 3
          option redispatch 1

        frontend mcp
          bind 127.0.0.1:%d
          default_backend replicas

        backend replicas
          balance roundrobin
          default-server check inter 500ms fall 1 rise 1
          http-response set-header X-Replica %%[srv_name]
        %s
        listen stats
          bind 127.0.0.1:%d
          stats enable
          stats uri /stats
        """.formatted(frontendPort, servers.toString(), statsPort);
  }

  private List<String> redisKeys() throws Exception {
    return redisCli("--scan", "--pattern", "mcpgw:*");
  }

  private List<String> redisCli(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(redisPort)));
    command.addAll(List.of(args));
    Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(cli.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.exitValue()).as(out).isZero();
    return out.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static JsonNode json(String text) {
    try {
      return McpHttp.JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }
}
