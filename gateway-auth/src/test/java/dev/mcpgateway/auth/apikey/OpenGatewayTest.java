package dev.mcpgateway.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.testsupport.TestClient;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The gateway with no key configured, and with an authenticator of its own. */
class OpenGatewayTest {

  @Test
  void warnsAtStartThatAGatewayWithoutAKeyIsOpenToAnyone() {
    LogCapture log = LogCapture.start();
    Authenticator auth = ApiKeyAuthenticator.fromConfig(ApiKeyGatewayTest.config(), name -> null);

    try (McpGateway gateway = ApiKeyGatewayTest.gateway(ApiKeyGatewayTest.config(), auth)) {
      TestClient client = new TestClient(gateway, "demo", null);
      client.initialize();
      assertThat(client.callTool("echo", "{\"message\":\"open\"}")).isEqualTo("open");
    }

    assertThat(log.lines()).anySatisfy(line -> assertThat(line)
        .contains("WARN").contains("open to anyone").contains("development only"));
  }

  @Test
  void runsWithTheEnvironmentsKeyWhenTheConfigHasNone() {
    String key = ApiKeyAuthenticatorTest.KEY;
    Authenticator auth = ApiKeyAuthenticator.fromConfig(ApiKeyGatewayTest.config(), Map.of("MCP_GATEWAY_API_KEY", key)::get);

    try (McpGateway gateway = ApiKeyGatewayTest.gateway(ApiKeyGatewayTest.config(), auth)) {
      new TestClient(gateway, "demo", key).initialize();
      assertThat(new TestClient(gateway, "demo", null).post("{}").status()).isEqualTo(401);
    }
  }

  @Test
  void servesACustomAuthenticatorThatMapsTokensToIdentities() {
    Authenticator tokens = TokenMapAuthenticatorTest.tokenMap(Map.of(
        "token-alice", Identity.of("alice", "token-alice"),
        "token-bob", Identity.of("bob", "token-bob"),
        "token-bot", Identity.of("bot", "token-bot").withAllowedServers(Set.of("other"))));

    try (McpGateway gateway = ApiKeyGatewayTest.gateway(ApiKeyGatewayTest.config(), tokens)) {
      TestClient alice = new TestClient(gateway, "demo", "Bearer token-alice");
      TestClient bob = new TestClient(gateway, "demo", "Bearer token-bob");
      alice.initialize();
      bob.initialize();

      // Different identities never share a backend.
      assertThat(alice.callTool("pid", "{}")).isNotEqualTo(bob.callTool("pid", "{}"));
      assertThat(new TestClient(gateway, "demo", "Bearer token-bot").post("{}").status()).isEqualTo(403);
      assertThat(new TestClient(gateway, "demo", "Bearer nope").post("{}").bodyText())
          .isEqualTo("{\"error\":\"authentication failed: unknown token\"}");
    }
  }
}
