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
 * Spans of the unified endpoint {@code /mcp} and of protocol revision 2026-07-28, read from the
 * SDK's {@link InMemorySpanExporter} after real traffic over HTTP (Jetty and the servlet adapter)
 * to two child-process backends, {@code a} and {@code b}.
 */
class UnifiedAndStatelessTracingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "otel-test-key-8d2c47e19b0a3f56c7e1";
  private static final String STATELESS = "2026-07-28";
  private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";
  private static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final HttpClient http = HttpClient.newHttpClient();
  private SdkTracerProvider tracerProvider;
  private McpGateway gateway;
  private Server jetty;
  private String base;
  private String sessionId;
  private long nextId;

  @BeforeEach
  void start() throws Exception {
    tracerProvider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .apiKey(KEY)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("a"))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("b"))
        .build();
    gateway = McpGateway.builder(config)
        .authenticator(ApiKeyAuthenticator.fromConfig(config))
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .unifiedEndpoint(true)
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
    base = "http://127.0.0.1:" + connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    jetty.stop();
    gateway.close();
    tracerProvider.close();
  }

  @Test
  void aUnifiedListIsOneServerSpanWithAClientChildPerServer() throws Exception {
    initializeUnified();
    JsonNode list = post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    assertThat(list.path("result").path("tools").toString()).contains("a___echo", "b___echo");

    SpanData server = only("tools/list", SpanKind.SERVER);
    assertThat(server.getAttributes().asMap()).containsEntry(key("mcp.method.name"), "tools/list")
        .containsEntry(key("mcp.session.id"), sessionId)
        .containsEntry(key("mcp.protocol.version"), "2025-06-18")
        .doesNotContainKey(key("mcp_gateway.server")).as("a list of every server has no single server");
    List<SpanData> calls = all("tools/list", SpanKind.CLIENT);
    assertThat(calls).hasSize(2).allSatisfy(call -> {
      assertThat(call.getParentSpanId()).isEqualTo(server.getSpanId());
      assertThat(call.getTraceId()).isEqualTo(server.getTraceId());
      assertThat(call.getAttributes().get(key("network.transport"))).isEqualTo("pipe");
    });
    assertThat(calls).extracting(call -> call.getAttributes().get(key("mcp_gateway.server"))).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void aUnifiedCallIsTracedAsTheServerItIsRoutedToAndTheBackendGetsTheTraceparent() throws Exception {
    initializeUnified();
    JsonNode answer = post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"b___meta\",\"arguments\":{}}}",
        "traceparent", CLIENT_TRACEPARENT);
    JsonNode received = JSON.readTree(answer.path("result").path("content").path(0).path("text").asText());

    SpanData call = only("tools/call meta", SpanKind.SERVER);
    SpanData atBackend = only("tools/call meta", SpanKind.CLIENT);
    assertThat(call.getTraceId()).isEqualTo(CLIENT_TRACE);
    assertThat(call.getParentSpanId()).isEqualTo(CLIENT_SPAN);
    assertThat(call.getAttributes().asMap()).containsEntry(key("mcp_gateway.server"), "b")
        .containsEntry(key("gen_ai.tool.name"), "meta")
        .containsEntry(key("mcp.session.id"), sessionId);
    assertThat(atBackend.getParentSpanId()).isEqualTo(call.getSpanId());
    assertThat(atBackend.getAttributes().get(key("mcp_gateway.server"))).isEqualTo("b");
    assertThat(received.path("traceparent").asText()).isEqualTo("00-" + CLIENT_TRACE + "-" + atBackend.getSpanId() + "-01");

    JsonNode unknown = post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"c___x\",\"arguments\":{}}}");
    assertThat(unknown.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(only("tools/call c___x", SpanKind.SERVER).getAttributes().asMap()).containsEntry(key("error.type"), "-32602")
        .doesNotContainKey(key("mcp_gateway.server"));
  }

  @Test
  void aStatelessCallIsAServerSpanWithAClientChildAndTheBackendGetsTheTraceparentInMeta() throws Exception {
    JsonNode answer = stateless("/mcp/a", "tools/call", "\"name\":\"meta\",\"arguments\":{}", "{}", "traceparent", CLIENT_TRACEPARENT);
    assertThat(answer.path("result").path("resultType").asText()).isEqualTo("complete");
    JsonNode received = JSON.readTree(answer.path("result").path("content").path(0).path("text").asText());

    SpanData call = only("tools/call meta", SpanKind.SERVER);
    SpanData atBackend = only("tools/call meta", SpanKind.CLIENT);
    assertThat(call.getTraceId()).isEqualTo(CLIENT_TRACE);
    assertThat(call.getParentSpanId()).isEqualTo(CLIENT_SPAN);
    assertThat(call.getAttributes().asMap()).containsEntry(key("mcp.protocol.version"), STATELESS)
        .containsEntry(key("mcp_gateway.server"), "a")
        .containsEntry(key("gen_ai.tool.name"), "meta")
        .doesNotContainKey(key("mcp.session.id"));
    assertThat(atBackend.getParentSpanId()).isEqualTo(call.getSpanId());
    assertThat(received.path("traceparent").asText()).isEqualTo("00-" + CLIENT_TRACE + "-" + atBackend.getSpanId() + "-01");

    stateless("/mcp", "tools/list", "", "{}");
    SpanData list = only("tools/list", SpanKind.SERVER);
    assertThat(all("tools/list", SpanKind.CLIENT)).hasSize(2)
        .allSatisfy(page -> assertThat(page.getParentSpanId()).isEqualTo(list.getSpanId()));
  }

  @Test
  void eachRoundOfAMultiRoundTripCallIsAServerSpanAndTheBackendCallLastsUntilTheCallEnds() throws Exception {
    String capabilities = "{\"elicitation\":{},\"sampling\":{}}";
    String params = "\"name\":\"welcome\",\"arguments\":{}";
    JsonNode first = stateless("/mcp/a", "tools/call", params, capabilities, "traceparent", CLIENT_TRACEPARENT).path("result");
    assertThat(first.path("resultType").asText()).isEqualTo("input_required");
    String elicitation = first.path("inputRequests").fieldNames().next();
    assertThat(first.path("inputRequests").path(elicitation).path("method").asText()).isEqualTo("elicitation/create");
    assertThat(all("tools/call welcome", SpanKind.CLIENT)).as("the call goes on after its first round").isEmpty();

    JsonNode second = stateless("/mcp/a", "tools/call", params + ",\"requestState\":\"" + first.path("requestState").asText()
        + "\",\"inputResponses\":{\"" + elicitation + "\":{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}}", capabilities,
        "traceparent", CLIENT_TRACEPARENT).path("result");
    assertThat(second.path("resultType").asText()).isEqualTo("input_required");
    String sampling = second.path("inputRequests").fieldNames().next();
    assertThat(all("tools/call welcome", SpanKind.CLIENT)).isEmpty();
    SpanData elicited = only("elicitation/create", SpanKind.CLIENT);

    JsonNode done = stateless("/mcp/a", "tools/call", params + ",\"requestState\":\"" + second.path("requestState").asText()
        + "\",\"inputResponses\":{\"" + sampling + "\":{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"Hello\"},"
        + "\"model\":\"m\"}}", capabilities).path("result");
    assertThat(done.path("resultType").asText()).isEqualTo("complete");
    assertThat(done.path("content").path(0).path("text").asText()).isEqualTo("Ada: Hello");

    List<SpanData> rounds = all("tools/call welcome", SpanKind.SERVER);
    assertThat(rounds).hasSize(3);
    SpanData atBackend = only("tools/call welcome", SpanKind.CLIENT);
    assertThat(atBackend.getParentSpanId()).isEqualTo(rounds.get(0).getSpanId()).as("the call started with the first round");
    assertThat(rounds.get(0).getParentSpanId()).isEqualTo(CLIENT_SPAN);
    assertThat(rounds.get(1).getParentSpanId()).as("a retry continues the context it carries").isEqualTo(CLIENT_SPAN);
    assertThat(rounds.get(2).getTraceId()).as("a retry without a context starts a trace").isNotEqualTo(CLIENT_TRACE);
    assertThat(elicited.getParentSpanId()).isEqualTo(atBackend.getSpanId());
    assertThat(first.path("inputRequests").path(elicitation).path("params").path("_meta").path("traceparent").asText())
        .as("the input request carries its span to the client").isEqualTo("00-" + CLIENT_TRACE + "-" + elicited.getSpanId() + "-01");
    assertThat(only("sampling/createMessage", SpanKind.CLIENT).getParentSpanId()).isEqualTo(atBackend.getSpanId());
    assertThat(rounds).allSatisfy(round -> assertThat(round.getAttributes().asMap())
        .containsEntry(key("mcp.protocol.version"), STATELESS).containsEntry(key("mcp_gateway.server"), "a")
        .doesNotContainKey(key("error.type")));
  }

  @Test
  void noAttributeCarriesAnArgumentValueOrTheApiKey() throws Exception {
    String secret = "argument-value-5b8e2d7a1c";
    initializeUnified();
    post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"a___echo\",\"arguments\":{\"message\":\""
        + secret + "\"}}}");
    stateless("/mcp/b", "tools/call", "\"name\":\"echo\",\"arguments\":{\"message\":\"" + secret + "\"}", "{}");

    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).hasSizeGreaterThanOrEqualTo(5);
    for (SpanData span : finished) {
      List<String> values = new ArrayList<>();
      values.add(span.getName());
      values.add(span.getStatus().getDescription());
      span.getAttributes().forEach((key, value) -> values.add(key.getKey() + "=" + value));
      assertThat(values).as(span.getName()).noneMatch(value -> value.contains(secret) || value.contains(KEY));
    }
  }

  private void initializeUnified() throws Exception {
    HttpResponse<String> response = http.send(request("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"otel-test\",\"version\":\"1\"}}}")
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    sessionId = response.headers().firstValue("mcp-session-id").orElseThrow();
    http.send(request("/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(only("initialize", SpanKind.SERVER).getAttributes().get(key("mcp.protocol.version"))).isEqualTo("2025-06-18");
  }

  /** A request of revision 2026-07-28 with the headers and {@code _meta} it needs; {@code headers} add. */
  private JsonNode stateless(String path, String method, String params, String capabilities, String... headers) throws Exception {
    String meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + STATELESS + "\","
        + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"otel-test\",\"version\":\"1\"},"
        + "\"io.modelcontextprotocol/clientCapabilities\":" + capabilities + "}";
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + (++nextId) + ",\"method\":\"" + method + "\",\"params\":{"
        + (params.isEmpty() ? meta : params + "," + meta) + "}}";
    List<String> all = new ArrayList<>(List.of("MCP-Protocol-Version", STATELESS, "Mcp-Method", method));
    JsonNode name = JSON.readTree(body).path("params").path("name");
    if (name.isTextual()) {
      all.addAll(List.of("Mcp-Name", name.asText()));
    }
    all.addAll(List.of(headers));
    return post(path, body, all.toArray(new String[0]));
  }

  /** Posts one request and returns its answer, read from JSON or from the SSE stream it came as. */
  private JsonNode post(String path, String body, String... headers) throws Exception {
    HttpResponse<Stream<String>> response = http.send(request(path, body, headers).build(), HttpResponse.BodyHandlers.ofLines());
    if (response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
      Iterator<String> lines = response.body().iterator();
      while (true) {
        JsonNode event = nextEvent(lines);
        if (event.has("result") || event.has("error")) {
          response.body().close();
          return event;
        }
      }
    }
    return JSON.readTree(String.join("\n", response.body().toList()));
  }

  private HttpRequest.Builder request(String path, String body, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", KEY)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (sessionId != null && path.equals("/mcp")) {
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

  private List<SpanData> all(String name, SpanKind kind) {
    return spans.getFinishedSpanItems().stream().filter(span -> span.getName().equals(name) && span.getKind() == kind).toList();
  }

  private SpanData only(String name, SpanKind kind) {
    List<SpanData> found = all(name, kind);
    assertThat(found).as(kind + " spans named '" + name + "' among " + spans.getFinishedSpanItems()).hasSize(1);
    return found.get(0);
  }

  private static AttributeKey<String> key(String name) {
    return AttributeKey.stringKey(name);
  }
}
