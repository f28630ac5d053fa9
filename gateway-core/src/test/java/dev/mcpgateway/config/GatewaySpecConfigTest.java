package dev.mcpgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The configuration of the MCP gateway specification (gh-aw), version 1.17: what is read, acted on, ignored, refused. */
class GatewaySpecConfigTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";
  private static final Map<String, String> ENV = Map.of(
      "MCP_GATEWAY_AGENT_ID", "agent-id-from-the-environment",
      "GITHUB_TOKEN", "t", "MY_API_KEY", "k", "API_TOKEN", "a",
      "PARENT_TRACE_ID", TRACE_ID, "PARENT_SPAN_ID", SPAN_ID, "MCP_GATEWAY_PORT", "8123");
  private final ConfigLoader loader = ConfigLoader.withEnvironment(ENV);

  /** A configuration using every field the specification defines, in its shape. */
  static final String FULL = """
      {
        "mcpServers": {
          "github": {
            "container": "ghcr.io/github/github-mcp-server:v1.2.3",
            "type": "stdio",
            "entrypoint": "/server/entrypoint.sh",
            "entrypointArgs": ["stdio"],
            "mounts": ["/srv/data:/data:ro", "/srv/out:/out:rw"],
            "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}" },
            "tools": ["*"],
            "registry": "https://api.mcp.github.com/v0/servers/github/github-mcp-server",
            "guard-policies": {
              "allow-only": {
                "repos": "all",
                "min-integrity": "approved",
                "blocked-users": ["mallory"],
                "trusted-users": "alice,bob",
                "approval-labels": ["human-reviewed"],
                "refusal-labels": ["do-not-automate"]
              }
            }
          },
          "safe-outputs": {
            "container": "ghcr.io/github/safe-outputs:v1.0.0",
            "guard-policies": { "write-sink": { "accept": ["*"], "sink-visibility": "public" } }
          },
          "remote": {
            "type": "http",
            "url": "https://my-server.example.com/mcp",
            "headers": { "X-Custom-Header": "custom-value", "Authorization": "Bearer ${API_TOKEN}" },
            "tools": ["search", "fetch"],
            "auth": { "type": "github-oidc", "audience": "https://my-server.example.com" }
          },
          "scripts": {
            "type": "safeinputs",
            "tools": { "greet": { "description": "Greet user", "script": "return { message: 'Hello!' };" } }
          }
        },
        "gateway": {
          "port": 8080,
          "domain": "localhost",
          "agentIds": ["primary-agent", "enclave-agent"],
          "startupTimeout": 30,
          "toolTimeout": 60,
          "payloadDir": "/tmp/gateway-payloads",
          "payloadPathPrefix": "/workspace/payloads",
          "payloadSizeThreshold": 524288,
          "trustedBots": ["github-actions[bot]", "copilot-swe-agent[bot]"],
          "keepaliveInterval": 300,
          "sessionTimeout": "4h",
          "opentelemetry": {
            "endpoint": "http://127.0.0.1:4318/v1/traces",
            "traceId": "${PARENT_TRACE_ID}",
            "spanId": "${PARENT_SPAN_ID}",
            "serviceName": "my-workflow-gateway"
          },
          "forcePublicRepos": false,
          "sinkVisibilityExemptServers": ["github"]
        },
        "customSchemas": {
          "safeinputs": "https://docs.github.com/gh-aw/schemas/mcp-scripts-config.schema.json"
        }
      }
      """;

  @Test
  void loadsAFullConfigurationOfVersion117() {
    GatewayConfig config = loader.parse(FULL);

    assertThat(config.agentIds()).containsExactly("primary-agent", "enclave-agent");
    assertThat(config.apiKey()).isEmpty();
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.domain()).contains("localhost");
    assertThat(config.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.toolTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.sessionTimeout()).contains(Duration.ofHours(4));
    assertThat(config.payloadPathPrefix()).contains("/workspace/payloads");
    assertThat(config.servers().keySet()).containsExactly("github", "safe-outputs", "remote");
    ServerConfig github = config.servers().get("github");
    assertThat(github.registry()).contains("https://api.mcp.github.com/v0/servers/github/github-mcp-server");
    assertThat(github.mounts()).containsExactly("/srv/data:/data:ro", "/srv/out:/out:rw");
    assertThat(github.entrypoint()).contains("/server/entrypoint.sh");
    assertThat(config.servers().get("remote").headers()).containsEntry("Authorization", "Bearer a");
    assertThat(config.ignoredSettings()).containsExactly(
        "$.customSchemas",
        "$.gateway.trustedBots",
        "$.gateway.keepaliveInterval",
        "$.gateway.forcePublicRepos",
        "$.gateway.sinkVisibilityExemptServers",
        "$.gateway.opentelemetry",
        "$.mcpServers.github.guard-policies",
        "$.mcpServers.safe-outputs.guard-policies",
        "$.mcpServers.remote.auth",
        "$.mcpServers.scripts (custom type 'safeinputs', not run)");
  }

  @Test
  void aConfigurationOfOnlyActedOnFieldsIgnoresNothing() {
    GatewayConfig config = loader.parse("""
        {"gateway": {"port": 8080, "domain": "localhost", "agentId": "${MCP_GATEWAY_AGENT_ID}"},
         "mcpServers": {"a": {"container": "image:1", "registry": "https://registry.example.com/a"}}}
        """);

    assertThat(config.agentIds()).containsExactly("agent-id-from-the-environment");
    assertThat(config.ignoredSettings()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"A.1", "A.2", "A.3", "A.4", "A.5", "A.6", "A.7", "A.8", "4.1.4", "4.1.5", "4.1.3.4", "7.6.1"})
  void parsesTheExamplesOfTheSpecification(String section) {
    GatewayConfig config = loader.parse(SpecExamples.BY_SECTION.get(section));

    assertThat(config).isNotNull();
  }

  @Test
  void theSpecificationsExamplesMeanWhatTheySay() {
    assertThat(loader.parse(SpecExamples.BY_SECTION.get("A.1")).agentIds()).containsExactly("gateway-secret-token");
    assertThat(loader.parse(SpecExamples.BY_SECTION.get("A.8")).agentIds()).containsExactly("primary-agent", "enclave-agent");
    GatewayConfig mixed = loader.parse(SpecExamples.BY_SECTION.get("A.3"));
    assertThat(mixed.startupTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(mixed.toolTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(mixed.servers().get("local-server").tools()).containsExactly("read_file", "write_file", "list_directory");
    GatewayConfig custom = loader.parse(SpecExamples.BY_SECTION.get("4.1.4"));
    assertThat(custom.servers()).isEmpty();
    assertThat(custom.ignoredSettings()).containsExactly("$.customSchemas",
        "$.mcpServers.my-custom-server (custom type 'safeinputs', not run)");
  }

  // agentId / agentIds

  @Test
  void refusesAgentIdTogetherWithAgentIds() {
    assertError("{\"gateway\":{\"agentId\":\"a\",\"agentIds\":[\"b\"]},\"mcpServers\":{}}", "$.gateway.agentIds",
        "agentId and agentIds are mutually exclusive");
  }

  @Test
  void refusesApiKeyTogetherWithAnAgentId() {
    assertError("{\"gateway\":{\"apiKey\":\"a\",\"agentId\":\"b\"},\"mcpServers\":{}}", "$.gateway.agentId",
        "apiKey is the former name of agentId");
    assertError("{\"gateway\":{\"apiKey\":\"a\",\"agentIds\":[\"b\"]},\"mcpServers\":{}}", "$.gateway.agentIds",
        "apiKey is the former name of agentId");
  }

  @Test
  void refusesMalformedAgentIds() {
    assertError(gateway("\"agentId\":\"\""), "$.gateway.agentId", "is empty");
    assertError(gateway("\"agentId\":7"), "$.gateway.agentId", "must be a string");
    assertError(gateway("\"agentIds\":[]"), "$.gateway.agentIds", "is empty; list at least one agent id");
    assertError(gateway("\"agentIds\":\"a\""), "$.gateway.agentIds", "must be an array of strings");
    assertError(gateway("\"agentIds\":[\"a\",\"\"]"), "$.gateway.agentIds[1]", "is empty");
    assertError(gateway("\"agentIds\":[\"a\",3]"), "$.gateway.agentIds[1]", "must be a string");
    assertError(gateway("\"agentIds\":[\"same-id\",\"other\",\"same-id\"]"), "$.gateway.agentIds[2]", "repeats agentIds[0]");
  }

  @Test
  void neverShowsAnAgentIdInAnError() {
    assertThatThrownBy(() -> loader.parse(gateway("\"agentIds\":[\"secret-agent-id\",\"secret-agent-id\"]")))
        .hasMessageNotContaining("secret-agent-id");
  }

  @Test
  void refusesAnAdminKeyEqualToAnAgentId() {
    assertError(gateway("\"agentIds\":[\"a-key\",\"b-key\"],\"adminKey\":\"b-key\""), "$.gateway.adminKey",
        "must differ from every agent id");
  }

  // sessionTimeout

  @Test
  void readsTheSessionTimeoutAsAGoDurationOrSeconds() {
    assertThat(sessionTimeout("\"30m\"")).contains(Duration.ofMinutes(30));
    assertThat(sessionTimeout("\"1h30m\"")).contains(Duration.ofMinutes(90));
    assertThat(sessionTimeout("\"1.5h\"")).contains(Duration.ofMinutes(90));
    assertThat(sessionTimeout("\"24h\"")).contains(Duration.ofHours(24));
    assertThat(sessionTimeout("\"2m30.5s\"")).contains(Duration.ofMillis(150_500));
    assertThat(sessionTimeout("\"1500ms\"")).contains(Duration.ofMillis(1500));
    assertThat(sessionTimeout("\"\"")).contains(GatewayConfig.DEFAULT_SESSION_TIMEOUT);
    assertThat(sessionTimeout("600")).contains(Duration.ofMinutes(10));
    assertThat(sessionTimeout("0")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"30", "4 h", "4H", "h", "1d", "abc", "1h-30m"})
  void refusesWhatIsNotAGoDuration(String text) {
    assertError(gateway("\"sessionTimeout\":\"" + text + "\""), "$.gateway.sessionTimeout", "is not a duration");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "0", "-5m"})
  void refusesADurationThatIsNotPositive(String text) {
    assertError(gateway("\"sessionTimeout\":\"" + text + "\""), "$.gateway.sessionTimeout", "must be longer than zero");
  }

  @Test
  void refusesASessionTimeoutOfAnotherType() {
    assertError(gateway("\"sessionTimeout\":true"), "$.gateway.sessionTimeout", "must be a whole number");
    assertError(gateway("\"sessionTimeout\":-1"), "$.gateway.sessionTimeout", "must be a whole number");
  }

  @Test
  void takesTheSessionTimeoutFromTheEnvironmentWhenTheConfigurationHasNone() {
    Map<String, String> env = new HashMap<>(ENV);
    env.put("MCP_GATEWAY_SESSION_TIMEOUT", "12h");
    ConfigLoader withVariable = ConfigLoader.withEnvironment(env);

    assertThat(withVariable.parse("{\"mcpServers\":{}}").sessionTimeout()).contains(Duration.ofHours(12));
    assertThat(withVariable.parse(gateway("\"sessionTimeout\":\"\"")).sessionTimeout()).contains(Duration.ofHours(12));
    assertThat(withVariable.parse(gateway("\"sessionTimeout\":\"2h\"")).sessionTimeout()).contains(Duration.ofHours(2));
    env.put("MCP_GATEWAY_SESSION_TIMEOUT", "forever");
    assertThatThrownBy(() -> ConfigLoader.withEnvironment(env).parse("{\"mcpServers\":{}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("$.gateway.sessionTimeout: 'forever' (from MCP_GATEWAY_SESSION_TIMEOUT) is not a duration");
  }

  // the other gateway fields

  @Test
  void readsThePortAsAVariableExpression() {
    assertThat(loader.parse(gateway("\"port\":\"${MCP_GATEWAY_PORT}\"")).port()).isEqualTo(8123);
    assertError(gateway("\"port\":\"eighty\""), "$.gateway.port", "must be a whole number from 1 to 65535");
    assertError(gateway("\"port\":\"70000\""), "$.gateway.port", "must be a whole number from 1 to 65535");
  }

  @Test
  void refusesMalformedTrustedBots() {
    assertError(gateway("\"trustedBots\":[]"), "$.gateway.trustedBots", "must be a non-empty array");
    assertError(gateway("\"trustedBots\":\"github-actions[bot]\""), "$.gateway.trustedBots", "must be a non-empty array");
    assertError(gateway("\"trustedBots\":[\"a[bot]\",\"\"]"), "$.gateway.trustedBots[1]", "is empty");
    assertError(gateway("\"trustedBots\":[1]"), "$.gateway.trustedBots[0]", "must be a string");
  }

  @Test
  void refusesAKeepaliveIntervalOutsideTheSpecification() {
    assertThat(loader.parse(gateway("\"keepaliveInterval\":-1")).ignoredSettings()).containsExactly("$.gateway.keepaliveInterval");
    assertThat(loader.parse(gateway("\"keepaliveInterval\":0")).ignoredSettings()).containsExactly("$.gateway.keepaliveInterval");
    assertError(gateway("\"keepaliveInterval\":-2"), "$.gateway.keepaliveInterval", "must be a whole number of seconds");
    assertError(gateway("\"keepaliveInterval\":\"300\""), "$.gateway.keepaliveInterval", "must be a whole number of seconds");
    assertError(gateway("\"keepaliveInterval\":1.5"), "$.gateway.keepaliveInterval", "must be a whole number of seconds");
  }

  @Test
  void refusesMalformedVisibilitySettings() {
    assertError(gateway("\"forcePublicRepos\":\"false\""), "$.gateway.forcePublicRepos", "must be true or false");
    assertError(gateway("\"sinkVisibilityExemptServers\":\"*\""), "$.gateway.sinkVisibilityExemptServers",
        "must be an array of strings");
    assertError(gateway("\"sinkVisibilityExemptServers\":[\"\"]"), "$.gateway.sinkVisibilityExemptServers[0]", "is empty");
  }

  @Test
  void refusesMalformedOpenTelemetry() {
    assertError(otel("\"serviceName\":\"gw\""), "$.gateway.opentelemetry.endpoint", "missing");
    assertError(otel("\"endpoint\":\"grpc://collector:4317\""), "$.gateway.opentelemetry.endpoint",
        "must be an http:// or https:// URL");
    assertError(otel("\"endpoint\":\"http://c/v1/traces\",\"headers\":\"Authorization=Bearer x\""),
        "$.gateway.opentelemetry.headers", "OTEL_EXPORTER_OTLP_HEADERS");
    assertError(otel("\"endpoint\":\"http://c/v1/traces\",\"traceId\":\"4BF92F3577B34DA6A3CE929D0E0E4736\""),
        "$.gateway.opentelemetry.traceId", "32 lowercase hex digits");
    assertError(otel("\"endpoint\":\"http://c/v1/traces\",\"spanId\":\"00f067aa\""),
        "$.gateway.opentelemetry.spanId", "16 lowercase hex digits");
    assertError(otel("\"endpoint\":\"http://c/v1/traces\",\"sampler\":\"always\""),
        "$.gateway.opentelemetry.sampler", "unknown field");
    assertError(gateway("\"opentelemetry\":\"http://c\""), "$.gateway.opentelemetry", "must be an object");
  }

  @Test
  void refusesAPayloadDirThatIsNotAnAbsolutePath() {
    assertError(gateway("\"payloadDir\":\"\""), "$.gateway.payloadDir", "must be an absolute path");
    assertError(gateway("\"payloadDir\":\" \""), "$.gateway.payloadDir", "must be an absolute path");
    assertError(gateway("\"payloadDir\":\"./payloads\""), "$.gateway.payloadDir", "must be an absolute path");
    assertError(gateway("\"payloadSizeThreshold\":0"), "$.gateway.payloadSizeThreshold", "must be a whole number");
  }

  // servers

  @Test
  void refusesUpstreamAuthenticationOutsideTheSpecification() {
    assertError(server("\"container\":\"image:1\",\"auth\":{\"type\":\"github-oidc\"}"), "$.mcpServers.s.auth",
        "only allowed for \"type\": \"http\" servers");
    assertError(http("\"auth\":{\"audience\":\"x\"}"), "$.mcpServers.s.auth.type", "missing");
    assertError(http("\"auth\":{\"type\":\"\"}"), "$.mcpServers.s.auth.type", "missing");
    assertError(http("\"auth\":{\"type\":\"oauth2\"}"), "$.mcpServers.s.auth.type", "unsupported upstream authentication type");
    assertError(http("\"auth\":{\"type\":\"github-oidc\",\"scope\":\"x\"}"), "$.mcpServers.s.auth.scope", "unknown field");
    assertError(http("\"auth\":\"github-oidc\""), "$.mcpServers.s.auth", "must be an object");
  }

  @Test
  void refusesGuardPoliciesOutsideTheSpecification() {
    assertError(server("\"container\":\"image:1\",\"guard-policies\":{\"write-sink\":{\"sink-visibility\":\"public\"}}"),
        "$.mcpServers.s.guard-policies.write-sink.accept", "missing");
    assertError(server("\"container\":\"image:1\",\"guard-policies\":{\"write-sink\":{\"accept\":[\"*\"],"
        + "\"sink-visibility\":\"secret\"}}"), "$.mcpServers.s.guard-policies.write-sink.sink-visibility", "unknown visibility");
    assertError(server("\"container\":\"image:1\",\"guard-policies\":{\"allow-only\":{\"min-integrity\":\"high\"}}"),
        "$.mcpServers.s.guard-policies.allow-only.min-integrity", "unknown integrity level");
    assertError(server("\"container\":\"image:1\",\"guard-policies\":{\"allow-only\":{\"repos\":\"all\"}}"),
        "$.mcpServers.s.guard-policies.allow-only.min-integrity", "required with any other allow-only field");
    assertError(server("\"container\":\"image:1\",\"guard-policies\":{\"allow-only\":{\"min-integrity\":\"none\","
        + "\"blocked-users\":7}}"), "$.mcpServers.s.guard-policies.allow-only.blocked-users", "must be an array of strings");
    assertError(server("\"container\":\"image:1\",\"guard-policies\":[]"), "$.mcpServers.s.guard-policies", "must be an object");
  }

  @Test
  void readsGuardPoliciesWithActionsExpressionsAsWritten() {
    GatewayConfig config = loader.parse(server("\"container\":\"image:1\",\"guard-policies\":{\"allow-only\":{"
        + "\"repos\":[\"myorg/*\"],\"min-integrity\":\"approved\","
        + "\"blocked-users\":\"${{ steps.parse-guard-vars.outputs.blocked_users }}\"}}"));

    assertThat(config.ignoredSettings()).containsExactly("$.mcpServers.s.guard-policies");
  }

  @Test
  void refusesMalformedMounts() {
    assertError(server("\"container\":\"image:1\",\"mounts\":[\"/host:/container\"]"), "$.mcpServers.s.mounts[0]",
        "is not a mount");
    assertError(server("\"container\":\"image:1\",\"mounts\":[\"/a:/b:ro\",\"relative:/b:ro\"]"), "$.mcpServers.s.mounts[1]",
        "both paths absolute");
    assertError(server("\"container\":\"image:1\",\"mounts\":[\"/a:/b:rx\"]"), "$.mcpServers.s.mounts[0]", "mode 'rx' is not ro or rw");
    assertError(http("\"mounts\":[\"/a:/b:ro\"]"), "$.mcpServers.s.mounts", "not allowed for an \"http\" server");
  }

  @Test
  void refusesServerFieldsOfTheWrongShape() {
    assertError(server("\"container\":\"image:1\",\"registry\":\"\""), "$.mcpServers.s.registry", "is empty");
    assertError(server("\"container\":\"image:1\",\"registry\":{}"), "$.mcpServers.s.registry", "must be a string");
    assertError(server("\"type\":\"http\""), "$.mcpServers.s.url", "missing");
    assertError(server("\"type\":\"stdio\""), "$.mcpServers.s", "needs \"container\"");
    assertError(server("\"container\":\"image:1\",\"tools\":\"*\""), "$.mcpServers.s.tools", "must be an array of strings");
    assertError(server("\"container\":\"image:1\",\"port\":1"), "$.mcpServers.s.port", "unknown field");
  }

  @Test
  void refusesCustomTypesOutsideTheSpecification() {
    assertError(server("\"type\":\"safeinputs\""), "$.mcpServers.s.type", "register a custom type in customSchemas");
    assertError(custom("\"stdio\":\"\""), "$.customSchemas.stdio", "is a built-in server type");
    assertError(custom("\"http\":\"\""), "$.customSchemas.http", "is a built-in server type");
    assertError(custom("\"Safe_Inputs\":\"\""), "$.customSchemas.Safe_Inputs", "is not a custom type name");
    assertError(custom("\"safeinputs\":\"http://example.com/schema.json\""), "$.customSchemas.safeinputs",
        "must be an https:// URL");
    assertError(custom("\"safeinputs\":\"file:///schema.json\""), "$.customSchemas.safeinputs", "must be an https:// URL");
    assertError(custom("\"safeinputs\":7"), "$.customSchemas.safeinputs", "must be a string");
    assertError("{\"customSchemas\":[],\"mcpServers\":{}}", "$.customSchemas", "must be an object");
  }

  @Test
  void acceptsACustomTypeRegisteredWithoutASchema() {
    GatewayConfig config = loader.parse("{\"customSchemas\":{\"safeinputs\":\"\"},"
        + "\"mcpServers\":{\"s\":{\"type\":\"safeinputs\",\"anything\":1},\"t\":{\"container\":\"image:1\"}}}");

    assertThat(config.servers().keySet()).containsExactly("t");
    assertThat(config.ignoredSettings()).containsExactly("$.customSchemas", "$.mcpServers.s (custom type 'safeinputs', not run)");
  }

  @Test
  void refusesAnUnknownTopLevelField() {
    assertError("{\"gatewayConfig\":{},\"mcpServers\":{}}", "$.gatewayConfig", "unknown field");
  }

  @Test
  void refusesNothingItAcceptsInCode() {
    assertThatThrownBy(() -> GatewayConfig.builder().apiKey("a").agentIds(List.of("b")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keep one");
    assertThatThrownBy(() -> GatewayConfig.builder().agentIds(List.of("b", "b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agentIds[1] repeats");
    assertThat(GatewayConfig.builder().agentId("one").build().agentIds()).containsExactly("one");
  }

  private java.util.Optional<Duration> sessionTimeout(String json) {
    return loader.parse(gateway("\"sessionTimeout\":" + json)).sessionTimeout();
  }

  private static String gateway(String fields) {
    return "{\"gateway\":{" + fields + "},\"mcpServers\":{}}";
  }

  private static String otel(String fields) {
    return gateway("\"opentelemetry\":{" + fields + "}");
  }

  private static String server(String fields) {
    return "{\"mcpServers\":{\"s\":{" + fields + "}}}";
  }

  private static String http(String fields) {
    return server("\"type\":\"http\",\"url\":\"https://example.com/mcp\"," + fields);
  }

  private static String custom(String fields) {
    return "{\"customSchemas\":{" + fields + "},\"mcpServers\":{}}";
  }

  private void assertError(String json, String path, String message) {
    assertThatThrownBy(() -> loader.parse(json))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(path + ": ")
        .hasMessageContaining(message)
        .extracting(e -> ((ConfigException) e).path()).isEqualTo(path);
  }
}
