package dev.mcpgateway.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ConfigLoader;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs an authenticated gateway end to end, with every kind of good and bad request, and
 * proves that no log line and no path under the payload directory holds the key or any
 * 8-character piece of it.
 */
class KeyLeakTest {
  @TempDir
  Path payloadDir;

  private static String randomKey() {
    byte[] bytes = new byte[36];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Test
  void logsNeitherTheKeyNorAnyPieceOfItDuringAnAuthenticatedRun() throws IOException {
    String key = randomKey();
    String rotatedKey = randomKey();
    LogCapture log = LogCapture.start();

    // The key arrives as the seed has it: ${VAR} in the config, expanded from the environment.
    List<String> command = StdioTestServer.commandLine();
    String json = "{\"gateway\":{\"apiKey\":\"${GATEWAY_KEY}\",\"payloadDir\":\"" + payloadDir + "\",\"payloadSizeThreshold\":1024},"
        + "\"mcpServers\":{\"demo\":{\"type\":\"stdio\",\"command\":\"" + command.get(0) + "\",\"args\":"
        + new ObjectMapper().writeValueAsString(command.subList(1, command.size())) + "}}}";
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("GATEWAY_KEY", key)).parse(json);
    Authenticator auth = ApiKeyAuthenticator.fromConfig(config, name -> null);
    try (McpGateway gateway = McpGateway.builder(config)
        .authenticator(auth)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build()) {
      TestClient client = new TestClient(gateway, "demo", key);
      client.initialize();
      client.request("tools/list", null);
      assertThat(client.callTool("echo", "{\"message\":\"hello\"}")).isEqualTo("hello");
      // A large result is offloaded to the payload directory, under the session key.
      client.callTool("echo", "{\"message\":\"" + "x".repeat(8_000) + "\"}");
      try (Stream<Path> files = Files.walk(payloadDir)) {
        assertThat(files.filter(Files::isRegularFile).count()).as("payloads offloaded").isPositive();
      }
      assertNoPathHoldsAPieceOf(key, payloadDir);
      client.callTool("stderr", "{\"line\":\"a line on stderr\"}");
      for (String wrong : new String[] {key + " ", " " + key, "Bearer " + key, key.toUpperCase(), key + "\n",
          key.substring(0, 20), key + "\tx", "wrong"}) {
        GatewayResponse denied = new TestClient(gateway, "demo", wrong).post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        assertThat(denied.status()).isIn(400, 401, 429);
        LeakCheck.assertNoPieceOf(key, denied.bodyText());
      }
      ((ApiKeyAuthenticator) auth).addKey("rotated", rotatedKey);
      ((ApiKeyAuthenticator) auth).revokeKey(ApiKeyAuthenticator.CONFIGURED_KEY_NAME);
      new TestClient(gateway, "demo", rotatedKey).initialize();
    }

    String logged = log.text();
    assertThat(logged).contains("Authentication failed: invalid API key, remote=127.0.0.1:40000, path=/mcp/demo");
    assertThat(logged).contains("Authenticated key 'default'");
    LeakCheck.assertNoPieceOf(key, logged);
    LeakCheck.assertNoPieceOf(rotatedKey, logged);
    assertNoPathHoldsAPieceOf(key, config.payloadDir());
    assertNoPathHoldsAPieceOf(rotatedKey, config.payloadDir());
  }

  private static void assertNoPathHoldsAPieceOf(String key, Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.forEach(path -> LeakCheck.assertNoPieceOf(key, dir.relativize(path).toString()));
    }
  }
}
