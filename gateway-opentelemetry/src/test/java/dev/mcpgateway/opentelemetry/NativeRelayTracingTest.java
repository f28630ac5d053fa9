package dev.mcpgateway.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.TestClient;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client of revision 2026-07-28 in front of a backend of the same revision
 * ({@code stateless-server.mjs}): the gateway relays each round to the backend as a call of its
 * own, so each round has its SERVER span and its CLIENT child over HTTP.
 */
class NativeRelayTracingTest {
  private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private SdkTracerProvider tracerProvider;
  private NodeProcess backend;
  private McpGateway gateway;
  private URI url;

  @BeforeEach
  void start() throws Exception {
    NodeTools.assumeNode();
    backend = NodeTools.statelessServerHttp().start();
    url = URI.create(NodeTools.awaitListeningUrl(backend));
    tracerProvider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    gateway = McpGateway.builder(GatewayConfig.builder()
            .toolTimeout(Duration.ofSeconds(20))
            .server(ServerConfig.http(url.toString()).connectTimeout(Duration.ofSeconds(2)).build("remote"))
            .build())
        .launcher(BackendKind.HTTP, BackendLauncher.http())
        .tracing(OpenTelemetryTracing.create(sdk))
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (tracerProvider != null) {
      tracerProvider.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void eachRelayedRoundIsAServerSpanWithACallToTheBackendOverHttp() {
    JsonNode asked = stateless(1, "\"name\":\"ask_name\",\"arguments\":{}").path("result");
    assertThat(asked.path("resultType").asText()).isEqualTo("input_required");
    JsonNode done = stateless(2, "\"name\":\"ask_name\",\"arguments\":{},"
        + "\"inputResponses\":{\"user_name\":{\"action\":\"accept\",\"content\":{\"name\":\"Grace\"}}},"
        + "\"requestState\":" + asked.get("requestState"));
    assertThat(done.path("result").path("content").path(0).path("text").asText()).isEqualTo("Hello, Grace");

    List<SpanData> rounds = all(SpanKind.SERVER);
    List<SpanData> calls = all(SpanKind.CLIENT);
    assertThat(rounds).hasSize(2).allSatisfy(round -> assertThat(round.getTraceId()).isEqualTo(CLIENT_TRACE));
    assertThat(calls).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(calls.get(i).getParentSpanId()).isEqualTo(rounds.get(i).getSpanId());
      assertThat(calls.get(i).getAttributes().asMap()).containsEntry(key("network.transport"), "tcp")
          .containsEntry(key("server.address"), url.getHost())
          .containsEntry(key("mcp_gateway.server"), "remote");
    }
  }

  private JsonNode stateless(long id, String params) {
    String meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
        + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"modern\",\"version\":\"1\"},"
        + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}";
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{" + params + "," + meta + "}}";
    GatewayResponse response = Await.result(gateway.handle(GatewayRequest.post("/mcp/remote")
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("Authorization", "key-modern")
        .header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", "tools/call")
        .header("Mcp-Name", "ask_name")
        .header("traceparent", CLIENT_TRACEPARENT)
        .remoteAddress("127.0.0.1:40000")
        .body(body)
        .build()));
    return TestClient.parse(TestClient.bodyOf(response));
  }

  private List<SpanData> all(SpanKind kind) {
    return spans.getFinishedSpanItems().stream()
        .filter(span -> span.getName().equals("tools/call ask_name") && span.getKind() == kind)
        .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
  }

  private static AttributeKey<String> key(String name) {
    return AttributeKey.stringKey(name);
  }
}
