package dev.mcpgateway.policy;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A gateway run that handles known secrets, in a JVM of its own so that every byte it logs can
 * be read: {@link SecretLeakTest} starts it. Arguments: the audit file. Environment:
 * {@code LEAK_ENV_SECRET} (passed through to the backend) and {@code LEAK_TOKEN} (sent in
 * arguments). Prints what the client received.
 */
public final class LeakScenario {
  private LeakScenario() {}

  public static void main(String[] args) throws Exception {
    String token = System.getenv("LEAK_TOKEN");
    GatewayConfig config = GatewayConfig.builder().toolTimeout(Duration.ofSeconds(20)).auditFile(Path.of(args[0]))
        .server(NodeTools.serverEverything().serverConfig().passEnv("LEAK_ENV_SECRET")
            .tools(List.of("echo", "get-env")).build("everything"))
        .build();
    try (McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process()).build()) {
      TestClient client = new TestClient(gateway, "everything", null);
      client.initialize();
      System.out.println("CLIENT echo: " + client.request("tools/call",
          "{\"name\":\"echo\",\"arguments\":{\"message\":\"token " + token + "\"}}"));
      System.out.println("CLIENT get-env: " + client.request("tools/call", "{\"name\":\"get-env\",\"arguments\":{}}"));
      System.out.println("CLIENT denied: " + client.request("tools/call",
          "{\"name\":\"get-sum\",\"arguments\":{\"a\":1,\"b\":2,\"note\":\"" + token + "\"}}"));
      System.out.println("CLIENT bad arguments: " + client.request("tools/call",
          "{\"name\":\"echo\",\"arguments\":{\"message\":42,\"token\":\"" + token + "\"}}"));
    }
    System.out.println("SCENARIO DONE");
  }
}
