package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.RateLimit;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import dev.mcpgateway.policy.McpResult;
import dev.mcpgateway.policy.Policies;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's policies on protocol revision 2026-07-28 as on the session-based revisions: the
 * tool allowlist, the interceptor chain on every round of a multi-round call (each request and
 * each answer, input requests and input responses included), large results offloaded, and the
 * rate limit per HTTP request.
 */
class StatelessPoliciesTest {
  @TempDir
  Path payloads;

  private McpGateway gateway;
  private final List<String> seen = new CopyOnWriteArrayList<>();

  /** Records what the chain sees: each request with its params' keys, each answer with its result type. */
  private final Interceptor recorder = new Interceptor() {
    @Override
    public Verdict onRequest(McpCall call) {
      seen.add("request " + call.method() + " " + call.requestId().orElse("?") + " " + new java.util.TreeSet<>(call.params().keySet()));
      return Verdict.pass();
    }

    @Override
    public Verdict onResponse(McpCall call, McpResult result) {
      seen.add("answer " + call.requestId().orElse("?") + " " + result.result().map(r -> String.valueOf(r.get("resultType"))).orElse("error"));
      return Verdict.pass();
    }
  };

  private McpGateway start(RateLimit limit) {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig.Builder config = GatewayConfig.builder().payloadDir(payloads).payloadSizeThreshold(16 * 1024)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size()))
            .tools(List.of("echo", "sample", "big", "cancellations")).build("test"));
    if (limit != null) {
      config.rateLimit(limit);
    }
    GatewayConfig built = config.build();
    List<Interceptor> chain = new ArrayList<>(Policies.defaults(built));
    chain.add(0, recorder);
    gateway = McpGateway.builder(built).launcher(BackendKind.COMMAND, BackendLauncher.process()).interceptors(chain).build();
    return gateway;
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private long nextId;

  private GatewayResponse post(String params, String capabilities, String name) {
    long id = ++nextId;
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{" + params + ",\"_meta\":{"
        + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":"
        + capabilities + "}}}";
    return Await.result(gateway.handle(GatewayRequest.post("/mcp/test").header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", "tools/call").header("Mcp-Name", name).remoteAddress("127.0.0.1:40000").body(body).build()));
  }

  @Test
  void aToolOutsideTheAllowlistIsDenied() {
    start(null);
    JsonNode denied = TestClient.parse(TestClient.bodyOf(post("\"name\":\"pid\",\"arguments\":{}", "{}", "pid")));
    assertThat(denied.path("error").path("message").asText()).contains("'pid'", "not allowed");
  }

  @Test
  void everyRoundOfAMultiRoundCallPassesTheChain() {
    start(null);
    JsonNode first = TestClient.parse(TestClient.bodyOf(post("\"name\":\"sample\",\"arguments\":{}", "{\"sampling\":{}}", "sample")))
        .path("result");
    String key = first.path("inputRequests").fieldNames().next();
    JsonNode done = TestClient.parse(TestClient.bodyOf(post("\"name\":\"sample\",\"arguments\":{},\"requestState\":\""
        + first.path("requestState").asText() + "\",\"inputResponses\":{\"" + key
        + "\":{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"fine\"},\"model\":\"m\"}}", "{\"sampling\":{}}", "sample")));
    assertThat(done.path("result").path("content").path(0).path("text").asText()).isEqualTo("fine");

    assertThat(seen).containsExactly(
        "request tools/call 1 [arguments, name]",
        "answer 1 input_required",
        "request tools/call 2 [arguments, inputResponses, name]",
        "answer 2 null");
  }

  @Test
  void aLargeResultIsOffloadedAsForAnyClient() {
    start(null);
    JsonNode result = TestClient.parse(TestClient.bodyOf(post("\"name\":\"big\",\"arguments\":{\"chars\":200000}", "{}", "big")))
        .path("result");
    assertThat(result.path("_meta").has("dev.mcpgateway/payload")).isTrue();
    assertThat(result.path("resultType").asText()).isEqualTo("complete");
  }

  @Test
  void eachRequestTakesATokenOfTheRateLimit() {
    start(RateLimit.perSecond(0.001)); // one token, then nothing for a long while
    assertThat(post("\"name\":\"echo\",\"arguments\":{\"message\":\"a\"}", "{}", "echo").status()).isEqualTo(200);
    GatewayResponse limited = post("\"name\":\"echo\",\"arguments\":{\"message\":\"b\"}", "{}", "echo");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.headers()).containsKey("Retry-After");
  }
}
