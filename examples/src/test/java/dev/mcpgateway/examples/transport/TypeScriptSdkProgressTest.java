package dev.mcpgateway.examples.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript SDK client ({@code clients/call-with-progress.mjs}) calls server-everything's
 * long-running tool through the gateway and receives every progress notification, with its own
 * progress token, while the call runs.
 */
class TypeScriptSdkProgressTest {
  private LoopbackGateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void typeScriptClientReceivesEveryProgressNotificationOfALongRunningToolThroughTheGateway() throws Exception {
    NodeTools.assumeNode();
    gateway = LoopbackGateway.start(GatewayConfig.builder()
        .server(NodeTools.serverEverything().serverConfig().build("everything"))
        .build());

    List<JsonNode> lines;
    int exit;
    try (NodeProcess client = NodeTools.sdkClient("call-with-progress.mjs", gateway.url("everything"), null,
        "--duration", "2", "--steps", "5").start()) {
      exit = client.awaitExit(Duration.ofSeconds(60));
      lines = client.stdoutLines().stream().map(StreamableHttpProbe::parse).toList();
      assertThat(exit).as("exit code; stdout %s; stderr %s", lines, client.stderr()).isZero();
    }

    assertThat(lines).extracting(l -> l.path("step").asText())
        .containsExactly("connected", "progress", "progress", "progress", "progress", "progress", "result");
    assertThat(lines.subList(1, 6)).extracting(l -> l.path("progress").asInt()).containsExactly(1, 2, 3, 4, 5);
    assertThat(lines.subList(1, 6)).extracting(l -> l.path("total").asInt()).containsOnly(5);
    JsonNode result = lines.get(6);
    assertThat(result.path("progressCount").asInt()).isEqualTo(5);
    assertThat(result.path("result").path("content").path(0).path("text").asText())
        .isEqualTo("Long running operation completed. Duration: 2 seconds, Steps: 5.");
  }
}
