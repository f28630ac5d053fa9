package dev.mcpgateway.examples.transport;

import static dev.mcpgateway.examples.transport.StreamableHttpProbe.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code notifications/cancelled} over real HTTP reaches the backend with the backend-side
 * request id; a dropped HTTP connection cancels nothing. The backend (the Java stdio test server)
 * reports the request ids it was told to cancel through its {@code cancellations} tool.
 */
class CancellationOverHttpTest {
  private LoopbackGateway gateway;
  private StreamableHttpProbe client;

  @BeforeEach
  void start() throws Exception {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
    // A short keep-alive interval turns the silent call into a stream soon, so the test sees it start.
    gateway = LoopbackGateway.serve(McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .keepAliveInterval(Duration.ofMillis(100))
        .build());
    client = new StreamableHttpProbe(gateway.url("test"));
    client.initialize("2025-11-25");
  }

  @AfterEach
  void stop() {
    client.close();
    gateway.close();
  }

  @Test
  void cancelledNotificationReachesTheBackendWithItsOwnRequestIdAndEndsTheCall() {
    SseConnection call = client.postStream(sleep("client-id-1", 20_000));
    call.next(WAIT); // the priming event: the call is on its way

    HttpResponse<String> cancel = client.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
        + "\"params\":{\"requestId\":\"client-id-1\",\"reason\":\"user pressed stop\"}}");
    Event answer = call.next(WAIT);
    String cancelledAtBackend = cancellations();

    assertThat(cancel.statusCode()).isEqualTo(202);
    assertThat(answer.json().path("id").asText()).isEqualTo("client-id-1");
    assertThat(answer.json().path("error").path("code").asInt()).isEqualTo(-32800);
    assertThat(cancelledAtBackend).isNotBlank().matches("[0-9]+").doesNotContain("client-id-1");
  }

  @Test
  void droppedConnectionDoesNotCancelTheCall() {
    SseConnection call = client.postStream(sleep("client-id-2", 1_000));
    Event priming = call.next(WAIT);
    call.close();

    List<Event> resumed = client.get(priming.id()).awaitEnd(WAIT);

    assertThat(resumed).hasSize(1);
    JsonNode result = resumed.get(0).json();
    assertThat(result.path("id").asText()).isEqualTo("client-id-2");
    assertThat(result.path("result").path("content").path(0).path("text").asText()).isEqualTo("slept");
    assertThat(cancellations()).isEmpty();
  }

  private static String sleep(String id, long ms) {
    return "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"sleep\",\"arguments\":{\"ms\":" + ms + "}}}";
  }

  private String cancellations() {
    HttpResponse<String> response = client.post(null, "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"cancellations\",\"arguments\":{}}}", "application/json");
    assertThat(response.statusCode()).isEqualTo(200);
    return StreamableHttpProbe.parse(response.body()).path("result").path("content").path(0).path("text").asText();
  }
}
