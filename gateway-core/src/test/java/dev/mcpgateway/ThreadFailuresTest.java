package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import dev.mcpgateway.policy.McpResult;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An {@code Error} on a thread that carries answers (the backend's reader, an answer thread, an
 * interceptor on either) fails the calls it carried at once, with an error naming the server,
 * and the gateway goes on serving: real backend processes, a 600 s tool timeout that no call
 * may wait for.
 */
class ThreadFailuresTest {
  private McpGateway gateway;

  /** Throws {@code error} in the answer phase of every call to the tool {@code boom}. */
  private static Interceptor throwingOn(String tool, Error error) {
    return new Interceptor() {
      @Override
      public Verdict onResponse(McpCall call, McpResult result) {
        if (call.toolName().filter(tool::equals).isPresent()) {
          throw error;
        }
        return Verdict.pass();
      }
    };
  }

  private McpGateway start(Interceptor interceptor) {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder().toolTimeout(Duration.ofSeconds(600))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test")).build();
    gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .interceptors(List.of(interceptor)).build();
    return gateway;
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private static String echo(String tool, String message) {
    return "{\"jsonrpc\":\"2.0\",\"id\":\"" + message + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":{\"message\":\"" + message + "\"}}}";
  }

  @Test
  void anErrorInAnInterceptorOnTheReaderFailsOnlyThatCallNamingTheServerAndTheReaderGoesOn() {
    start(throwingOn("echo", new StackOverflowError("injected")));
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    long pid = Long.parseLong(client.callTool("pid", "{}"));
    long started = System.nanoTime();
    JsonNode failed = TestClient.parse(client.post(echo("echo", "one")).bodyText());
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("[reliability] Error in an interceptor on the reader: the call failed after %d ms%n", tookMillis);
    assertThat(failed.path("id").asText()).isEqualTo("one");
    assertThat(failed.path("error").path("message").asText()).contains("server 'test'").contains("StackOverflowError");
    assertThat(tookMillis).as("well within the 600 s tool timeout").isLessThan(60_000);
    // The reader lives on: the same backend answers the next calls.
    assertThat(client.callTool("pid", "{}")).isEqualTo(Long.toString(pid));
    assertThat(TestClient.parse(client.post(echo("echo", "two")).bodyText()).path("error").path("message").asText())
        .contains("server 'test'");
  }

  @Test
  void anErrorOnAnAnswerThreadFailsItsCallWhileTheOthersInFlightAreAnswered() throws Exception {
    // A slow interceptor makes the gateway move answers to its answer threads when calls wait.
    start(new Interceptor() {
      @Override
      public Verdict onResponse(McpCall call, McpResult result) {
        long busyUntil = System.nanoTime() + 2_000_000; // 2 ms of work, well over the hand-off threshold
        while (System.nanoTime() < busyUntil) {
          Thread.onSpinWait();
        }
        if (call.toolName().filter("echo"::equals).isPresent()
            && String.valueOf(call.params().get("arguments")).contains("boom")) {
          throw new OutOfMemoryError("injected");
        }
        return Verdict.pass();
      }
    });
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    for (int round = 0; round < 3; round++) {
      List<CompletableFuture<GatewayResponse>> calls = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String message = (i % 4 == 0 ? "boom-" : "fine-") + round + "-" + i;
        calls.add(gateway.handle(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
            .header("Authorization", "k").header("Mcp-Session-Id", client.sessionId())
            .body(echo("echo", message)).build()).toCompletableFuture());
      }
      long started = System.nanoTime();
      for (int i = 0; i < calls.size(); i++) {
        JsonNode answer = TestClient.parse(Await.result(calls.get(i)).bodyText());
        if (i % 4 == 0) {
          assertThat(answer.path("error").path("message").asText()).contains("server 'test'").contains("OutOfMemoryError");
        } else {
          assertThat(answer.path("result").path("content").path(0).path("text").asText()).startsWith("fine-");
        }
      }
      System.out.printf("[reliability] Errors on answer threads, round %d: 16 calls answered %d ms after the last was sent%n",
          round, (System.nanoTime() - started) / 1_000_000);
    }
  }

  @Test
  void aReaderThatRunsOutOfHeapFailsItsCallsNamingTheServerAndTheNextCallGetsANewBackend() throws Exception {
    Path log = Files.createTempFile("reader-probe", ".log");
    try {
      Process process = new ProcessBuilder(StdioTestServer.javaBinary(), "-Xmx48m", "-cp", System.getProperty("java.class.path"),
          ReaderFailureProbe.class.getName(), String.valueOf(60 * 1024 * 1024))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("probe finished").isTrue();
      String output = Files.readString(log);
      assertThat(process.exitValue()).as("probe output:%n%s", output).isZero();
      Map<String, String> figures = new HashMap<>();
      for (String line : output.split("\n")) {
        int space = line.indexOf(' ');
        if (space > 0) {
          figures.put(line.substring(0, space), line.substring(space + 1).trim());
        }
      }
      System.out.printf("[reliability] reader out of heap (-Xmx48m, a 60 MB notification): the call failed after %s ms "
          + "(the backend writing 60 MB included): %s%n", figures.get("failedAfterMs"), figures.get("error"));
      assertThat(figures.get("error")).as(output).contains("server 'test'").contains("OutOfMemoryError");
      assertThat(figures.get("next")).as(output).isEqualTo("still here");
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
