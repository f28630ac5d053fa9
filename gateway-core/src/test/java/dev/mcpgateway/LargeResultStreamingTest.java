package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results past the payload threshold and 1 MiB are streamed from the backend's output to the
 * payload store as they arrive, wherever the backend puts the id (the TypeScript SDK writes it
 * after the result), through a real stdio backend process.
 */
class LargeResultStreamingTest {
  private static final String SECRET = "stream-" + UUID.randomUUID().toString().replace("-", "");
  private static final int CHARS = 5_000_000;

  @TempDir
  Path payloadDir;
  private McpGateway gateway;

  private TestClient client() {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .payloadDir(payloadDir)
        .payloadSizeThreshold(100_000)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).passEnv("LEAK_SECRET")
            .build("test"))
        .build();
    gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .environment(Map.of("LEAK_SECRET", SECRET)::get)
        .payloadPreviewBytes(64)
        .build();
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    return client;
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aResultWhoseIdComesAfterItIsStoredWholeWithItsPreviewAndSchema() throws Exception {
    TestClient client = client();
    JsonNode summary = TestClient.parse(client.callTool("big", "{\"chars\":" + CHARS + ",\"unit\":\"ab\",\"idLast\":true}"));
    Path file = Path.of(summary.path("payloadPath").asText());
    JsonNode payload = TestClient.parse(Files.readString(file));
    assertThat(payload.path("content").path(0).path("text").asText()).hasSize(CHARS).startsWith("abab").endsWith("ab");
    assertThat(summary.path("sizeBytes").asLong()).isEqualTo(Files.size(file));
    String head = "{\"content\":[{\"type\":\"text\",\"text\":\"";
    assertThat(summary.path("preview").asText()).isEqualTo(head + "ab".repeat(32).substring(0, 64 - head.length()));
    assertThat(summary.path("schema").toString()).isEqualTo("{\"type\":\"object\",\"properties\":{\"content\":{\"type\":\"array\","
        + "\"items\":{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\"},\"text\":{\"type\":\"string\"}}},"
        + "\"minItems\":1}}}");
    assertThat(spooled()).as("nothing left in the spool directory").isEmpty();
    assertThat(client.callTool("echo", "{\"message\":\"after\"}")).isEqualTo("after");
  }

  @Test
  void aResultWhoseIdComesFirstIsStoredTheSameWay() throws Exception {
    TestClient client = client();
    JsonNode summary = TestClient.parse(client.callTool("big", "{\"chars\":" + CHARS + "}"));
    JsonNode payload = TestClient.parse(Files.readString(Path.of(summary.path("payloadPath").asText())));
    assertThat(payload.path("content").path(0).path("text").asText()).hasSize(CHARS);
  }

  @Test
  void aLargeErrorResultIsPassedInlineWithItsIdAfterIt() throws Exception {
    TestClient client = client();
    JsonNode response = client.request("tools/call",
        "{\"name\":\"big\",\"arguments\":{\"chars\":2000000,\"isError\":true,\"idLast\":true}}");
    assertThat(response.path("result").path("isError").asBoolean()).isTrue();
    assertThat(response.path("result").path("content").path(0).path("text").asText()).hasSize(2_000_000);
    assertThat(spooled()).isEmpty();
  }

  @Test
  void theBackendsSecretIsRedactedInTheStreamedPayloadAndItsPreview() throws Exception {
    TestClient client = client();
    JsonNode summary = TestClient.parse(client.callTool("leak", "{\"via\":\"big\",\"chars\":3000000,\"idLast\":true}"));
    String payload = Files.readString(Path.of(summary.path("payloadPath").asText()));
    assertThat(payload).doesNotContain(SECRET).contains("[REDACTED:secret] [REDACTED:secret]");
    assertThat(summary.toString()).doesNotContain(SECRET);
    assertThat(summary.path("preview").asText()).contains("[REDACTED:secret]");
    TestClient.parse(payload); // still JSON
  }

  private List<Path> spooled() throws Exception {
    Path spool = payloadDir.resolve(".spool");
    if (!Files.exists(spool)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(spool)) {
      return files.toList();
    }
  }
}
