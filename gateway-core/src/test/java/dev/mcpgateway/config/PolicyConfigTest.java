package dev.mcpgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The policy fields of the JSON configuration and the lint that runs while loading it. */
class PolicyConfigTest {
  private final ConfigLoader loader = ConfigLoader.withEnvironment(Map.of("GH_TOKEN", "ghp_" + "0123456789abcdefghijABCDEFGHIJ012345"));

  private static String server(String fields) {
    return "{\"mcpServers\":{\"fs\":{\"command\":\"node\"" + (fields.isEmpty() ? "" : "," + fields) + "}}}";
  }

  private static String gateway(String fields) {
    return "{\"gateway\":{" + fields + "},\"mcpServers\":{\"fs\":{\"command\":\"node\"}}}";
  }

  @Test
  void readsServerGuardsWithToolOverrides() {
    GatewayConfig config = loader.parse(server("\"guards\":{\"allowedPaths\":[\"/projects\",\"/tmp/work\"],"
        + "\"allowedExtensions\":[\"md\",\".TXT\"],\"maxArgumentBytes\":65536,\"checkHostSymlinks\":true,"
        + "\"pathArguments\":[\"path\",\"target\"],\"tools\":{\"write_file\":{\"allowedExtensions\":[\"md\"],\"maxArgumentBytes\":1024}}}"));
    GuardConfig guards = config.servers().get("fs").guards().orElseThrow();
    assertThat(guards.allowedPaths()).contains(List.of(Path.of("/projects"), Path.of("/tmp/work")));
    assertThat(guards.allowedExtensions()).contains(Set.of("md", "txt"));
    assertThat(guards.maxArgumentBytes().getAsLong()).isEqualTo(65536);
    assertThat(guards.checkHostSymlinks()).contains(true);
    assertThat(guards.pathArguments()).contains(Set.of("path", "target"));
    GuardConfig write = guards.forTool("write_file");
    assertThat(write.allowedExtensions()).contains(Set.of("md"));
    assertThat(write.maxArgumentBytes().getAsLong()).isEqualTo(1024);
    assertThat(write.allowedPaths()).isEqualTo(guards.allowedPaths());
    assertThat(config.servers().get("fs").toBuilder().build("fs").guards()).contains(guards);
  }

  @Test
  void readsRedactionPinningAndAuditFile() {
    GatewayConfig config = loader.parse(gateway("\"redaction\":{\"privateAddresses\":true,\"internalHostNames\":true,"
        + "\"maxTextChars\":20000},\"toolPinning\":\"refuse\",\"auditFile\":\"/var/log/mcp/audit.jsonl\""));
    assertThat(config.redactPrivateAddresses()).isTrue();
    assertThat(config.redactInternalHostNames()).isTrue();
    assertThat(config.maxTextChars()).isEqualTo(20000);
    assertThat(config.toolPinning()).isEqualTo(ToolPinningMode.REFUSE);
    assertThat(config.auditFile()).contains(Path.of("/var/log/mcp/audit.jsonl"));
    GatewayConfig copy = config.toBuilder().build();
    assertThat(copy.toolPinning()).isEqualTo(ToolPinningMode.REFUSE);
    assertThat(copy.auditFile()).isEqualTo(config.auditFile());
    assertThat(copy.maxTextChars()).isEqualTo(20000);
  }

  @Test
  void defaultsToNoPinningNoAuditFileAndCredentialRedactionOnly() {
    GatewayConfig config = loader.parse(gateway(""));
    assertThat(config.toolPinning()).isEqualTo(ToolPinningMode.OFF);
    assertThat(config.auditFile()).isEmpty();
    assertThat(config.redactPrivateAddresses()).isFalse();
    assertThat(config.maxTextChars()).isZero();
    assertThat(config.servers().get("fs").guards()).isEmpty();
  }

