package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ids are unique per session among requests in flight, however close together two requests come. */
class DuplicateIdTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  private McpGateway gateway;
  private final ExecutorService senders = Executors.newFixedThreadPool(2);

  @BeforeEach
  void start() {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
    gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process()).build();
  }

  @AfterEach
  void stop() {
    senders.shutdownNow();
    gateway.close();
  }

  @Test
  void ofTwoRequestsWithOneIdSentAtOnceOneRunsAndTheOtherIsRefused() throws Exception {
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    for (int round = 0; round < 40; round++) {
      Path release = dir.resolve("release-" + round);
      String body = "{\"jsonrpc\":\"2.0\",\"id\":\"same-" + round + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"wait\","
          + "\"arguments\":{\"path\":" + TextNode.valueOf(release.toString()) + "}}}";
      CyclicBarrier together = new CyclicBarrier(2);
      CompletableFuture<GatewayResponse> first = send(client, body, together);
      CompletableFuture<GatewayResponse> second = send(client, body, together);

      GatewayResponse refused = (GatewayResponse) Await.result(CompletableFuture.anyOf(first, second), WAIT);
      CompletableFuture<GatewayResponse> other = first.getNow(null) == refused ? second : first;
      Files.createFile(release);
      GatewayResponse ran = Await.result(other, WAIT);

      assertThat(refused.bodyText()).as("round %s", round).contains("already in flight").contains("\"id\":\"same-" + round + "\"");
      assertThat(TestClient.bodyOf(ran)).as("round %s", round).contains("waited");
    }
  }

  /** Sends {@code body} in the session from a thread of its own, once the other sender is ready too. */
  private CompletableFuture<GatewayResponse> send(TestClient client, String body, CyclicBarrier together) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        together.await();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return gateway.handle(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
          .header("Accept", "application/json").header("Authorization", "k").header("Mcp-Session-Id", client.sessionId())
          .body(body).build());
    }, senders).thenCompose(stage -> stage);
  }
}
