package dev.mcpgateway.examples.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayStats;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.examples.support.AnsweringSession;
import dev.mcpgateway.examples.support.TaggedAskingServer;
import dev.mcpgateway.examples.support.Children;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server-to-client requests reach exactly the session whose call caused them, over real HTTP
 * through the runner's Jetty, with {@link TaggedAskingServer} backends as real child processes: on each
 * call the server asks the client for sampling, elicitation and roots, carrying the call's tag,
 * and returns the answers it got. Several sessions of one caller (the gateway runs without a key,
 * so every session is the same anonymous caller) make calls that overlap for certain: each
 * session answers its sampling request only once every session of the round has received its own.
 * Every session answers with values unique to it, so a request shown to the wrong session, or an
 * answer reaching the wrong call, is counted.
 */
class ServerRequestAttributionOverHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SERVER = "asking";

  private final HttpClient http = AnsweringSession.httpClient();
  private final List<AnsweringSession> sessions = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private LoopbackGateway gateway;

  @AfterEach
  void stop() {
    sessions.forEach(AnsweringSession::close);
    threads.shutdownNow();
    if (gateway != null) {
      gateway.close();
    }
    Children.await(TaggedAskingServer.MARKER, List::isEmpty, "no backend outlives the gateway", WAIT);
  }

  private void start(UnaryOperator<ServerConfig.Builder> server, UnaryOperator<GatewayConfig.Builder> settings) throws Exception {
    start(server.apply(TaggedAskingServer.config()), settings);
  }

  private void start(ServerConfig.Builder server, UnaryOperator<GatewayConfig.Builder> settings) throws Exception {
    gateway = LoopbackGateway.start(settings.apply(GatewayConfig.builder().server(server.build(SERVER))).build());
  }

  private AnsweringSession open(String path, String capabilities) {
    AnsweringSession session = AnsweringSession.open(http, "http://127.0.0.1:" + gateway.port() + path, null, capabilities);
    sessions.add(session);
    return session;
  }

  private GatewayStats.ServerStats stats() {
    return gateway.gateway().stats().servers().get(SERVER);
  }

  /** What the rounds of one test saw. */
  private static final class Tally {
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger answers = new AtomicInteger();
    final AtomicInteger misrouted = new AtomicInteger();
    int pairs;

    void print(String what) {
      System.out.printf("Attribution, %s: %d misrouted of %d server requests and %d answers, in %d overlapping pairs%n", what,
          misrouted.get(), requests.get(), answers.get(), pairs);
    }
  }

  /**
   * Runs {@code rounds} rounds in which every session calls {@code tool} at once; each call asks
   * for sampling, elicitation and roots, and the sessions answer their sampling requests only when
   * all have one, so every two calls of a round overlap. Checks every call and counts in {@code tally}.
   */
  private List<JsonNode> overlappingRounds(List<AnsweringSession> callers, String tool, int rounds, Tally tally) throws Exception {
    List<JsonNode> results = new ArrayList<>();
    CyclicBarrier allAsked = new CyclicBarrier(callers.size());
    for (int round = 0; round < rounds; round++) {
      List<CompletableFuture<AnsweringSession.Call>> calls = new ArrayList<>();
      List<String> tags = new ArrayList<>();
      for (int s = 0; s < callers.size(); s++) {
        AnsweringSession session = callers.get(s);
        String name = "s" + s;
        String tag = name + "-r" + round;
        tags.add(tag);
        calls.add(CompletableFuture.supplyAsync(() -> session.call(tool, TaggedAskingServer.arguments(tag, "sampling", "elicitation", "roots"),
            request -> {
              if (request.path("method").asText().equals("sampling/createMessage")) {
                allAsked.await(WAIT.toSeconds(), TimeUnit.SECONDS);
              }
              return answer(name, request);
            }), threads));
      }
      Set<Long> pids = new HashSet<>();
      for (int s = 0; s < callers.size(); s++) {
        AnsweringSession.Call call = calls.get(s).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String tag = tags.get(s);
        String name = "s" + s;
        assertThat(call.serverRequests()).extracting(r -> r.path("method").asText())
            .containsExactly("sampling/createMessage", "elicitation/create", "roots/list");
        for (JsonNode request : call.serverRequests()) {
          tally.requests.incrementAndGet();
          if (!request.path("params").path("_meta").path("tag").asText().equals(tag)) {
            tally.misrouted.incrementAndGet();
          }
        }
        JsonNode result = call.textJson();
        assertThat(result.path("tag").asText()).isEqualTo(tag);
        JsonNode answers = result.path("answers");
        for (String answered : List.of(answers.path("sampling/createMessage").path("content").path("text").asText(),
            answers.path("elicitation/create").path("content").path("answer").asText(),
            answers.path("roots/list").path("roots").path(0).path("uri").asText())) {
          tally.answers.incrementAndGet();
          if (!answered.equals(name + " answers " + tag) && !answered.equals("file:///" + name + "/" + tag)) {
            tally.misrouted.incrementAndGet();
          }
        }
        pids.add(result.path("pid").asLong());
        results.add(result);
      }
      assertThat(pids).as("calls of round %d ran on instances of their own", round).hasSize(callers.size());
      tally.pairs += callers.size() * (callers.size() - 1) / 2;
    }
    return results;
  }

  /** {@code name}'s answer to a server request: values no other session gives. */
  private static String answer(String name, JsonNode request) {
    String tag = request.path("params").path("_meta").path("tag").asText();
    switch (request.path("method").asText()) {
      case "sampling/createMessage":
        return "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"" + name + " answers " + tag + "\"},\"model\":\""
            + name + "\"}";
      case "elicitation/create":
        return "{\"action\":\"accept\",\"content\":{\"answer\":\"" + name + " answers " + tag + "\"}}";
      default:
        return "{\"roots\":[{\"uri\":\"file:///" + name + "/" + tag + "\",\"name\":\"" + name + "\"}]}";
    }
  }

  @Test
  void overlappingCallsOfTwoSessionsOfOneCallerGetOnlyTheirOwnServerRequests() throws Exception {
    start(s -> s, g -> g);
    List<AnsweringSession> callers = List.of(open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES),
        open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES));
    Tally tally = new Tally();

    overlappingRounds(callers, "ask", 200, tally);

    tally.print("two sessions");
    assertThat(tally.pairs).isEqualTo(200);
    assertThat(tally.requests.get()).isEqualTo(1200);
    assertThat(tally.misrouted.get()).isZero();
    assertThat(stats().backends()).isEqualTo(2);
  }

  @Test
  void overlappingCallsOfThreeSessionsOfOneCallerGetOnlyTheirOwnServerRequests() throws Exception {
    start(s -> s, g -> g);
    List<AnsweringSession> callers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      callers.add(open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES));
    }
    Tally tally = new Tally();

    overlappingRounds(callers, "ask", 70, tally);

    tally.print("three sessions");
    assertThat(tally.pairs).isEqualTo(210);
    assertThat(tally.misrouted.get()).isZero();
    assertThat(stats().backends()).isEqualTo(3);
  }

  @Test
  void unifiedEndpointSessionsOfOneCallerGetOnlyTheirOwnServerRequests() throws Exception {
    gateway = LoopbackGateway.serve(McpGateway.builder(GatewayConfig.builder().server(TaggedAskingServer.config().build(SERVER)).build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .unifiedEndpoint(true)
        .build());
    List<AnsweringSession> callers = List.of(open("/mcp", AnsweringSession.ALL_CAPABILITIES),
        open("/mcp", AnsweringSession.ALL_CAPABILITIES));
    Tally tally = new Tally();

    overlappingRounds(callers, SERVER + "___ask", 50, tally);

    tally.print("unified endpoint");
    assertThat(tally.pairs).isEqualTo(50);
    assertThat(tally.misrouted.get()).isZero();
    assertThat(stats().backends()).isEqualTo(2);
  }

  @Test
  void everyInstanceOfACapabilityKeyIsSetToTheLogLevelItsSessionsNeed() throws Exception {
    start(s -> s, g -> g);
    AnsweringSession quiet = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    AnsweringSession verbose = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    List<AnsweringSession> both = List.of(quiet, verbose);
    overlappingRounds(both, "ask", 1, new Tally());
    assertThat(stats().backends()).isEqualTo(2);

    assertThat(quiet.request("logging/setLevel", "{\"level\":\"error\"}", request -> null).response().has("result")).isTrue();
    assertThat(overlappingRounds(both, "ask", 1, new Tally())).extracting(r -> r.path("level").asText())
        .as("both instances").containsExactly("error", "error");
    assertThat(verbose.request("logging/setLevel", "{\"level\":\"debug\"}", request -> null).response().has("result")).isTrue();
    assertThat(overlappingRounds(both, "ask", 1, new Tally())).extracting(r -> r.path("level").asText())
        .as("both instances, at the most verbose level asked").containsExactly("debug", "debug");
  }

  @Test
  void theBackendOfASessionIsInitializedWithExactlyTheCapabilitiesItDeclared() throws Exception {
    start(s -> s, g -> g);
    AnsweringSession sampler = open("/mcp/" + SERVER, "{\"sampling\":{},\"experimental\":{\"x\":{}}}");

    AnsweringSession.Call call = sampler.call("ask", TaggedAskingServer.arguments("only-sampling", "sampling", "elicitation"),
        request -> answer("sampler", request));

    JsonNode result = call.textJson();
    assertThat(result.path("capabilities").toString()).isEqualTo("{\"sampling\":{}}");
    assertThat(call.serverRequests()).extracting(r -> r.path("method").asText()).containsExactly("sampling/createMessage");
    assertThat(result.path("answers").path("elicitation/create").path("code").asInt()).isEqualTo(-32601);
    assertThat(result.path("answers").path("elicitation/create").path("message").asText())
        .contains("did not declare the 'elicitation' capability");
  }

  @Test
  void aServerRequestFromAnInstanceNoSessionHoldsIsAnsweredWithAnErrorAtOnce(@TempDir Path dir) throws Exception {
    Path record = dir.resolve("received.jsonl");
    start(TaggedAskingServer.config(record), g -> g);
    AnsweringSession session = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    session.openGetStream();

    AnsweringSession.Call call = session.call("ask-after", "{\"tag\":\"after\"}", request -> {
      throw new AssertionError("asked after the call ended: " + request);
    });

    assertThat(call.text()).isEqualTo("asking after this answer");
    JsonNode refusal = Await.until(WAIT, "the backend gets an answer to its late request", () -> answerTo(record, "ask-1"),
        answer -> answer != null);
    assertThat(refusal.path("error").path("code").asInt()).isEqualTo(-32603);
    assertThat(refusal.path("error").path("message").asText()).contains("while no call was in flight on its backend instance");
    assertThat(session.getEvents()).noneMatch(event -> event.has("method") && event.has("id"));
  }

  /** The response with {@code id} among what the server received; null when none came yet. */
  private static JsonNode answerTo(Path record, String id) throws java.io.IOException {
    if (!Files.exists(record)) {
      return null;
    }
    for (String line : Files.readAllLines(record)) {
      JsonNode message = AnsweringSession.JSON.readTree(line);
      if (!message.has("method") && id.equals(message.path("id").asText())) {
        return message;
      }
    }
    return null;
  }

  @Test
  void sessionsThatDeclaredNothingNeverSeeServerRequestsWhichAreAnsweredWithErrorsAtOnce() throws Exception {
    start(s -> s, g -> g);
    List<AnsweringSession> callers = List.of(open("/mcp/" + SERVER, "{}"), open("/mcp/" + SERVER, "{}"));
    AnsweringSession sampler = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    for (AnsweringSession session : sessions) {
      session.openGetStream();
    }
    int calls = 0;
    for (int round = 0; round < 100; round++) {
      List<CompletableFuture<AnsweringSession.Call>> running = new ArrayList<>();
      for (int s = 0; s < callers.size(); s++) {
        AnsweringSession session = callers.get(s);
        String tag = "quiet" + s + "-r" + round;
        running.add(CompletableFuture.supplyAsync(() -> session.call("ask", TaggedAskingServer.arguments(tag, "sampling", "elicitation",
            "roots"), request -> {
              throw new AssertionError("a session that declared nothing was asked: " + request);
            }), threads));
      }
      for (CompletableFuture<AnsweringSession.Call> call : running) {
        JsonNode answers = call.get(WAIT.toSeconds(), TimeUnit.SECONDS).textJson().path("answers");
        for (String method : List.of("sampling/createMessage", "elicitation/create", "roots/list")) {
          assertThat(answers.path(method).path("code").asInt()).as(method).isEqualTo(-32601);
          assertThat(answers.path(method).path("message").asText()).as(method).contains("did not declare");
        }
        calls++;
      }
    }
    // a session of the same caller that declared sampling is asked, on an instance of its own
    AnsweringSession.Call asked = sampler.call("ask", TaggedAskingServer.arguments("sampler", "sampling"), request -> answer("sampler", request));
    assertThat(asked.textJson().path("answers").path("sampling/createMessage").path("content").path("text").asText())
        .isEqualTo("sampler answers sampler");
    assertThat(stats().backends()).isEqualTo(2);

    System.out.printf("Attribution, sessions that declared nothing: %d calls, %d server requests refused, 0 shown%n", calls,
        calls * 3);
    for (AnsweringSession session : sessions) {
      assertThat(session.getEvents()).as("the GET stream of %s", session.id())
          .noneMatch(event -> event.has("method") && event.has("id"));
    }
  }

  @Test
  void aSessionWaitsForAnInstanceAtTheBoundAndRunsWhenOneFrees() throws Exception {
    start(s -> s.maxBackendsPerCaller(2), g -> g);
    AnsweringSession first = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    AnsweringSession second = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    AnsweringSession third = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    CompletableFuture<Void> releaseFirst = new CompletableFuture<>();
    CompletableFuture<Void> releaseSecond = new CompletableFuture<>();
    CompletableFuture<Void> firstAsked = new CompletableFuture<>();
    CompletableFuture<Void> secondAsked = new CompletableFuture<>();
    CompletableFuture<AnsweringSession.Call> firstCall = CompletableFuture.supplyAsync(() -> first.call("ask",
        TaggedAskingServer.arguments("first", "sampling"), request -> {
          firstAsked.complete(null);
          releaseFirst.get();
          return answer("first", request);
        }), threads);
    CompletableFuture<AnsweringSession.Call> secondCall = CompletableFuture.supplyAsync(() -> second.call("ask",
        TaggedAskingServer.arguments("second", "sampling"), request -> {
          secondAsked.complete(null);
          releaseSecond.get();
          return answer("second", request);
        }), threads);
    Await.result(firstAsked);
    Await.result(secondAsked);
    int inFlight = gateway.gateway().stats().requestsInFlight();

    CompletableFuture<AnsweringSession.Call> thirdCall = CompletableFuture.supplyAsync(() -> third.call("ask",
        TaggedAskingServer.arguments("third", "sampling"), request -> answer("third", request)), threads);
    Await.until(WAIT, "the third call is at the gateway", () -> gateway.gateway().stats().requestsInFlight() == inFlight + 1);

    assertThat(stats().backends()).as("the bound holds: no third instance").isEqualTo(2);
    assertThat(thirdCall).isNotDone();
    releaseFirst.complete(null);
    AnsweringSession.Call third3 = thirdCall.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    AnsweringSession.Call first1 = firstCall.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(third3.textJson().path("answers").path("sampling/createMessage").path("content").path("text").asText())
        .isEqualTo("third answers third");
    assertThat(third3.textJson().path("pid").asLong()).as("the third ran on the instance the first freed")
        .isEqualTo(first1.textJson().path("pid").asLong());
    releaseSecond.complete(null);
    assertThat(secondCall.get(WAIT.toSeconds(), TimeUnit.SECONDS).textJson().path("answers").path("sampling/createMessage")
        .path("content").path("text").asText()).isEqualTo("second answers second");
    assertThat(stats().backends()).isEqualTo(2);
  }

  @Test
  void aCallThatGetsNoInstanceWithinItsTimeoutGetsAClearError() throws Exception {
    start(s -> s.maxBackendsPerCaller(1).toolTimeout(Duration.ofSeconds(3)), g -> g);
    AnsweringSession holder = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    AnsweringSession waiter = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    CompletableFuture<Void> firstAsked = new CompletableFuture<>();
    CompletableFuture<Void> secondAsked = new CompletableFuture<>();
    // The holder never answers: its calls stay in flight until their own timeouts.
    CompletableFuture<AnsweringSession.Call> held = CompletableFuture.supplyAsync(() -> holder.call("ask",
        TaggedAskingServer.arguments("held", "sampling"), request -> {
          firstAsked.complete(null);
          return null;
        }), threads);
    Await.result(firstAsked);
    int inFlight = gateway.gateway().stats().requestsInFlight();
    CompletableFuture<AnsweringSession.Call> waiting = CompletableFuture.supplyAsync(() -> waiter.call("ask",
        TaggedAskingServer.arguments("waiting", "sampling"), request -> answer("waiter", request)), threads);
    Await.until(WAIT, "the waiting call is at the gateway", () -> gateway.gateway().stats().requestsInFlight() == inFlight + 1);
    // The holder's second call starts after the waiting one, so it keeps the instance past the waiting call's timeout.
    CompletableFuture<AnsweringSession.Call> heldLonger = CompletableFuture.supplyAsync(() -> holder.call("ask",
        TaggedAskingServer.arguments("held-longer", "sampling"), request -> {
          secondAsked.complete(null);
          return null;
        }), threads);
    Await.result(secondAsked);

    JsonNode refused = waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS).response();

    assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32001);
    assertThat(refused.path("error").path("message").asText())
        .contains("no backend instance became free for this session within 3 s", "maxBackendsPerCaller");
    assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS).response().path("error").path("code").asInt()).isEqualTo(-32001);
    assertThat(heldLonger.get(WAIT.toSeconds(), TimeUnit.SECONDS).response().path("error").path("code").asInt()).isEqualTo(-32001);
    assertThat(waiter.call("ask", TaggedAskingServer.arguments("later", "sampling"), request -> answer("waiter", request)).textJson()
        .path("answers").path("sampling/createMessage").path("content").path("text").asText()).isEqualTo("waiter answers later");
  }

  @Test
  void noBackendProcessOutlivesTheSessionsThatUsedIt() throws Exception {
    start(s -> s, g -> g);
    List<AnsweringSession> callers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      callers.add(open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES));
    }
    AnsweringSession quiet = open("/mcp/" + SERVER, "{}");
    overlappingRounds(callers, "ask", 3, new Tally());
    quiet.call("ask", TaggedAskingServer.arguments("quiet", "sampling"), request -> {
      throw new AssertionError("asked: " + request);
    });

    assertThat(Children.ofThisJvm(TaggedAskingServer.MARKER)).hasSize(4);
    assertThat(stats().backends()).isEqualTo(4);
    for (AnsweringSession session : sessions) {
      assertThat(session.delete()).isEqualTo(200);
    }

    Children.await(TaggedAskingServer.MARKER, List::isEmpty, "every backend stops with the caller's last session", WAIT);
    Await.until(WAIT, "stats count no backend", () -> stats().backends() == 0);
  }

  @Test
  void anIdleInstanceBeyondTheFirstOfItsCapabilitiesStops() throws Exception {
    start(s -> s, g -> g.sessionTimeout(Duration.ofSeconds(2)));
    AnsweringSession busy = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    AnsweringSession idle = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    overlappingRounds(List.of(busy, idle), "ask", 1, new Tally());
    assertThat(Children.ofThisJvm(TaggedAskingServer.MARKER)).hasSize(2);

    // the busy session keeps calling (and so stays alive) while the other instance has nothing to do
    Await.until(WAIT, "the idle instance stops", () -> {
      busy.call("pid", "{}", request -> "{}");
      return Children.ofThisJvm(TaggedAskingServer.MARKER).size() == 1;
    });
    assertThat(busy.call("ask", TaggedAskingServer.arguments("still", "sampling"), request -> answer("busy", request)).textJson()
        .path("answers").path("sampling/createMessage").path("content").path("text").asText()).isEqualTo("busy answers still");
  }

  @Test
  void withSingleSharingAServerRequestReachesASessionOnlyWhenItAloneHasCallsInFlight() throws Exception {
    start(s -> s.backendSharing(ServerConfig.BackendSharing.SINGLE), g -> g);
    AnsweringSession first = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    AnsweringSession second = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    for (AnsweringSession session : sessions) {
      session.openGetStream();
    }
    // alone in flight: the request reaches its session
    AnsweringSession.Call alone = first.call("ask", TaggedAskingServer.arguments("alone", "sampling"), request -> answer("first", request));
    assertThat(alone.textJson().path("answers").path("sampling/createMessage").path("content").path("text").asText())
        .isEqualTo("first answers alone");

    CompletableFuture<Void> release = new CompletableFuture<>();
    CompletableFuture<Void> asked = new CompletableFuture<>();
    CompletableFuture<AnsweringSession.Call> holding = CompletableFuture.supplyAsync(() -> first.call("ask",
        TaggedAskingServer.arguments("holding", "sampling"), request -> {
          asked.complete(null);
          release.get();
          return answer("first", request);
        }), threads);
    Await.result(asked);
    // two sessions in flight on the one backend: the second call's request is refused, not guessed
    AnsweringSession.Call ambiguous = second.call("ask", TaggedAskingServer.arguments("ambiguous", "sampling"), request -> {
      throw new AssertionError("asked while two sessions had calls in flight: " + request);
    });
    release.complete(null);

    JsonNode refusal = ambiguous.textJson().path("answers").path("sampling/createMessage");
    assertThat(refusal.path("code").asInt()).isEqualTo(-32603);
    assertThat(refusal.path("message").asText()).contains("2 sessions have calls in flight", "does not guess");
    assertThat(holding.get(WAIT.toSeconds(), TimeUnit.SECONDS).textJson().path("answers").path("sampling/createMessage")
        .path("content").path("text").asText()).isEqualTo("first answers holding");
    assertThat(alone.textJson().path("pid").asLong()).isEqualTo(ambiguous.textJson().path("pid").asLong());
    assertThat(stats().backends()).isEqualTo(1);
    for (AnsweringSession session : sessions) {
      assertThat(session.getEvents()).noneMatch(event -> event.has("method") && event.has("id"));
    }
  }

  @Test
  void withSingleSharingSessionsThatDeclaredOtherCapabilitiesGetAnInstanceOfTheirOwn() throws Exception {
    start(s -> s.backendSharing(ServerConfig.BackendSharing.SINGLE), g -> g);
    AnsweringSession sampling = open("/mcp/" + SERVER, "{\"sampling\":{}}");
    AnsweringSession all = open("/mcp/" + SERVER, AnsweringSession.ALL_CAPABILITIES);
    AnsweringSession alsoSampling = open("/mcp/" + SERVER, "{\"sampling\":{}}");

    JsonNode first = sampling.call("ask", TaggedAskingServer.arguments("s", "sampling"), request -> answer("sampling", request)).textJson();
    JsonNode second = all.call("ask", TaggedAskingServer.arguments("a", "elicitation"), request -> "{\"action\":\"decline\"}").textJson();
    JsonNode third = alsoSampling.call("ask", TaggedAskingServer.arguments("t", "sampling"), request -> answer("also", request)).textJson();

    // each backend believes exactly what its sessions declared
    assertThat(first.path("capabilities").has("elicitation")).isFalse();
    assertThat(second.path("capabilities").has("elicitation")).isTrue();
    assertThat(first.path("pid").asLong()).isNotEqualTo(second.path("pid").asLong());
    // sessions that declared the same share their instance
    assertThat(third.path("pid").asLong()).isEqualTo(first.path("pid").asLong());
    assertThat(stats().backends()).isEqualTo(2);
  }
}
