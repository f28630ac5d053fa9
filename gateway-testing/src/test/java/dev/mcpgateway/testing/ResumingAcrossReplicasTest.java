package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.EventStream;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.stream.EventStore;
import dev.mcpgateway.stream.InMemoryEventStore;
import dev.mcpgateway.testsupport.EventCollector;
import dev.mcpgateway.testsupport.EventCollector.Event;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream that one replica holds, resumed with {@code Last-Event-ID} on another, as a load
 * balancer may send the reconnection anywhere: the resuming replica replays what the shared
 * event store holds, then shows the rest of the stream as the holder produces it, each event
 * once, in order, with the holder's ids, and ends when the holder's stream ends. When no replica
 * holds the stream live, the resumed stream ends after the replay. A dropped connection does not
 * cancel the call: it goes on and its events are stored.
 *
 * <p>Replica B's clock is the test's, so its waits for a holder end only when the test moves it
 * (B checks its deadlines every 100 ms of real time).
 */
class ResumingAcrossReplicasTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String KEY = "alice-key";

  private final SharedSessionStore shared = new SharedSessionStore(SessionStore.caffeine(Duration.ofMinutes(30), 100));
  private final InMemoryEventStore events = (InMemoryEventStore) EventStore.inMemory(1_000, 8L * 1024 * 1024, Duration.ofMinutes(5));
  private final ClusterBus bus = ClusterBus.local();
  private final PartitionedBus busOfA = new PartitionedBus(bus);
  private final PartitionedBus busOfB = new PartitionedBus(bus);
  private final AtomicLong clockOfB = new AtomicLong();
  private final McpGateway a = replica(busOfA, System::nanoTime);
  private final McpGateway b = replica(busOfB, clockOfB::get);

  private McpGateway replica(ClusterBus clusterBus, java.util.function.LongSupplier ticker) {
    List<String> command = StdioTestServer.commandLine();
    return McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
            .build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(request -> request.authorization().filter(KEY::equals)
            .map(key -> dev.mcpgateway.auth.AuthResult.success(dev.mcpgateway.auth.Identity.of("alice", key)))
            .orElse(dev.mcpgateway.auth.AuthResult.denied(401, "authentication failed")))
        .sessionStore(shared.view())
        .eventStore(events)
        .clusterBus(clusterBus)
        .ticker(ticker)
        .keepAliveInterval(Duration.ofMillis(200)) // deadlines are checked every 100 ms
        .drainTimeout(Duration.ZERO) // a replica that closes ends its calls at once
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
  void aStreamLiveOnOneReplicaResumedOnTheOtherReplaysThenFollowsToItsEnd() {
    TestClient onA = session(a);
    TestClient onB = new TestClient(b, "test", KEY).withSession(onA.sessionId());
    EventStream call = interview(onA);
    EventCollector first = EventCollector.open(call);
    Event priming = first.next(WAIT);
    Event progress1 = first.next(WAIT);
    Event question1 = first.next(WAIT);
    String stream = streamOf(priming);

    call.cancel(); // the client's connection drops
    answer(onA, question1, "first");
    // the call goes on without a client connected, and its events are stored
    Await.until(WAIT, "progress 2 and question 2 are stored", () -> events.replay(onA.sessionId(), stream, 2).size(), n -> n == 2);

    EventCollector resumed = EventCollector.open(resume(onB, question1.id()));
    Event progress2 = resumed.nextData(WAIT);
    Event question2 = resumed.nextData(WAIT);
    // the answer lands on B, which has nothing waiting: it reaches the backend on A
    assertThat(answer(onB, question2, "second").status()).isEqualTo(202);
    Event progress3 = resumed.nextData(WAIT);
    Event result = resumed.nextData(WAIT);
    Await.until(WAIT, "the resumed stream ends with the holder's", resumed::isClosed);

    assertThat(List.of(priming, progress1, question1)).extracting(Event::id)
        .containsExactly(stream + "_0", stream + "_1", stream + "_2");
    assertThat(List.of(progress2, question2, progress3, result)).extracting(Event::id)
        .containsExactly(stream + "_3", stream + "_4", stream + "_5", stream + "_6");
    assertThat(dataEvents(resumed.drain())).isEmpty(); // nothing twice
    assertThat(List.of(progress1, progress2, progress3)).extracting(e -> json(e).path("params").path("progress").asInt())
        .containsExactly(1, 2, 3);
    assertThat(json(question2).path("method").asText()).isEqualTo("sampling/createMessage");
    assertThat(json(result).path("id").asText()).isEqualTo("call-1");
    assertThat(json(result).path("result").path("content").path(0).path("text").asText()).isEqualTo("first, second");
  }

  @Test
  void anEventWhoseMessageWasLostIsTakenFromTheStoreInItsPlace() {
    TestClient onA = session(a);
    TestClient onB = new TestClient(b, "test", KEY).withSession(onA.sessionId());
    EventStream call = interview(onA);
    EventCollector first = EventCollector.open(call);
    Event priming = first.next(WAIT);
    first.next(WAIT);
    Event question1 = first.next(WAIT);
    String stream = streamOf(priming);
    call.cancel();
    answer(onA, question1, "first");
    Await.until(WAIT, "progress 2 and question 2 are stored", () -> events.replay(onA.sessionId(), stream, 2).size(), n -> n == 2);
    EventCollector resumed = EventCollector.open(resume(onB, question1.id()));
    resumed.nextData(WAIT);
    Event question2 = resumed.nextData(WAIT);
    // the bus loses the next event A forwards to B (progress 3): B notices the gap when the answer comes
    AtomicBoolean lost = new AtomicBoolean();
    busOfB.drop(message -> new String(message, StandardCharsets.UTF_8).startsWith("{\"t\":\"event\"") && lost.compareAndSet(false, true));

    answer(onB, question2, "second");
    Event progress3 = resumed.nextData(WAIT);
    Event result = resumed.nextData(WAIT);
    Await.until(WAIT, "the resumed stream ends", resumed::isClosed);

    assertThat(lost).isTrue();
    assertThat(List.of(progress3, result)).extracting(Event::id).containsExactly(stream + "_5", stream + "_6");
    assertThat(json(progress3).path("params").path("progress").asInt()).isEqualTo(3);
    assertThat(dataEvents(resumed.drain())).isEmpty();
  }

  @Test
  void aStreamThatEndedOnItsHolderIsReplayedOnTheOtherReplicaAndEnds() {
    TestClient onA = session(a);
    TestClient onB = new TestClient(b, "test", KEY).withSession(onA.sessionId());
    EventStream call = onA.post("{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"tools/call\",\"params\":{\"name\":\"progress\","
        + "\"arguments\":{\"steps\":2},\"_meta\":{\"progressToken\":\"t\"}}}").stream().orElseThrow();
    EventCollector first = EventCollector.open(call);
    Event priming = first.next(WAIT);
    Event progress1 = first.next(WAIT);
    call.cancel();
    String stream = streamOf(priming);
    Await.until(WAIT, "the result is stored", () -> events.replay(onA.sessionId(), stream, 1).size(), n -> n == 2);

    // A gave the stream its id and no longer holds it live: it says so, and B ends after the replay
    EventCollector resumed = EventCollector.open(resume(onB, progress1.id()));
    Await.until(WAIT, "the resumed stream ends", resumed::isClosed);

    assertThat(dataEvents(resumed.drain())).extracting(Event::id).containsExactly(stream + "_2", stream + "_3");
  }

  @Test
  void aStreamWhoseHolderIsUnreachableEndsAfterTheReplayOnceTheWaitIsOver() {
    TestClient onA = session(a);
    TestClient onB = new TestClient(b, "test", KEY).withSession(onA.sessionId());
    EventStream call = interview(onA);
    EventCollector first = EventCollector.open(call);
    Event priming = first.next(WAIT);
    first.next(WAIT);
    Event question1 = first.next(WAIT);
    String stream = streamOf(priming);
    call.cancel();
    busOfA.cut(); // A is gone as far as the other replicas can tell
    answer(onA, question1, "first");
    Await.until(WAIT, "progress 2 and question 2 are stored", () -> events.replay(onA.sessionId(), stream, 2).size(), n -> n == 2);

    EventCollector resumed = EventCollector.open(resume(onB, question1.id()));
    Event progress2 = resumed.nextData(WAIT);
    Event question2 = resumed.nextData(WAIT);
    assertThat(resumed.isClosed()).isFalse(); // B's clock has not moved: it still waits for the holder

    clockOfB.addAndGet(Duration.ofSeconds(6).toNanos()); // past the longest wait for a holder's answer
    Await.until(WAIT, "the resumed stream ends", resumed::isClosed);

    assertThat(List.of(progress2, question2)).extracting(Event::id).containsExactly(stream + "_3", stream + "_4");
    assertThat(dataEvents(resumed.drain())).isEmpty();
  }

  @Test
  void aReplicaThatClosesLeavesItsStoredEventsForAResumptionOnAnother() {
    TestClient onA = session(a);
    TestClient onB = new TestClient(b, "test", KEY).withSession(onA.sessionId());
    EventStream call = interview(onA);
    EventCollector first = EventCollector.open(call);
    Event priming = first.next(WAIT);
    Event progress1 = first.next(WAIT);
    String stream = streamOf(priming);
    call.cancel();

    a.close(); // its call is answered with an error, stored; the session goes on on B

    EventCollector resumed = EventCollector.open(resume(onB, progress1.id()));
    clockOfB.addAndGet(Duration.ofSeconds(6).toNanos()); // no replica answers for the stream
    Await.until(WAIT, "the resumed stream ends", resumed::isClosed);

    List<Event> replayed = dataEvents(resumed.drain());
    assertThat(replayed).isNotEmpty();
    assertThat(replayed).extracting(Event::id).allMatch(id -> id.startsWith(stream + "_"));
    Event last = replayed.get(replayed.size() - 1);
    assertThat(json(last).path("id").asText()).isEqualTo("call-1");
    assertThat(json(last).has("error")).isTrue();
  }

  /** A client with a new 2025-11-25 session on {@code replica}, declaring sampling. */
  private static TestClient session(McpGateway replica) {
    TestClient client = new TestClient(replica, "test", KEY);
    GatewayResponse init = client.post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
        + "\"2025-11-25\",\"capabilities\":{\"sampling\":{}},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(init.status()).as(init.bodyText()).isEqualTo(200);
    client.withSession(init.headers().get("Mcp-Session-Id"));
    client.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    return client;
  }

  /** Starts a call of two rounds of progress and a question, then a last progress and the answers. */
  private static EventStream interview(TestClient client) {
    GatewayResponse response = client.post("{\"jsonrpc\":\"2.0\",\"id\":\"call-1\",\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"interview\",\"arguments\":{\"rounds\":2},\"_meta\":{\"progressToken\":\"tok\"}}}");
    return response.stream().orElseThrow(() -> new AssertionError("not a stream: " + response.bodyText()));
  }

  private static EventStream resume(TestClient client, String lastEventId) {
    GatewayResponse response = client.send(GatewayRequest.get("/mcp/test").header("Accept", "text/event-stream")
        .header("Last-Event-ID", lastEventId));
    assertThat(response.status()).as(response.bodyText()).isEqualTo(200);
    return response.stream().orElseThrow();
  }

  private static GatewayResponse answer(TestClient client, Event request, String text) {
    assertThat(json(request).path("method").asText()).isEqualTo("sampling/createMessage");
    return client.post("{\"jsonrpc\":\"2.0\",\"id\":" + json(request).get("id") + ",\"result\":{\"role\":\"assistant\","
        + "\"content\":{\"type\":\"text\",\"text\":\"" + text + "\"},\"model\":\"m\"}}");
  }

  private static String streamOf(Event event) {
    return event.id().substring(0, event.id().lastIndexOf('_'));
  }

  private static JsonNode json(Event event) {
    return TestClient.parse(event.data());
  }

  private static List<Event> dataEvents(List<Event> events) {
    List<Event> data = new ArrayList<>();
    for (Event event : events) {
      if (event.data() != null && !event.data().isEmpty()) {
        data.add(event);
      }
    }
    return data;
  }

  /**
   * A replica's view of the bus, which the test can cut it off from (it then neither publishes
   * nor receives anything) or make lose the messages it would receive that match a filter.
   */
  private static final class PartitionedBus implements ClusterBus {
    private final ClusterBus bus;
    private volatile boolean cut;
    private volatile Predicate<byte[]> lose = message -> false;

    PartitionedBus(ClusterBus bus) {
      this.bus = bus;
    }

    void cut() {
      cut = true;
    }

    void drop(Predicate<byte[]> filter) {
      lose = filter;
    }

    @Override
    public void publish(String topic, byte[] message) {
      if (!cut) {
        bus.publish(topic, message);
      }
    }

    @Override
    public Subscription subscribe(String topic, Consumer<byte[]> handler) {
      return bus.subscribe(topic, message -> {
        if (!cut && !lose.test(message)) {
          handler.accept(message);
        }
      });
    }

    @Override
    public void close() {
      // the test closes the shared bus
    }
  }
}
