package dev.mcpgateway.examples.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.GatewayListener;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.testsupport.NodeTools;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two MCP sessions of one identity use server-everything backends (the gateway runs without
 * authentication, so both are the same anonymous identity), each through its own MCP Java SDK
 * client over HTTP, both declaring sampling. Server-to-client messages reach only the session they
 * belong to: progress by its token, even for calls running at the same time; a sampling request
 * to the client whose call caused it, also when both sessions' calls overlap (each holds a
 * backend instance of its own while its call runs), and one instance serves calls that do not overlap.
 */
class SharedBackendSessionsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private LoopbackGateway gateway;
  private final List<String> backendsStarted = new CopyOnWriteArrayList<>();
  private Client first;
  private Client second;

  /** One SDK client and what the backend sent it. */
  private static final class Client {
    final McpSyncClient sdk;
    final List<McpSchema.CreateMessageRequest> sampling = new CopyOnWriteArrayList<>();
    final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
    /** When set, a sampling request is answered only once the other client has one too. */
    volatile CyclicBarrier bothAsked;

    Client(String url, String name) {
      HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
          .builder(url.substring(0, url.indexOf("/mcp/")))
          .endpoint(url.substring(url.indexOf("/mcp/")))
          .build();
      sdk = McpClient.sync(transport)
          .clientInfo(new McpSchema.Implementation(name, "1.0.0"))
          .requestTimeout(TIMEOUT)
          .initializationTimeout(TIMEOUT)
          .capabilities(McpSchema.ClientCapabilities.builder().sampling().build())
          .sampling(request -> {
            sampling.add(request);
            CyclicBarrier barrier = bothAsked;
            if (barrier != null) {
              try {
                barrier.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
              } catch (Exception e) {
                throw new IllegalStateException("the other client got no sampling request", e);
              }
            }
            return McpSchema.CreateMessageResult.builder(McpSchema.Role.ASSISTANT,
                new McpSchema.TextContent("answered by " + name), name + "-model").build();
          })
          .progressConsumer(progress::add)
          .build();
      sdk.initialize();
    }

    McpSchema.CallToolResult call(String tool, Map<String, Object> arguments, String progressToken) {
      Map<String, Object> meta = progressToken == null ? null : Map.of("progressToken", progressToken);
      return sdk.callTool(new McpSchema.CallToolRequest(tool, arguments, meta));
    }
  }

  @BeforeEach
  void start() throws Exception {
    NodeTools.assumeNode();
    Interceptor starts = new RecordingStarts();
    GatewayConfig config = GatewayConfig.builder()
        .server(NodeTools.serverEverything().serverConfig().build("everything"))
        .build();
    gateway = LoopbackGateway.serve(McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .interceptors(List.of(starts))
        .build());
    first = new Client(gateway.url("everything"), "first");
    second = new Client(gateway.url("everything"), "second");
  }

  @AfterEach
  void stop() {
    for (Client client : new Client[] {first, second}) {
      if (client != null) {
        client.sdk.closeGracefully();
      }
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void progressOfCallsRunningAtTheSameTimeReachesOnlyTheSessionThatAskedForIt() throws Exception {
    Map<String, Object> arguments = Map.of("duration", 2, "steps", 4);
    CompletableFuture<McpSchema.CallToolResult> firstCall = CompletableFuture.supplyAsync(
        () -> first.call("trigger-long-running-operation", arguments, "first-token"));
    CompletableFuture<McpSchema.CallToolResult> secondCall = CompletableFuture.supplyAsync(
        () -> second.call("trigger-long-running-operation", arguments, "second-token"));

    firstCall.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    secondCall.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    assertThat(first.progress).extracting(p -> String.valueOf(p.progressToken())).containsOnly("first-token");
    assertThat(second.progress).extracting(p -> String.valueOf(p.progressToken())).containsOnly("second-token");
    assertThat(first.progress).extracting(McpSchema.ProgressNotification::progress).containsExactly(1.0, 2.0, 3.0, 4.0);
    assertThat(second.progress).extracting(McpSchema.ProgressNotification::progress).containsExactly(1.0, 2.0, 3.0, 4.0);
  }

  @Test
  void samplingRequestReachesOnlyTheSessionWhoseCallSentIt() {
    McpSchema.CallToolResult fromFirst = first.call("trigger-sampling-request", Map.of("prompt", "asked by first"), null);
    McpSchema.CallToolResult fromSecond = second.call("trigger-sampling-request", Map.of("prompt", "asked by second"), null);

    assertThat(backendsStarted).hasSize(1);
    assertThat(first.sampling).hasSize(1);
    assertThat(second.sampling).hasSize(1);
    assertThat(((McpSchema.TextContent) first.sampling.get(0).messages().get(0).content()).text()).contains("asked by first");
    assertThat(((McpSchema.TextContent) second.sampling.get(0).messages().get(0).content()).text()).contains("asked by second");
    assertThat(((McpSchema.TextContent) fromFirst.content().get(0)).text()).contains("answered by first");
    assertThat(((McpSchema.TextContent) fromSecond.content().get(0)).text()).contains("answered by second");
  }

  @Test
  void samplingRequestsOfOverlappingCallsReachOnlyTheSessionWhoseCallSentThem() throws Exception {
    CyclicBarrier bothAsked = new CyclicBarrier(2);
    first.bothAsked = bothAsked;
    second.bothAsked = bothAsked;
    int rounds = 20;
    int misrouted = 0;
    for (int round = 0; round < rounds; round++) {
      String firstPrompt = "asked by first in round " + round;
      String secondPrompt = "asked by second in round " + round;
      CompletableFuture<McpSchema.CallToolResult> fromFirst = CompletableFuture.supplyAsync(
          () -> first.call("trigger-sampling-request", Map.of("prompt", firstPrompt), null));
      CompletableFuture<McpSchema.CallToolResult> fromSecond = CompletableFuture.supplyAsync(
          () -> second.call("trigger-sampling-request", Map.of("prompt", secondPrompt), null));
      String firstText = ((McpSchema.TextContent) fromFirst.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).content().get(0)).text();
      String secondText = ((McpSchema.TextContent) fromSecond.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).content().get(0)).text();
      misrouted += firstText.contains("answered by first") ? 0 : 1;
      misrouted += secondText.contains("answered by second") ? 0 : 1;
      misrouted += promptOf(first.sampling.get(round)).contains(firstPrompt) ? 0 : 1;
      misrouted += promptOf(second.sampling.get(round)).contains(secondPrompt) ? 0 : 1;
    }
    System.out.printf("Attribution, server-everything through the Java SDK: %d misrouted in %d overlapping pairs%n", misrouted, rounds);

    assertThat(misrouted).isZero();
    assertThat(first.sampling).hasSize(rounds);
    assertThat(second.sampling).hasSize(rounds);
    assertThat(backendsStarted).as("an instance for each session while both have calls in flight").hasSize(2);
  }

  private static String promptOf(McpSchema.CreateMessageRequest request) {
    return ((McpSchema.TextContent) request.messages().get(0).content()).text();
  }

  /** Counts backend starts: an interceptor that is also a listener hears lifecycle events. */
  private final class RecordingStarts implements Interceptor, GatewayListener {
    @Override
    public void serverStarted(String server, String identity, String backend) {
      backendsStarted.add(backend);
    }
  }
}
