package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.TestClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A large answer of a remote Streamable HTTP server, as a JSON body or as an SSE event, takes the
 * same streaming path as a stdio backend's: to the payload file as it arrives, never gathered.
 */
class HttpLargeResultTest {
  private static final int CHARS = 30_000_000;
  private final String secret = "http-secret-" + UUID.randomUUID().toString().replace("-", "");

  @TempDir
  Path payloadDir;
  private FakeRemoteServer remote;
  private McpGateway gateway;

  private TestClient client() throws Exception {
    remote = new FakeRemoteServer();
    GatewayConfig config = GatewayConfig.builder()
        .toolTimeout(Duration.ofSeconds(60))
        .payloadDir(payloadDir)
        .payloadSizeThreshold(100_000)
        .server(ServerConfig.http(remote.url()).header("Authorization", "Bearer " + secret).build("remote"))
        .build();
    gateway = McpGateway.builder(config)
        .launcher(BackendKind.HTTP, BackendLauncher.http())
        .payloadPreviewBytes(64)
        .build();
    TestClient client = new TestClient(gateway, "remote", "k");
    client.initialize();
    return client;
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (remote != null) {
      remote.close();
    }
  }

  @ParameterizedTest(name = "sse={0}")
  @ValueSource(booleans = {false, true})
  void aLargeRemoteAnswerWithItsIdLastIsStreamedToThePayloadFile(boolean sse) throws Exception {
    TestClient client = client();
    client.callTool("echo", "{\"message\":\"warm\"}");
    System.gc();
    long before = heapUsed();
    List<MemoryPoolMXBean> pools = heapPools();
    pools.forEach(MemoryPoolMXBean::resetPeakUsage);

    JsonNode summary = TestClient.parse(client.callTool("big", "{\"chars\":" + CHARS + ",\"unit\":\"ab\",\"idLast\":true,"
        + "\"sse\":" + sse + "}"));

    long grewMb = (pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() - before) >> 20;
    Path file = Path.of(summary.path("payloadPath").asText());
    System.out.println("[reliability] " + CHARS / 1_000_000 + " MB result of a remote HTTP server (" + (sse ? "SSE event" : "JSON body")
        + ", id last): stored " + Files.size(file) + " bytes; sum of heap pool peaks grew by " + grewMb + " MB");
    String payload = Files.readString(file);
    assertThat(payload).startsWith("{\"content\":[{\"type\":\"text\",\"text\":\"abab").endsWith("ab\"}]}")
        .hasSize(CHARS + "{\"content\":[{\"type\":\"text\",\"text\":\"\"}]}".length());
    assertThat(summary.path("schema").path("properties").path("content").path("type").asText()).isEqualTo("array");
    assertThat(client.callTool("echo", "{\"message\":\"after\"}")).isEqualTo("after");
  }

  @Test
  void aLargeRemoteAnswerOverTheMessageLimitIsRefusedWithAClearError() throws Exception {
    TestClient client = client();
    JsonNode response = client.request("tools/call", "{\"name\":\"big\",\"arguments\":{\"chars\":70000000}}");
    assertThat(response.path("error").path("message").asText()).contains("answered with more than " + (64 << 20) + " bytes");
    assertThat(client.callTool("echo", "{\"message\":\"after\"}")).isEqualTo("after");
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
  }

  private static long heapUsed() {
    return heapPools().stream().mapToLong(p -> p.getUsage().getUsed()).sum();
  }
}
