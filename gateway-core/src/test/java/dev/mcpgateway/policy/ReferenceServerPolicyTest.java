package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.GuardConfig;
import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default policy chain in front of the real reference servers from npm, run as host processes. */
class ReferenceServerPolicyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "ghp_" + "R3f3r3nc3S3rv3rT0k3nAbCdEfGhIjKlMnOp";

  @TempDir
  Path temp;
  private McpGateway gateway;

  @BeforeEach
  void needsNode() {
    NodeTools.assumeNode();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private McpGateway start(GatewayConfig config, List<Interceptor> chain) {
    McpGateway.Builder builder = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process());
    if (chain != null) {
      builder.interceptors(chain);
    }
    gateway = builder.build();
    return gateway;
  }

  private static List<String> toolNames(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.path("result").path("tools").forEach(tool -> names.add(tool.path("name").asText()));
    return names;
  }

  @Test
  void serverEverythingShowsOnlyAllowedToolsAndRefusesOthers() {
    GatewayConfig config = GatewayConfig.builder().toolTimeout(Duration.ofSeconds(20))
        .server(NodeTools.serverEverything().serverConfig().tools(List.of("echo", "get-sum")).build("everything"))
        .build();
    TestClient client = new TestClient(start(config, null), "everything", null);
    client.initialize();

    assertThat(toolNames(client.request("tools/list", "{}"))).containsExactlyInAnyOrder("echo", "get-sum");
    assertThat(client.callTool("get-sum", "{\"a\":2,\"b\":3}")).isEqualTo("The sum of 2 and 3 is 5.");
    JsonNode refused = client.request("tools/call", "{\"name\":\"get-env\",\"arguments\":{}}");
    assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32003);
    assertThat(refused.path("error").path("message").asText()).isEqualTo("tool 'get-env' is not allowed on server 'everything'");
  }

  @Test
  void aTokenEchoedBackByServerEverythingArrivesRedacted() {
    GatewayConfig config = GatewayConfig.builder().toolTimeout(Duration.ofSeconds(20))
        .server(NodeTools.serverEverything().serverConfig().build("everything"))
        .build();
    TestClient client = new TestClient(start(config, null), "everything", null);
    client.initialize();
    JsonNode answer = client.request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"message\":\"my token is " + TOKEN + "\"}}");
    assertThat(answer.toString()).doesNotContain(TOKEN);
    assertThat(answer.path("result").path("content").path(0).path("text").asText())
        .isEqualTo("Echo: my token is [REDACTED:github-token]");
  }

  @Test
  void aPathTraversalNeverReachesServerFilesystem() throws Exception {
    Path root = Files.createDirectories(temp.resolve("root"));
    Files.writeString(root.resolve("notes.md"), "inside the root");
    Files.writeString(temp.resolve("secret.txt"), "outside the root");
    GatewayConfig config = GatewayConfig.builder().toolTimeout(Duration.ofSeconds(20))
        .server(NodeTools.serverFilesystem(root).serverConfig()
            .guards(GuardConfig.builder().allowedPaths(List.of(root)).checkHostSymlinks(true).build())
            .build("fs"))
        .build();
    // Whatever passes the default chain is recorded just before it goes to the backend.
    List<String> reachedBackend = new CopyOnWriteArrayList<>();
    List<Interceptor> chain = new ArrayList<>(dev.mcpgateway.policy.Policies.defaults(config, name -> null));
    chain.add(new Interceptor() {
      @Override
      public Verdict onRequest(McpCall call) {
        call.toolName().ifPresent(tool -> reachedBackend.add(tool + " " + call.arguments().get("path")));
        return Verdict.pass();
      }
    });
    TestClient client = new TestClient(start(config, chain), "fs", null);
    client.initialize();

    assertThat(client.callTool("read_text_file", "{\"path\":\"" + root.resolve("notes.md") + "\"}")).isEqualTo("inside the root");
    String traversal = root + "/../secret.txt";
    JsonNode refused = client.request("tools/call", "{\"name\":\"read_text_file\",\"arguments\":{\"path\":\"" + traversal + "\"}}");
    assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32003);
    assertThat(refused.path("error").path("message").asText())
        .contains("argument 'path' contains '..'").contains("'read_text_file'").contains("'fs'");
    JsonNode outside = client.request("tools/call", "{\"name\":\"read_text_file\",\"arguments\":{\"path\":\"" + temp.resolve("secret.txt") + "\"}}");
    assertThat(outside.path("error").path("message").asText()).contains("outside the allowed directories");
    assertThat(refused.toString() + outside).doesNotContain("outside the root");

    assertThat(reachedBackend).containsExactly("read_text_file " + root.resolve("notes.md"));
  }

  @Test
  void everyAuditLineOfARunIsJsonWithTheDocumentedFields() throws Exception {
    Path auditFile = temp.resolve("audit.jsonl");
    GatewayConfig config = GatewayConfig.builder().toolTimeout(Duration.ofSeconds(20)).auditFile(auditFile)
        .server(NodeTools.serverEverything().serverConfig().tools(List.of("echo")).build("everything"))
        .build();
    TestClient client = new TestClient(start(config, null), "everything", null);
    client.initialize();
    client.callTool("echo", "{\"message\":\"hello\"}");
    client.callTool("get-env", "{}");
    gateway.close();

    List<String> lines = Files.readAllLines(auditFile);
    assertThat(lines).isNotEmpty();
    Set<String> events = Set.of("mcp.server.start", "mcp.server.stop", "mcp.tool.invocation", "auth.success", "auth.failure",
        "access.denied", "config.loaded", "error");
    for (String line : lines) {
      JsonNode json = JSON.readTree(line);
      assertThat(json.isObject()).as(line).isTrue();
      assertThat(json.path("timestamp").asText()).as(line).isNotEmpty();
      assertThat(events).as(line).contains(json.path("event").asText());
      if (json.path("event").asText().matches("mcp\\.tool\\.invocation|access\\.denied")) {
        for (String field : List.of("server", "tool", "parameters", "result", "duration_ms", "identity")) {
          assertThat(json.has(field)).as(field + " in " + line).isTrue();
        }
      }
    }
    assertThat(lines).anyMatch(l -> l.contains("\"event\":\"mcp.tool.invocation\"") && l.contains("\"tool\":\"echo\""));
    assertThat(lines).anyMatch(l -> l.contains("\"event\":\"access.denied\"") && l.contains("\"tool\":\"get-env\""));
  }
}
