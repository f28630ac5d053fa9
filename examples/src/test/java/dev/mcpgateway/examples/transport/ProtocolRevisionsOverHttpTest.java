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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three protocol revisions over real HTTP: what {@code initialize} negotiates, which streams
 * start with a priming event (2025-11-25 only), where JSON-RPC batches are accepted
 * (2025-03-26 only), and the header, session, Origin and Host rules every revision shares.
 */
class ProtocolRevisionsOverHttpTest {
  private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}";
  private static final String BATCH = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
      + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"x\",\"progress\":1}},"
      + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"in a batch\"}}}]";

  private LoopbackGateway gateway;
  private StreamableHttpProbe client;

  @BeforeEach
  void start() throws Exception {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
    gateway = LoopbackGateway.serve(McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build());
    client = new StreamableHttpProbe(gateway.url("test"));
  }

  @AfterEach
  void stop() {
    client.close();
    gateway.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2025-03-26", "2025-06-18", "2025-11-25"})
  void initializeNegotiatesTheRequestedRevisionAndOnlyTheLatestPrimesItsStreams(String version) {
    JsonNode result = client.initialize(version);

    SseConnection call = client.postStream("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"echo\",\"arguments\":{\"message\":\"streamed\"}}}");
    List<Event> callEvents = call.awaitEnd(WAIT);
    SseConnection get = client.get(null);
    broadcast();
    Event firstOnGet = get.next(WAIT);

    boolean primes = version.equals("2025-11-25");
    assertThat(result.path("protocolVersion").asText()).isEqualTo(version);
    assertThat(client.sessionId()).isNotBlank();
    assertThat(call.contentType()).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
    assertThat(callEvents).hasSize(primes ? 2 : 1);
    assertThat(callEvents.get(0).isPriming()).isEqualTo(primes);
    assertThat(callEvents.get(callEvents.size() - 1).json().path("result").toString()).contains("streamed");
    assertThat(callEvents).allSatisfy(e -> assertThat(e.id()).matches("[0-9]+_[0-9]+"));
    assertThat(firstOnGet.isPriming()).isEqualTo(primes);
  }

  @Test
  void batchIsAnsweredInA2025_03_26Session() {
    client.initialize("2025-03-26");

    HttpResponse<String> withHeader = client.post("2025-03-26", BATCH, "application/json, text/event-stream");
    HttpResponse<String> withoutHeader = client.post(null, BATCH, "application/json, text/event-stream");

    for (HttpResponse<String> response : List.of(withHeader, withoutHeader)) {
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode answers = StreamableHttpProbe.parse(response.body());
      assertThat(answers.isArray()).isTrue();
      assertThat(answers).hasSize(2);
      assertThat(answers.get(1).path("result").path("content").path(0).path("text").asText()).isEqualTo("in a batch");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"2025-06-18", "2025-11-25"})
  void batchIsRefusedWithAClearErrorInLaterRevisionsWithOrWithoutTheHeader(String version) {
    client.initialize(version);

    HttpResponse<String> withHeader = client.post(version, BATCH, "application/json, text/event-stream");
    HttpResponse<String> withoutHeader = client.post(null, BATCH, "application/json, text/event-stream");

    for (HttpResponse<String> response : List.of(withHeader, withoutHeader)) {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.body()).contains("batches are not supported in protocol revision " + version);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"2025-06-18", "2025-11-25"})
  void theSessionsRevisionDecidesOnBatchesWhateverTheHeaderSays(String version) {
    client.initialize(version);

    HttpResponse<String> claimingTheOldRevision = client.post("2025-03-26", BATCH, "application/json, text/event-stream");

    assertThat(claimingTheOldRevision.statusCode()).isEqualTo(400);
    assertThat(claimingTheOldRevision.body()).contains("batches are not supported in protocol revision " + version
        + ", which this session negotiated");
  }

  @Test
  void aBatchIsAnsweredInA2025_03_26SessionWhateverSupportedRevisionTheHeaderSays() {
    client.initialize("2025-03-26");

    HttpResponse<String> response = client.post("2025-11-25", BATCH, "application/json");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(StreamableHttpProbe.parse(response.body())).hasSize(2);
  }

  @Test
  void protocolVersionHeaderMayBeMissingOrAnySupportedRevisionButMustBeSupportedWhenPresent() {
    client.initialize("2025-11-25");

    assertThat(client.post(null, PING, "application/json").statusCode()).isEqualTo(200);
    // As the official conformance suite does in a 2025-11-25 session: served, under the session's revision.
    assertThat(client.post("2025-03-26", PING, "application/json").statusCode()).isEqualTo(200);
    for (String invalid : List.of("1999-01-01", "2099-01-01", "not-a-version")) {
      HttpResponse<String> unsupported = client.post(invalid, PING, "application/json");
      assertThat(unsupported.statusCode()).as(invalid).isEqualTo(400);
      assertThat(unsupported.body()).contains("unsupported MCP-Protocol-Version '" + invalid + "'");
    }
    assertThat(client.getStatus(Map.of("Accept", "text/event-stream", "Mcp-Session-Id", client.sessionId(),
        "MCP-Protocol-Version", "2099-01-01"))).as("GET").isEqualTo(400);
  }

  @Test
  void getWithoutSessionIsRefusedAndDeleteEndsTheSession() {
    client.initialize("2025-06-18");

    int getWithoutSession = client.getStatus(Map.of("Accept", "text/event-stream"));
    int deleted = client.delete();
    HttpResponse<String> afterDelete = client.post(PING);

    assertThat(getWithoutSession).isEqualTo(400);
    assertThat(deleted).isEqualTo(200);
    assertThat(afterDelete.statusCode()).isEqualTo(404);
  }

  @Test
  void foreignOriginIsForbiddenWhileLoopbackOriginsPass() throws IOException {
    client.initialize("2025-11-25");

    assertThat(rawPost("127.0.0.1:" + gateway.port(), "https://evil.example.com")).startsWith("HTTP/1.1 403");
    assertThat(rawPost("127.0.0.1:" + gateway.port(), "http://localhost:5173")).startsWith("HTTP/1.1 200");
    assertThat(rawPost("localhost:" + gateway.port(), "http://127.0.0.1:" + gateway.port())).startsWith("HTTP/1.1 200");
  }

  @Test
  void foreignHostOnTheLoopbackListenerIsRefusedAgainstDnsRebinding() throws IOException {
    client.initialize("2025-11-25");

    assertThat(rawPost("evil.example.com", null)).startsWith("HTTP/1.1 403");
    assertThat(rawPost("evil.example.com:" + gateway.port(), null)).startsWith("HTTP/1.1 403");
    assertThat(rawPost("[::1]:" + gateway.port(), null)).startsWith("HTTP/1.1 200");
  }

  /** A ping POSTed over a plain socket, so that Host can be anything; returns the whole answer. */
  private String rawPost(String host, String origin) throws IOException {
    byte[] body = PING.getBytes(StandardCharsets.UTF_8);
    String head = "POST /mcp/test HTTP/1.1\r\nHost: " + host + "\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + "Content-Type: application/json\r\nAccept: application/json\r\n"
        + "Mcp-Session-Id: " + client.sessionId() + "\r\nMCP-Protocol-Version: 2025-11-25\r\n"
        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      return answer.toString(StandardCharsets.UTF_8);
    }
  }

  private void broadcast() {
    assertThat(client.post("{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"broadcast\",\"arguments\":{\"uri\":\"test://x\"}}}").statusCode()).isEqualTo(200);
  }
}
