package dev.mcpgateway.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.servlet.McpGatewayServlet;
import dev.mcpgateway.testsupport.StdioTestServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Spans read from the SDK's {@link InMemorySpanExporter} after real MCP traffic over HTTP (Jetty
 * and the servlet adapter) to a child-process backend. Spans end before the client gets its
 * answer, so each is exported by the time the test reads the answer.
 */
class OpenTelemetryTracingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "otel-test-key-3f9a61c7d2b84e05a1f6";
  private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";
  private static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final HttpClient http = HttpClient.newHttpClient();
  private SdkTracerProvider tracerProvider;
  private McpGateway gateway;
  private Server jetty;
  private URI endpoint;
  private String sessionId;

  @BeforeEach
  void start() throws Exception {
    tracerProvider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .apiKey(KEY)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
    gateway = McpGateway.builder(config)
        .authenticator(ApiKeyAuthenticator.fromConfig(config))
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .tracing(OpenTelemetryTracing.create(sdk))
        .build();
    jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder holder = new ServletHolder("gateway", new McpGatewayServlet(gateway));
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    jetty.setHandler(context);
    jetty.start();
    endpoint = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/mcp/test");
  }

  @AfterEach
  void stop() throws Exception {
    jetty.stop();
    gateway.close();
    tracerProvider.close();
  }

  @Test
  void tracesEachRequestAsAServerSpanWithItsBackendCallAsAClientChild() throws Exception {
    initialize("{}");
    post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    JsonNode echo = post("{\"jsonrpc\":\"2.0\",\"id\":\"call-3\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hi\"}}}");
    assertThat(echo.path("result").path("content").path(0).path("text").asText()).isEqualTo("hi");

    SpanData initialize = only("initialize", SpanKind.SERVER);
    assertThat(initialize.getParentSpanContext().isValid()).isFalse();
    assertThat(initialize.getAttributes().get(key("mcp.method.name"))).isEqualTo("initialize");
    assertThat(initialize.getAttributes().get(key("mcp.protocol.version"))).isEqualTo("2025-06-18");
    assertThat(initialize.getAttributes().get(key("jsonrpc.request.id"))).isEqualTo("1");
    assertThat(initialize.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    SpanData list = only("tools/list", SpanKind.SERVER);
    SpanData listAtBackend = only("tools/list", SpanKind.CLIENT);
    assertThat(listAtBackend.getParentSpanId()).isEqualTo(list.getSpanId());
    assertThat(listAtBackend.getTraceId()).isEqualTo(list.getTraceId());
    assertThat(list.getAttributes().get(key("mcp.session.id"))).isEqualTo(sessionId);

    SpanData call = only("tools/call echo", SpanKind.SERVER);
    SpanData callAtBackend = only("tools/call echo", SpanKind.CLIENT);
    assertThat(callAtBackend.getParentSpanId()).isEqualTo(call.getSpanId());
    assertThat(call.getTraceId()).isNotEqualTo(list.getTraceId()).as("each request starts its own trace");
    assertThat(call.getAttributes().asMap()).containsEntry(key("mcp.method.name"), "tools/call")
        .containsEntry(key("gen_ai.tool.name"), "echo")
        .containsEntry(key("gen_ai.operation.name"), "execute_tool")
        .containsEntry(key("jsonrpc.request.id"), "call-3")
        .containsEntry(key("mcp.session.id"), sessionId)
        .containsEntry(key("mcp.protocol.version"), "2025-06-18")
        .containsEntry(key("network.transport"), "tcp")
        .containsEntry(key("network.protocol.name"), "http")
        .containsEntry(key("client.address"), "127.0.0.1")
        .containsEntry(key("mcp_gateway.server"), "test")
        .doesNotContainKey(key("error.type"));
    assertThat(callAtBackend.getAttributes().asMap()).containsEntry(key("mcp.method.name"), "tools/call")
        .containsEntry(key("gen_ai.tool.name"), "echo")
        .containsEntry(key("network.transport"), "pipe")
        .containsEntry(key("mcp_gateway.server"), "test")
        .containsKey(key("jsonrpc.request.id"));
  }

  @Test
  void marksErrorAnswersWithTheirJsonRpcCode() throws Exception {
    initialize("{}");
    JsonNode unknownTool = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\",\"arguments\":{}}}");
    assertThat(unknownTool.path("error").path("code").asInt()).isEqualTo(-32602);
    JsonNode unknownMethod = post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"no/such/method\"}");
    assertThat(unknownMethod.path("error").path("code").asInt()).isEqualTo(-32601);

    for (SpanKind kind : List.of(SpanKind.SERVER, SpanKind.CLIENT)) {
      SpanData tool = only("tools/call nope", kind);
      assertThat(tool.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(tool.getAttributes().asMap()).containsEntry(key("error.type"), "-32602")
          .containsEntry(key("rpc.response.status_code"), "-32602");
      assertThat(only("no/such/method", kind).getAttributes().get(key("error.type"))).isEqualTo("-32601");
    }
  }

  @Test
  void failsTheSpansOfACallWhoseBackendDies() throws Exception {
    initialize("{}");
    JsonNode crash = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"crash\",\"arguments\":{}}}");
    assertThat(crash.has("error")).isTrue();
    String code = Integer.toString(crash.path("error").path("code").asInt());
    assertThat(only("tools/call crash", SpanKind.SERVER).getAttributes().get(key("error.type"))).isEqualTo(code);
    assertThat(only("tools/call crash", SpanKind.CLIENT).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void continuesTheClientsTraceFromTheTraceparentHeaderAndPassesItToTheBackend() throws Exception {
    initialize("{}");
    JsonNode answer = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"meta\",\"arguments\":{}}}",
        "traceparent", CLIENT_TRACEPARENT, "tracestate", "rojo=00f067aa0ba902b7");
    JsonNode received = JSON.readTree(answer.path("result").path("content").path(0).path("text").asText());

    SpanData call = only("tools/call meta", SpanKind.SERVER);
    SpanData atBackend = only("tools/call meta", SpanKind.CLIENT);
    assertThat(call.getTraceId()).isEqualTo(CLIENT_TRACE);
    assertThat(call.getParentSpanId()).isEqualTo(CLIENT_SPAN);
    assertThat(call.getParentSpanContext().isRemote()).isTrue();
    assertThat(received.path("traceparent").asText())
        .isEqualTo("00-" + CLIENT_TRACE + "-" + atBackend.getSpanId() + "-01");
    assertThat(received.path("tracestate").asText()).isEqualTo("rojo=00f067aa0ba902b7");
  }

  @Test
  void continuesTheClientsTraceFromParamsMetaAndLinksTheHeaders() throws Exception {
    initialize("{}");
    String headerTrace = "0af7651916cd43dd8448eb211c80319c";
    String headerParent = "00-" + headerTrace + "-b7ad6b7169203331-01";
    JsonNode answer = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"meta\",\"arguments\":{},"
        + "\"_meta\":{\"traceparent\":\"" + CLIENT_TRACEPARENT + "\",\"progressToken\":\"p1\"}}}", "traceparent", headerParent);
    JsonNode received = JSON.readTree(answer.path("result").path("content").path(0).path("text").asText());

    SpanData call = only("tools/call meta", SpanKind.SERVER);
    SpanData atBackend = only("tools/call meta", SpanKind.CLIENT);
    assertThat(call.getTraceId()).isEqualTo(CLIENT_TRACE);
    assertThat(call.getParentSpanId()).isEqualTo(CLIENT_SPAN);
    assertThat(call.getLinks()).singleElement().satisfies(link -> {
      assertThat(link.getSpanContext().getTraceId()).isEqualTo(headerTrace);
      assertThat(link.getSpanContext().getSpanId()).isEqualTo("b7ad6b7169203331");
    });
    assertThat(received.path("traceparent").asText()).isEqualTo("00-" + CLIENT_TRACE + "-" + atBackend.getSpanId() + "-01");
    assertThat(received.has("progressToken")).as("the rest of _meta goes on").isTrue();
  }

  @Test
  void keepsASamplingRequestOfTheBackendInTheTraceOfTheToolCall() throws Exception {
    initialize("{\"sampling\":{}}");
    HttpRequest request = request("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"sample\","
        + "\"arguments\":{\"prompt\":\"hello\"}}}", "traceparent", CLIENT_TRACEPARENT).build();
    HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    Iterator<String> lines = response.body().iterator();
    JsonNode sampling = nextEvent(lines);
    assertThat(sampling.path("method").asText()).isEqualTo("sampling/createMessage");
    String samplingParent = sampling.path("params").path("_meta").path("traceparent").asText();
    assertThat(samplingParent).startsWith("00-" + CLIENT_TRACE + "-");

    HttpResponse<String> answered = http.send(request("{\"jsonrpc\":\"2.0\",\"id\":" + sampling.path("id") + ",\"result\":{\"role\":\"assistant\","
        + "\"content\":{\"type\":\"text\",\"text\":\"sampled\"},\"model\":\"test-model\"}}").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answered.statusCode()).isEqualTo(202);
    JsonNode result = nextEvent(lines);
    response.body().close();
    assertThat(result.path("result").path("content").path(0).path("text").asText()).isEqualTo("sampled");

    SpanData call = only("tools/call sample", SpanKind.SERVER);
    SpanData atBackend = only("tools/call sample", SpanKind.CLIENT);
    SpanData toClient = only("sampling/createMessage", SpanKind.CLIENT);
    assertThat(List.of(call.getTraceId(), atBackend.getTraceId(), toClient.getTraceId())).containsOnly(CLIENT_TRACE);
    assertThat(toClient.getParentSpanId()).isEqualTo(atBackend.getSpanId());
    assertThat(samplingParent).isEqualTo("00-" + CLIENT_TRACE + "-" + toClient.getSpanId() + "-01");
    assertThat(toClient.getAttributes().asMap()).containsEntry(key("mcp.method.name"), "sampling/createMessage")
        .containsEntry(key("mcp.session.id"), sessionId)
        .containsEntry(key("jsonrpc.request.id"), sampling.path("id").asText());
    assertThat(toClient.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void noAttributeCarriesAnArgumentValueOrTheApiKey() throws Exception {
    String secret = "argument-value-7c1e9b3d5f";
    initialize("{}");
    post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"" + secret + "\"}}}");
    post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\",\"arguments\":{\"token\":\"" + secret + "\"}}}");

    List<SpanData> all = spans.getFinishedSpanItems();
    assertThat(all).hasSizeGreaterThanOrEqualTo(5);
    for (SpanData span : all) {
      List<String> values = new ArrayList<>();
      values.add(span.getName());
      values.add(span.getStatus().getDescription());
      span.getAttributes().forEach((key, value) -> values.add(key.getKey() + "=" + value));
      span.getEvents().forEach(event -> values.add(event.getName() + " " + event.getAttributes()));
      assertThat(values).as(span.getName()).noneMatch(value -> value.contains(secret) || value.contains(KEY));
    }
  }

  private void initialize(String capabilities) throws Exception {
    HttpResponse<String> response = http.send(request("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":" + capabilities + ",\"clientInfo\":{\"name\":\"otel-test\",\"version\":\"1\"}}}")
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    sessionId = response.headers().firstValue("mcp-session-id").orElseThrow();
    http.send(request("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts one request and returns its answer, read from JSON or from the SSE stream it came as. */
  private JsonNode post(String body, String... headers) throws Exception {
    HttpResponse<Stream<String>> response = http.send(request(body, headers).build(), HttpResponse.BodyHandlers.ofLines());
    if (response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
      return nextEvent(response.body().iterator());
    }
    return JSON.readTree(String.join("\n", response.body().toList()));
  }

  private HttpRequest.Builder request(String body, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
        .header("Authorization", KEY)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (sessionId != null) {
      builder.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-06-18");
    }
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder;
  }

  /** The next SSE event's data as JSON, skipping keep-alive comments. */
  private static JsonNode nextEvent(Iterator<String> lines) throws Exception {
    StringBuilder data = new StringBuilder();
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      } else if (line.isEmpty() && data.length() > 0) {
        return JSON.readTree(data.toString());
      }
    }
    throw new AssertionError("the stream ended before an event");
  }

  private SpanData only(String name, SpanKind kind) {
    List<SpanData> found = spans.getFinishedSpanItems().stream()
        .filter(span -> span.getName().equals(name) && span.getKind() == kind).toList();
    assertThat(found).as(kind + " spans named '" + name + "' among " + spans.getFinishedSpanItems()).hasSize(1);
    return found.get(0);
  }

  private static AttributeKey<String> key(String name) {
    return AttributeKey.stringKey(name);
  }
}