  private void assertError(String json, String path, String... fragments) {
    assertThatThrownBy(() -> loader.parse(json))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          assertThat(((ConfigException) e).path()).isEqualTo(path);
          for (String fragment : fragments) {
            assertThat(e.getMessage()).contains(fragment);
          }
        });
  }

  @Test
  void namesThePathAndTheFixOfEveryBadPolicyField() {
    assertError(server("\"guards\":{\"allowedPath\":[\"/x\"]}"), "$.mcpServers.fs.guards.allowedPath", "unknown field", "allowedPaths");
    assertError(server("\"guards\":{\"allowedPaths\":[\"relative/dir\"]}"), "$.mcpServers.fs.guards.allowedPaths[0]", "absolute");
    assertError(server("\"guards\":{\"allowedPaths\":[]}"), "$.mcpServers.fs.guards.allowedPaths", "is empty");
    assertError(server("\"guards\":{\"maxArgumentBytes\":0}"), "$.mcpServers.fs.guards.maxArgumentBytes", "whole number from 1");
    assertError(server("\"guards\":{\"checkHostSymlinks\":\"yes\"}"), "$.mcpServers.fs.guards.checkHostSymlinks", "true or false");
    assertError(server("\"guards\":{\"tools\":{\"w\":{\"tools\":{}}}}"), "$.mcpServers.fs.guards.tools.w.tools", "unknown field");
    assertError(server("\"guards\":[]"), "$.mcpServers.fs.guards", "must be an object");
    assertError(gateway("\"redaction\":{\"ips\":true}"), "$.gateway.redaction.ips", "unknown field", "privateAddresses");
    assertError(gateway("\"redaction\":{\"maxTextChars\":-1}"), "$.gateway.redaction.maxTextChars", "whole number");
    assertError(gateway("\"toolPinning\":\"strict\""), "$.gateway.toolPinning", "\"off\"", "\"warn\"", "\"refuse\"");
    assertError(gateway("\"auditFile\":\"audit.log\""), "$.gateway.auditFile", "absolute");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ghp_0123456789abcdefghijABCDEFGHIJ012345", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
      "sk-proj-abcdefghijklmnopqrstuvwxyz012345", "AKIAIOSFODNN7EXAMPLE", "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Blbn==\\n"})
  void refusesALiteralSecretInEnvWithoutEchoingIt(String secret) {
    String json = server("\"env\":{\"TOKEN\":\"" + secret + "\"}");
    assertThatThrownBy(() -> loader.parse(json))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          assertThat(((ConfigException) e).path()).isEqualTo("$.mcpServers.fs.env.TOKEN");
          assertThat(e.getMessage()).contains("use \"\" to pass TOKEN through from the gateway's environment");
          assertThat(e.getMessage()).doesNotContain(secret.substring(4, 16));
        });
  }

  @Test
  void refusesALiteralSecretInHeadersToo() {
    String json = "{\"mcpServers\":{\"api\":{\"url\":\"https://mcp.example.com\",\"headers\":{\"Authorization\":\"Bearer ghp_"
        + "0123456789abcdefghijABCDEFGHIJ012345\"}}}}";
    assertThatThrownBy(() -> loader.parse(json)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("$.mcpServers.api.headers.Authorization").hasMessageContaining("${VARIABLE}")
        .hasMessageNotContaining("0123456789abcdef");
  }

  @Test
  void acceptsSecretsThatComeFromTheEnvironment() {
    GatewayConfig config = loader.parse(server("\"env\":{\"A\":\"\",\"B\":\"${GH_TOKEN}\",\"C\":\"sk-short\",\"D\":\"plain-value\"}"));
    assertThat(config.servers().get("fs").env()).containsEntry("B", "ghp_" + "0123456789abcdefghijABCDEFGHIJ012345");
  }

  @Test
  void tellsPinnedFromUnpinnedImages() {
    assertThat(ConfigLint.isPinned("ghcr.io/github/github-mcp-server:v1.2.3")).isTrue();
    assertThat(ConfigLint.isPinned("mcp/everything@sha256:0123abcd")).isTrue();
    assertThat(ConfigLint.isPinned("localhost:5000/mcp/fs:2")).isTrue();
    assertThat(ConfigLint.isPinned("mcp/everything")).isFalse();
    assertThat(ConfigLint.isPinned("mcp/everything:latest")).isFalse();
    assertThat(ConfigLint.isPinned("localhost:5000/mcp/fs")).isFalse();
  }
}
