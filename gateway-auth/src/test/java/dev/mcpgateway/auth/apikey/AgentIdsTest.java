package dev.mcpgateway.auth.apikey;

import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ConfigLoader;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The agent ids of the MCP gateway specification 1.17 ({@code gateway.agentId},
 * {@code gateway.agentIds}): API keys of their own, one identity per agent.
 */
class AgentIdsTest {
  private static final Function<String, String> NO_ENV = name -> null;
  private static final String PRIMARY = "primary-agent-4f1c9a7e2b6d8035";
  private static final String ENCLAVE = "enclave-agent-93d0b5a17c2e64f8";

  private static GatewayConfig parse(String gateway) {
    return ConfigLoader.withEnvironment(Map.of()).parse("{\"gateway\":{" + gateway + "},\"mcpServers\":{}}");
  }

  @Test
  void authenticatesEachAgentAsAnIdentityOfItsOwn() {
    GatewayConfig config = parse("\"agentIds\":[\"" + PRIMARY + "\",\"" + ENCLAVE + "\"]");

    Authenticator auth = ApiKeyAuthenticator.fromConfig(config, NO_ENV);

    Identity primary = auth.authenticate(request(PRIMARY)).identity().orElseThrow();
    Identity enclave = auth.authenticate(request(ENCLAVE)).identity().orElseThrow();
    assertThat(primary.name()).isEqualTo("agent-1");
    assertThat(enclave.name()).isEqualTo("agent-2");
    assertThat(primary.sessionKey()).isNotEqualTo(enclave.sessionKey()).doesNotContain(PRIMARY);
    assertThat(primary.admin()).isFalse();
    assertThat(auth.isOpen()).isFalse();
  }

  @Test
  void refusesEveryOtherValue() {
    GatewayConfig config = parse("\"agentIds\":[\"" + PRIMARY + "\",\"" + ENCLAVE + "\"]");
    Authenticator auth = ApiKeyAuthenticator.fromConfig(config, NO_ENV);

    for (String wrong : new String[] {"other-agent", PRIMARY.toUpperCase(), PRIMARY + ENCLAVE, PRIMARY.substring(1)}) {
      AuthResult result = auth.authenticate(request(wrong));
      assertThat(result.isSuccess()).as(wrong).isFalse();
      assertThat(result.status()).isEqualTo(401);
    }
    assertThat(auth.authenticate(request(null)).status()).isEqualTo(401);
  }

  @Test
  void readsOneAgentIdAsOneKey() {
    GatewayConfig config = parse("\"agentId\":\"" + PRIMARY + "\"");

    Authenticator auth = ApiKeyAuthenticator.fromConfig(config, name -> "ignored-environment-key-0123456789");

    assertThat(auth.authenticate(request(PRIMARY)).identity().map(Identity::name)).contains("agent-1");
    assertThat(auth.authenticate(request("ignored-environment-key-0123456789")).isSuccess()).isFalse();
    assertThat(ApiKeyAuthenticator.configuredKey(config, NO_ENV)).contains(PRIMARY);
  }

  @Test
  void namesTheConfiguredKeysInOrder() {
    GatewayConfig config = parse("\"agentIds\":[\"" + PRIMARY + "\",\"" + ENCLAVE + "\"],\"adminKey\":\"admin-key-7d2f0c9e4a1b6358\"");

    assertThat(ApiKeyAuthenticator.configuredKeys(config, NO_ENV))
        .containsExactly(Map.entry("agent-1", PRIMARY), Map.entry("agent-2", ENCLAVE));
    assertThat(ApiKeyAuthenticator.configuredKey(config, NO_ENV)).as("the primary agent's").contains(PRIMARY);
    Authenticator auth = ApiKeyAuthenticator.fromConfig(config, NO_ENV);
    assertThat(auth.authenticate(request("admin-key-7d2f0c9e4a1b6358")).identity().orElseThrow().admin()).isTrue();
  }

  @Test
  void keepsTheAgentsSessionsApartInTheGateway() throws Exception {
    GatewayConfig config = withDemoServer("\"agentIds\":[\"" + PRIMARY + "\",\"" + ENCLAVE + "\"]", Map.of());
    try (McpGateway gateway = McpGateway.builder(config)
        .authenticator(ApiKeyAuthenticator.fromConfig(config, NO_ENV))
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build()) {
      TestClient primary = new TestClient(gateway, "demo", PRIMARY);
      TestClient enclave = new TestClient(gateway, "demo", ENCLAVE);
      primary.initialize();
      enclave.initialize();

      assertThat(primary.callTool("echo", "{\"message\":\"from primary\"}")).isEqualTo("from primary");
      assertThat(enclave.callTool("echo", "{\"message\":\"from enclave\"}")).isEqualTo("from enclave");
      GatewayResponse borrowed = new TestClient(gateway, "demo", ENCLAVE).withSession(primary.sessionId())
          .post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\"}");
      assertThat(borrowed.status()).as("the enclave agent cannot use the primary agent's session").isEqualTo(404);
      GatewayResponse stranger = new TestClient(gateway, "demo", "not-an-agent-id-at-all")
          .post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\"}");
      assertThat(stranger.status()).isEqualTo(401);
    }
  }

  @Test
  void warnsOnceAboutWhatItDoesNotActOnAndNeverLogsAnAgentId() throws Exception {
    String primary = randomId();
    String enclave = randomId();
    LogCapture log = LogCapture.start();

    GatewayConfig config = withDemoServer("\"agentIds\":[\"${PRIMARY_ID}\",\"${ENCLAVE_ID}\"],\"sessionTimeout\":\"6h\","
        + "\"trustedBots\":[\"github-actions[bot]\"],\"keepaliveInterval\":-1,\"forcePublicRepos\":true,"
        + "\"opentelemetry\":{\"endpoint\":\"http://127.0.0.1:4318/v1/traces\"}",
        Map.of("PRIMARY_ID", primary, "ENCLAVE_ID", enclave));
    try (McpGateway gateway = McpGateway.builder(config)
        .authenticator(ApiKeyAuthenticator.fromConfig(config, NO_ENV))
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build()) {
      new TestClient(gateway, "demo", primary).initialize();
      new TestClient(gateway, "demo", enclave).initialize();
      new TestClient(gateway, "demo", primary.substring(0, 20)).post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
    }

    List<String> warnings = log.lines().stream()
        .filter(line -> line.contains("WARN") && line.contains("does not act on")).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).contains("$.gateway.trustedBots, $.gateway.keepaliveInterval, $.gateway.forcePublicRepos, "
        + "$.gateway.opentelemetry");
    String logged = log.text();
    assertThat(logged).contains("Authenticated key 'agent-1'").contains("Authenticated key 'agent-2'");
    LeakCheck.assertNoPieceOf(primary, logged);
    LeakCheck.assertNoPieceOf(enclave, logged);
  }

  private static GatewayConfig withDemoServer(String gateway, Map<String, String> env) throws Exception {
    List<String> command = StdioTestServer.commandLine();
    String json = "{\"gateway\":{" + gateway + "},\"mcpServers\":{\"demo\":{\"type\":\"stdio\",\"command\":\""
        + command.get(0) + "\",\"args\":" + new ObjectMapper().writeValueAsString(command.subList(1, command.size())) + "}}}";
    return ConfigLoader.withEnvironment(env).parse(json);
  }

  private static String randomId() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
