package dev.mcpgateway.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.EventCollector;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend that says its environment secret through every channel it has, behind a gateway
 * with the default chain and behind one with no interceptors at all, in a JVM of its own so
 * that every byte logged can be read: {@link BackendSecretLeakTest} starts it. Arguments: the
 * payload directory. Environment: {@code LEAK_SECRET}, passed through to the backend. Prints
 * every message the client received, one line per channel ({@code CLIENT <chain> <channel>: ...}).
 */
public final class BackendLeakScenario {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private BackendLeakScenario() {}

  public static void main(String[] args) throws Exception {
    Path payloads = Path.of(args[0]);
    for (String chain : List.of("default", "none")) {
      List<String> command = StdioTestServer.commandLine();
      GatewayConfig config = GatewayConfig.builder().toolTimeout(WAIT).payloadDir(payloads.resolve(chain))
          .payloadSizeThreshold(64 * 1024)
          .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).passEnv("LEAK_SECRET")
              .build("leaky"))
          .build();
      McpGateway.Builder builder = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
          .payloadPreviewBytes(200);
      if (chain.equals("none")) {
        builder.interceptors(List.of()); // no redaction interceptor: environment secrets are redacted all the same
      }
      try (McpGateway gateway = builder.build()) {
        TestClient client = new TestClient(gateway, "leaky", null);
        print(chain, "initialize", client.initialize().toString());
        for (String via : List.of("message", "progress", "sample", "elicit", "error", "result", "big", "stderr", "stderrbig")) {
          List<String> seen = call(client, via);
          print(chain, via, String.join(" ", seen));
          if (via.equals("big")) {
            // the gateway deletes payloads with their session: keep a copy for the test to read
            JsonNode summary = TestClient.parse(seen.get(seen.size() - 1)).path("result").path("_meta").path("dev.mcpgateway/payload");
            Files.copy(Path.of(summary.path("payloadPath").asText()), payloads.resolve(chain + "-payload.json"));
          }
        }
        for (String via : List.of("sample", "elicit")) {
          print(chain, "stateless-" + via, String.join(" ", statelessCall(gateway, via)));
        }
      }
    }
    System.out.println("SCENARIO DONE");
  }

  /** Calls {@code leak} through {@code via}; every message of the answer, the backend's requests answered on the way. */
  private static List<String> call(TestClient client, String via) {
    String meta = via.equals("progress") ? ",\"_meta\":{\"progressToken\":\"p-1\"}" : "";
    GatewayResponse response = client.post("{\"jsonrpc\":\"2.0\",\"id\":\"" + via + "\",\"method\":\"tools/call\",\"params\":{"
        + "\"name\":\"leak\",\"arguments\":{\"via\":\"" + via + "\"}" + meta + "}}");
    List<String> seen = new ArrayList<>();
    if (response.stream().isEmpty()) {
      seen.add(response.bodyText());
      return seen;
    }
    EventCollector events = EventCollector.open(response.stream().get());
    while (true) {
      String data = events.nextData(WAIT).data();
      seen.add(data);
      JsonNode message = TestClient.parse(data);
      if (message.has("method") && message.has("id")) {
        String answer = message.path("method").asText().startsWith("sampling")
            ? "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"ok\"},\"model\":\"m\"}"
            : "{\"action\":\"decline\"}";
        client.post("{\"jsonrpc\":\"2.0\",\"id\":" + message.get("id") + ",\"result\":" + answer + "}");
      } else if (!message.has("method")) {
        return seen; // the answer
      }
    }
  }

  /**
   * Calls {@code leak} through {@code via} as a client of protocol revision 2026-07-28: the input
   * request (the backend's sampling or elicitation request), then the answer of the retry.
   */
  private static List<String> statelessCall(McpGateway gateway, String via) {
    String params = "\"name\":\"leak\",\"arguments\":{\"via\":\"" + via + "\"}";
    List<String> seen = new ArrayList<>();
    String first = TestClient.bodyOf(statelessPost(gateway, params));
    seen.add(first);
    JsonNode result = TestClient.parse(first).path("result");
    if (!result.path("inputRequests").isObject()) {
      return seen;
    }
    String key = result.path("inputRequests").fieldNames().next();
    String answer = via.equals("sample")
        ? "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"ok\"},\"model\":\"m\"}"
        : "{\"action\":\"decline\"}";
    seen.add(TestClient.bodyOf(statelessPost(gateway, params + ",\"requestState\":\"" + result.path("requestState").asText()
        + "\",\"inputResponses\":{\"" + key + "\":" + answer + "}")));
    return seen;
  }

  private static GatewayResponse statelessPost(McpGateway gateway, String params) {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{" + params + ",\"_meta\":{"
        + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
        + "\"io.modelcontextprotocol/clientCapabilities\":{\"sampling\":{},\"elicitation\":{}}}}}";
    return dev.mcpgateway.await.Await.result(gateway.handle(dev.mcpgateway.GatewayRequest.post("/mcp/leaky")
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "leak")
        .remoteAddress("127.0.0.1:40000").body(body).build()));
  }

  private static void print(String chain, String via, String what) {
    System.out.println("CLIENT " + chain + " " + via + ": " + what);
  }
}
