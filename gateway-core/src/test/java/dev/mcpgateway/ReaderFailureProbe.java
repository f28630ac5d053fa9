package dev.mcpgateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.List;

/**
 * Runs a gateway in a JVM of its own with a heap too small for what its backend sends (a
 * notification of {@code BYTES}, gathered before it is routed), for {@link ThreadFailuresTest}:
 * prints how long the call in flight took to fail, its error, and whether the next call on the
 * same session is answered.
 *
 * <pre>java -Xmx48m -cp TEST_CLASS_PATH dev.mcpgateway.ReaderFailureProbe BYTES</pre>
 */
public final class ReaderFailureProbe {
  private ReaderFailureProbe() {}

  public static void main(String[] args) throws Exception {
    int bytes = Integer.parseInt(args[0]);
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder().toolTimeout(Duration.ofSeconds(600))
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test")).build();
    try (McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .interceptors(List.of()).build()) {
      TestClient client = new TestClient(gateway, "test", "k");
      client.initialize();
      long started = System.nanoTime();
      JsonNode failed = TestClient.parse(client.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
          + "\"name\":\"flood\",\"arguments\":{\"count\":1,\"bytes\":" + bytes + "}}}").bodyText());
      System.out.println("failedAfterMs " + (System.nanoTime() - started) / 1_000_000);
      System.out.println("error " + failed.path("error").path("message").asText("(none)"));
      String next = client.callTool("echo", "{\"message\":\"still here\"}");
      System.out.println("next " + next);
    }
  }
}
