package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.session.CaffeineSessionStore;
import dev.mcpgateway.testsupport.EventCollector;
import dev.mcpgateway.testsupport.RecordingSessionStore;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expiry counts work as activity: a session whose client holds a stream open or waits for a
 * long call does not expire at the idle timeout, and expires one timeout after its work ended.
 * Time moves on a ticker the gateway and its store share; the test waits for the gateway's
 * touch of a busy session before it moves time on.
 */
class BusySessionExpiryTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  private final AtomicLong ticker = new AtomicLong(System.nanoTime());
  private RecordingSessionStore store;
  private McpGateway gateway;
  private TestClient client;

  @BeforeEach
  void start() {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .sessionTimeout(TIMEOUT)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
    store = new RecordingSessionStore(CaffeineSessionStore.builder().idleTimeout(TIMEOUT).ticker(ticker::get).build(), ticker::get);
    gateway = McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .sessionStore(store)
        .ticker(ticker::get)
        .build();
    client = new TestClient(gateway, "test", "k");
    client.initialize();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void aSessionHoldingItsGetStreamOpenOutlivesTheTimeout() {
    EventCollector get = EventCollector.open(openGet().stream().orElseThrow());

    passTime(Duration.ofMinutes(25));
    passTime(Duration.ofMinutes(25));
    store.cleanUp();

    assertThat(store.holds(client.sessionId())).as("the session, 50 minutes after its last request").isTrue();
    assertThat(client.callTool("broadcast", "{}")).isEqualTo("broadcast");
    assertThat(get.nextData(WAIT).data()).as("the GET stream still carries what the server says").contains("notifications/");
  }

  @Test
  void aLongCallOutlivesTheTimeoutIsAnsweredAndTheSessionExpiresATimeoutAfterIt() throws Exception {
    Path release = dir.resolve("release");
    CompletableFuture<GatewayResponse> call = gateway.handle(GatewayRequest.post("/mcp/test")
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .header("Authorization", "k").header("Mcp-Session-Id", client.sessionId())
        .body("{\"jsonrpc\":\"2.0\",\"id\":\"long\",\"method\":\"tools/call\",\"params\":{\"name\":\"wait\","
            + "\"arguments\":{\"path\":" + TextNode.valueOf(release.toString()) + "}}}")
        .build()).toCompletableFuture();

    passTime(Duration.ofMinutes(25));
    passTime(Duration.ofMinutes(25));
    store.cleanUp();
    assertThat(store.holds(client.sessionId())).as("the session, its call running for 50 minutes").isTrue();

    long touches = store.lookups(client.sessionId()).count();
    Files.createFile(release);
    GatewayResponse answer = Await.result(call, WAIT);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(TestClient.parse(answer.bodyText()).path("result").path("content").path(0).path("text").asText()).isEqualTo("waited");

    awaitTouchSince(touches);
    expiresOneTimeoutFromNow();
  }

  @Test
  void aSessionExpiresOneTimeoutAfterItsStreamClosed() {
    GatewayResponse get = openGet();
    EventCollector.open(get.stream().orElseThrow());
    passTime(Duration.ofMinutes(20));

    long touches = store.lookups(client.sessionId()).count();
    get.stream().orElseThrow().cancel(); // the client drops its connection
    awaitTouchSince(touches);

    expiresOneTimeoutFromNow();
  }

  /** Moves time on and waits until the gateway touched the busy session at the new time. */
  private void passTime(Duration duration) {
    long now = ticker.addAndGet(duration.toNanos());
    Await.until(WAIT, "the gateway touches the busy session", () -> store.lookups(client.sessionId()).lastAt() == now);
  }

  /** Waits for the touch that ends a session's busy time: the only look-up still to come. */
  private void awaitTouchSince(long touches) {
    Await.until(WAIT, "the gateway touches the session once its work ended",
        () -> store.lookups(client.sessionId()).count() > touches);
  }

  private void expiresOneTimeoutFromNow() {
    ticker.addAndGet(TIMEOUT.minusMinutes(1).toNanos());
    store.cleanUp();
    assertThat(store.holds(client.sessionId())).as("the session, idle for a minute less than the timeout").isTrue();
    ticker.addAndGet(Duration.ofMinutes(2).toNanos());
    store.cleanUp();
    assertThat(store.holds(client.sessionId())).as("the session, idle for a minute more than the timeout").isFalse();
    assertThat(client.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").status()).isEqualTo(404);
  }

  private GatewayResponse openGet() {
    return client.send(GatewayRequest.get("/mcp/test").header("Accept", "text/event-stream"));
  }
}
