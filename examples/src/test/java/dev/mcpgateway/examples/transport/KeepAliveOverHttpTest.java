package dev.mcpgateway.examples.transport;

import static dev.mcpgateway.examples.transport.StreamableHttpProbe.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.examples.transport.StreamableHttpProbe.Event;
import dev.mcpgateway.examples.transport.StreamableHttpProbe.SseConnection;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keep-alive comments on idle SSE streams over real HTTP (Jetty), and a tool call that outlives
 * the HTTP server's connection idle timeout: the keep-alives keep its connection busy, so the
 * call is not cut by the server or by proxies that close idle connections.
 */
class KeepAliveOverHttpTest {
  private static final Duration KEEP_ALIVE = Duration.ofMillis(200);
  private static final Duration JETTY_IDLE_TIMEOUT = Duration.ofMillis(1_000);

  private LoopbackGateway gateway;
  private StreamableHttpProbe client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void idleGetStreamCarriesKeepAliveCommentsAtTheConfiguredInterval() throws Exception {
    start();
    client.initialize("2025-06-18");

    SseConnection stream = client.get(null);
    Event first = stream.nextOrComment(WAIT);
    Event second = stream.nextOrComment(WAIT);

    assertThat(stream.status()).isEqualTo(200);
    assertThat(List.of(first, second)).extracting(Event::comment).containsExactly("keep-alive", "keep-alive");
  }

  @Test
  void toolCallLongerThanTheServersIdleTimeoutIsAnsweredOnItsStream() throws Exception {
    start();
    client.initialize("2025-11-25");
    String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"sleep\",\"arguments\":{\"ms\":"
        + JETTY_IDLE_TIMEOUT.multipliedBy(3).toMillis() + "}}}";

    HttpResponse<String> response = client.post(call);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("slept").contains(": keep-alive");
  }

  @Test
  void sseOnlyToolCallLongerThanTheServersIdleTimeoutGetsKeepAlivesAndItsResult() throws Exception {
    start();
    client.initialize("2025-06-18");

    SseConnection stream = client.postStream("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"sleep\",\"arguments\":{\"ms\":" + JETTY_IDLE_TIMEOUT.multipliedBy(3).toMillis() + "}}}");
    List<Event> seen = new ArrayList<>();
    Event event;
    do {
      event = stream.nextOrComment(WAIT);
      seen.add(event);
    } while (event.data() == null && !stream.ended());

    assertThat(seen).extracting(Event::comment).contains("keep-alive");
    assertThat(event.json().path("result").path("content").path(0).path("text").asText()).isEqualTo("slept");
  }

  private void start() throws Exception {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
    gateway = LoopbackGateway.serve(McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .keepAliveInterval(KEEP_ALIVE)
        .build(), JETTY_IDLE_TIMEOUT);
    client = new StreamableHttpProbe(gateway.url("test"));
  }
}
