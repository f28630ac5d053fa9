package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.config.ConfigLoader;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.examples.support.DemoServer;
import dev.mcpgateway.examples.support.McpHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway section of the MCP gateway specification 1.17 with {@code agentIds}, served by the
 * runner's Jetty over real HTTP: each agent id authenticates as an agent of its own, with its own
 * sessions and backends, and every other value is refused.
 */
class AgentIdsOverHttpTest {
  private static final String PRIMARY = "primary-agent-6b2e9f1d07c4a853";
  private static final String ENCLAVE = "enclave-agent-1a7d3c9e5f02b846";
  private static final String PATH = "/mcp/demo";

  @TempDir
  Path payloads;
  private GatewayRunner.Running running;

  @AfterEach
  void stop() {
    if (running != null) {
      running.stop();
    }
  }

  private McpHttp start() throws Exception {
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("PRIMARY_AGENT_ID", PRIMARY)).parse("""
        {
          "gateway": {
            "port": 8080,
            "domain": "localhost",
            "agentIds": ["${PRIMARY_AGENT_ID}", "%s"],
            "sessionTimeout": "4h",
            "trustedBots": ["github-actions[bot]"]
          },
          "mcpServers": {}
        }
        """.formatted(ENCLAVE));
    running = GatewayRunner.start(config.toBuilder().payloadDir(payloads).server(DemoServer.config("demo")).build(),
        "127.0.0.1", 0);
    return new McpHttp("http://127.0.0.1:" + running.port);
  }

  @Test
  void servesEachAgentAsAnIdentityOfItsOwn() throws Exception {
    McpHttp http = start();

    McpHttp.Session primary = http.open(PATH, PRIMARY);
    McpHttp.Session enclave = http.open(PATH, ENCLAVE);

    assertThat(text(primary.callTool("echo", "{\"message\":\"from primary\"}"))).isEqualTo("from primary");
    assertThat(text(enclave.callTool("echo", "{\"message\":\"from enclave\"}"))).isEqualTo("from enclave");
    List<ProcessHandle> backends = Children.await(DemoServer.MARKER, list -> list.size() == 2,
        "a demo backend for each agent", Duration.ofSeconds(30));
    McpHttp.Session primaryAgain = http.open(PATH, PRIMARY);
    assertThat(text(primaryAgain.callTool("echo", "{\"message\":\"again\"}"))).isEqualTo("again");
    assertThat(Children.ofThisJvm(DemoServer.MARKER)).as("the primary agent's sessions share its backend")
        .containsExactlyInAnyOrderElementsOf(backends);
  }

  @Test
  void refusesEveryOtherValueAndKeepsTheAgentsSessionsApart() throws Exception {
    McpHttp http = start();
    McpHttp.Session primary = http.open(PATH, PRIMARY);

    McpHttp.Answer stranger = http.post(PATH, "another-agent-id", null, McpHttp.initializeBody());
    McpHttp.Answer missing = http.post(PATH, null, null, McpHttp.initializeBody());
    McpHttp.Answer borrowed = http.post(PATH, ENCLAVE, primary.id, McpHttp.request(2, "tools/list", null));

    assertThat(stranger.status()).isEqualTo(401);
    assertThat(stranger.json().path("error").asText()).isEqualTo("authentication failed: invalid API key");
    assertThat(missing.status()).isEqualTo(401);
    assertThat(borrowed.status()).as("the enclave agent may not use the primary agent's session").isEqualTo(404);
    assertThat(primary.call("tools/list", null).path("result").path("tools").size()).isPositive();
  }

  @Test
  void appliesTheSessionTimeoutAndPrintsThePrimaryAgentsIdForClients() throws Exception {
    start();

    assertThat(running.gateway.config().sessionTimeout()).contains(Duration.ofHours(4));
    JsonNode clientConfig = McpHttp.JSON.readTree(running.clientConfig());
    assertThat(clientConfig.path("mcpServers").path("demo").path("headers").path("Authorization").asText()).isEqualTo(PRIMARY);
    assertThat(running.gateway.config().ignoredSettings()).containsExactly("$.gateway.trustedBots");
  }

  private static String text(JsonNode response) {
    return response.path("result").path("content").path(0).path("text").asText();
  }
}
