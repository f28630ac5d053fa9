package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a stdio backend reads for a client's request: the client's own bytes with the
 * backend-side id in place of the client's, when nothing changed the request; the gateway's
 * tree otherwise, so that the backend never reads what the policies did not see.
 */
class RequestBytesTest {
  private McpGateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private TestClient start(boolean withPolicies) {
    List<String> command = StdioTestServer.commandLine();
    ServerConfig.Builder server = ServerConfig.command(command.get(0)).args(command.subList(1, command.size()));
    if (withPolicies) {
      server.tools(List.of("line")); // the default policies: audit, this allowlist, dangerous tools, redaction
    }
    GatewayConfig config = GatewayConfig.builder().server(server.build("test")).build();
    McpGateway.Builder builder = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process());
    if (!withPolicies) {
      builder.interceptors(List.of());
    }
    gateway = builder.build();
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();
    return client;
  }

  /** The line the backend read for {@code body}, and the id the client got its answer with. */
  private static String lineFor(TestClient client, String body, String clientId) {
    JsonNode answer = TestClient.parse(TestClient.bodyOf(client.post(body)));
    assertThat(answer.get("id").toString()).isEqualTo(clientId);
    return answer.path("result").path("content").path(0).path("text").asText();
  }

  @ParameterizedTest(name = "with policies: {0}")
  @ValueSource(booleans = {false, true})
  void anUnchangedRequestReachesTheBackendAsTheClientWroteItButForTheId(boolean withPolicies) {
    TestClient client = start(withPolicies);
    String head = "{\"jsonrpc\":\"2.0\", \"id\" : ";
    String tail = ",\"method\":\"tools/call\",\"params\":{\"name\":\"line\",\"arguments\":{\"text\":\"\\u00e9 é \\/\",\"n\":1.50e1}}}";

    String line = lineFor(client, head + "\"c-1\"" + tail, "\"c-1\"");

    assertThat(line).matches(java.util.regex.Pattern.quote(head) + "[0-9]+" + java.util.regex.Pattern.quote(tail));
  }

  @ParameterizedTest(name = "with policies: {0}")
  @ValueSource(booleans = {false, true})
  void aRequestWithANameTwiceReachesTheBackendAsTheGatewayReadIt(boolean withPolicies) {
    TestClient client = start(withPolicies);

    String line = lineFor(client, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"line\","
        + "\"arguments\":{\"path\":\"/etc/shadow\",\"path\":\"/tmp/ok\"}}}", "5");

    assertThat(line).contains("\"arguments\":{\"path\":\"/tmp/ok\"}").doesNotContain("shadow");
    // a tool name twice: the allowlist judged the last one, the backend runs the last one
    String again = lineFor(client, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"pid\","
        + "\"name\":\"line\"}}", "6");
    assertThat(again).contains("\"name\":\"line\"").doesNotContain("pid");
  }

  @ParameterizedTest(name = "with policies: {0}")
  @ValueSource(booleans = {false, true})
  void aRequestWithAProgressTokenCarriesTheBackendSideToken(boolean withPolicies) {
    TestClient client = start(withPolicies);

    String line = lineFor(client, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"line\","
        + "\"_meta\":{\"progressToken\":\"client-token\"}}}", "7");

    JsonNode read = TestClient.parse(line);
    assertThat(read.path("params").path("_meta").path("progressToken")).isEqualTo(read.get("id"));
    assertThat(line).doesNotContain("client-token");
  }

  @org.junit.jupiter.api.Test
  void aRequestAnInterceptorChangedReachesTheBackendChanged() {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test")).build();
    dev.mcpgateway.policy.Interceptor adds = new dev.mcpgateway.policy.Interceptor() {
      @Override
      public Verdict onRequest(dev.mcpgateway.policy.McpCall call) {
        call.arguments().put("added", "by-policy");
        return Verdict.pass();
      }
    };
    gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process()).interceptors(List.of(adds)).build();
    TestClient client = new TestClient(gateway, "test", "k");
    client.initialize();

    String line = lineFor(client, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"line\","
        + "\"arguments\":{\"text\":\"x\"}}}", "8");

    assertThat(TestClient.parse(line).path("params").path("arguments").path("added").asText()).isEqualTo("by-policy");
  }
}
