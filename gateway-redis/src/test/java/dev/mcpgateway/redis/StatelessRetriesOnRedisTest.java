package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ClusterConfig;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one real Redis, whose bus carries a stateless client's retries to the replica
 * that holds the parked call, and the answers back: rounds that land on either replica go on, and
 * the last one's stream (progress, then the result) reaches the client through the other replica.
 */
class StatelessRetriesOnRedisTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final TestClusters clusters = new TestClusters(RedisServer.shared());
  private final List<McpGateway> gateways = new ArrayList<>();
  private long nextId = 10;

  @AfterEach
  void close() {
    gateways.forEach(McpGateway::close);
    clusters.close();
  }

  private McpGateway replica(String prefix) {
    RedisCluster cluster = clusters.cluster(prefix);
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .cluster(ClusterConfig.of(RedisServer.shared().uri().toString(), new String(TestClusters.SECRET, StandardCharsets.UTF_8)))
        .build();
    McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .clusterBus(cluster.bus()).build();
    gateways.add(gateway);
    return gateway;
  }

  private GatewayResponse call(McpGateway gateway, String params, String meta) {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + (++nextId) + ",\"method\":\"tools/call\",\"params\":{" + params
        + "\"name\":\"welcome\",\"arguments\":{},\"_meta\":{" + meta + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
        + "\"io.modelcontextprotocol/clientCapabilities\":{\"sampling\":{},\"elicitation\":{}}}}}";
    return Await.result(gateway.handle(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", "tools/call").header("Mcp-Name", "welcome").remoteAddress("127.0.0.1:40000").body(body).build()));
  }

  private static String retry(JsonNode asked, String answer) {
    JsonNode result = asked.path("result");
    return "\"requestState\":" + result.get("requestState") + ",\"inputResponses\":{\"" + result.path("inputRequests").fieldNames().next()
        + "\":" + answer + "},";
  }

  @Test
  void roundsOfOneCallGoOnThroughEitherReplica() {
    String prefix = TestClusters.newPrefix();
    McpGateway a = replica(prefix);
    McpGateway b = replica(prefix);

    JsonNode first = TestClient.parse(TestClient.bodyOf(call(a, "", "\"progressToken\":1,")));
    assertThat(first.path("result").path("resultType").asText()).as(first.toString()).isEqualTo("input_required");
    JsonNode named = TestClient.parse(TestClient.bodyOf(call(b,
        retry(first, "{\"action\":\"accept\",\"content\":{\"name\":\"Redis\"}}"), "")));
    assertThat(named.path("result").path("resultType").asText()).as(named.toString()).isEqualTo("input_required");

    GatewayResponse last = call(b,
        retry(named, "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"hello\"},\"model\":\"m\"}"),
        "\"progressToken\":\"p-redis\",");

    List<String> events = TestClient.readEvents(last.stream().orElseThrow(), WAIT);
    assertThat(TestClient.parse(events.get(0)).path("params").path("progressToken").asText()).isEqualTo("p-redis");
    JsonNode result = TestClient.parse(events.get(events.size() - 1));
    assertThat(result.path("id").asLong()).isEqualTo(nextId);
    assertThat(result.path("result").path("content").path(0).path("text").asText()).isEqualTo("Redis: hello");
  }
}
