package dev.mcpgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private final ConfigLoader loader = ConfigLoader.withEnvironment(Map.of("API_KEY", "k-from-env", "DIR", "/srv"));

  @Test
  void readsTheSeedShape() {
    GatewayConfig config = loader.parse("""
        {
          "gateway": { "apiKey": "${API_KEY}", "port": 8123, "toolTimeout": 30 },
          "mcpServers": {
            "github": {
              "type": "stdio",
              "container": "ghcr.io/github/github-mcp-server:v1.2.3",
              "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "", "DATA_DIR": "${DIR}/data" }
            },
            "local": { "type": "local", "command": "npx", "args": ["-y", "pkg"], "tools": ["read"] },
            "remote": { "type": "http", "url": "https://example.invalid/mcp", "headers": { "X-Key": "${API_KEY}" } }
          }
        }
        """);
    assertThat(config.apiKey()).contains("k-from-env");
    assertThat(config.port()).isEqualTo(8123);
    assertThat(config.toolTimeout()).isEqualTo(Duration.ofSeconds(30));
    ServerConfig github = config.servers().get("github");
    assertThat(github.container()).contains("ghcr.io/github/github-mcp-server:v1.2.3");
    assertThat(github.env()).containsEntry("GITHUB_PERSONAL_ACCESS_TOKEN", "").containsEntry("DATA_DIR", "/srv/data");
    assertThat(config.servers().get("local").command()).contains("npx");
    assertThat(config.servers().get("local").args()).containsExactly("-y", "pkg");
    assertThat(config.servers().get("local").tools()).containsExactly("read");
    assertThat(github.kind()).isEqualTo(BackendKind.CONTAINER);
    assertThat(config.servers().get("local").kind()).isEqualTo(BackendKind.COMMAND);
    assertThat(config.servers().get("remote").kind()).isEqualTo(BackendKind.HTTP);
    assertThat(config.servers().get("remote").headers()).containsEntry("X-Key", "k-from-env");
    assertThat(config.servers().keySet()).containsExactly("github", "local", "remote");
  }

  @Test
  void typeAndLaunchFieldsGiveTheKind() {
    GatewayConfig config = loader.parse("""
        {
          "mcpServers": {
            "stdioContainer": { "type": "stdio", "container": "image:1" },
            "localContainer": { "type": "local", "container": "image:1" },
            "plainContainer": { "container": "image:1" },
            "stdioCommand": { "type": "stdio", "command": "npx" },
            "localCommand": { "type": "local", "command": "npx" },
            "plainCommand": { "command": "npx" },
            "http": { "type": "http", "url": "https://example.invalid/mcp" },
            "plainUrl": { "url": "https://example.invalid/mcp" }
          }
        }
        """);
    Map<String, BackendKind> kinds = new LinkedHashMap<>();
    config.servers().forEach((name, server) -> kinds.put(name, server.kind()));
    assertThat(kinds).containsExactly(
        Map.entry("stdioContainer", BackendKind.CONTAINER), Map.entry("localContainer", BackendKind.CONTAINER),
        Map.entry("plainContainer", BackendKind.CONTAINER), Map.entry("stdioCommand", BackendKind.COMMAND),
        Map.entry("localCommand", BackendKind.COMMAND), Map.entry("plainCommand", BackendKind.COMMAND),
        Map.entry("http", BackendKind.HTTP), Map.entry("plainUrl", BackendKind.HTTP));
  }

  @Test
  void readsFromReaderAndFile(@TempDir Path dir) throws Exception {
    String json = "{\"mcpServers\":{\"a\":{\"command\":\"x\"}}}";
    assertThat(loader.read(new StringReader(json)).servers()).containsKey("a");
    Path file = Files.writeString(dir.resolve("c.json"), json);
    assertThat(loader.read(file).servers()).containsKey("a");
  }

  @Test
  void builderInCodeProducesTheSameObjects() {
    GatewayConfig built = GatewayConfig.builder()
        .server(ServerConfig.command("npx", "-y", "pkg").tools(List.of("read")).build("local")).build();
    GatewayConfig parsed = loader.parse("{\"mcpServers\":{\"local\":{\"command\":\"npx\",\"args\":[\"-y\",\"pkg\"],\"tools\":[\"read\"]}}}");
    assertThat(built.servers().get("local").toString()).isEqualTo(parsed.servers().get("local").toString());
    assertThat(built.servers().get("local").args()).isEqualTo(parsed.servers().get("local").args());
  }

  @Test
  void undefinedVariableFailsNamingItAndThePath() {
    assertError("{\"mcpServers\":{\"gh\":{\"container\":\"i:1\",\"env\":{\"T\":\"${MISSING_VAR}\"}}}}",
        "$.mcpServers.gh.env.T", "environment variable 'MISSING_VAR' is not defined");
    assertError("{\"gateway\":{\"apiKey\":\"${NOPE}\"},\"mcpServers\":{}}", "$.gateway.apiKey",
        "environment variable 'NOPE' is not defined");
  }

  @Test
  void unknownFieldsAreErrorsThatListTheAllowedOnes() {
    assertError("{\"mcpServers\":{},\"extra\":1}", "$.extra", "unknown field; allowed here: customSchemas, gateway, mcpServers");
    assertError("{\"gateway\":{\"apikey\":\"x\"},\"mcpServers\":{}}", "$.gateway.apikey", "unknown field");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"x\",\"enviroment\":{}}}}", "$.mcpServers.a.enviroment", "unknown field");
  }

  @Test
  void everyShapeErrorNamesThePathAndTheFix() {
    assertError("", "$", "empty");
    assertError("{not json", "$", "not valid JSON at line 1");
    assertError("[]", "$", "must be an object, got an array");
    assertError("{\"gateway\":{}}", "$.mcpServers", "missing");
    assertError("{\"mcpServers\":[]}", "$.mcpServers", "must be an object");
    assertError("{\"mcpServers\":{\"a\":{}}}", "$.mcpServers.a", "needs \"container\"");
    assertError("{\"mcpServers\":{\"a\":{\"container\":\"i\",\"command\":\"c\"}}}", "$.mcpServers.a", "keep one");
    assertError("{\"mcpServers\":{\"a\":{\"type\":\"sse\",\"url\":\"http://x\"}}}", "$.mcpServers.a.type", "unknown server type 'sse'");
    assertError("{\"mcpServers\":{\"a\":{\"type\":\"http\"}}}", "$.mcpServers.a.url", "missing");
    assertError("{\"mcpServers\":{\"a\":{\"type\":\"http\",\"url\":\"ftp://x\"}}}", "$.mcpServers.a.url", "http:// or https://");
    assertError("{\"mcpServers\":{\"a\":{\"type\":\"http\",\"url\":\"http://x\",\"command\":\"c\"}}}", "$.mcpServers.a.command", "not allowed for an \"http\" server");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"c\",\"url\":\"http://x\",\"type\":\"stdio\"}}}", "$.mcpServers.a.url", "only allowed for \"type\": \"http\"");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"c\",\"mounts\":[]}}}", "$.mcpServers.a.mounts", "only allowed for \"container\"");
    assertError("{\"mcpServers\":{\"a\":{\"command\":3}}}", "$.mcpServers.a.command", "must be a string, got the number 3");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"c\",\"args\":\"x\"}}}", "$.mcpServers.a.args", "must be an array of strings");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"c\",\"args\":[1]}}}", "$.mcpServers.a.args[0]", "must be a string");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"c\",\"env\":{\"X\":1}}}}", "$.mcpServers.a.env.X", "use \"\" to pass the variable through");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"c\",\"tools\":[]}}}", "$.mcpServers.a.tools", "[\"*\"] for all");
    assertError("{\"gateway\":{\"port\":70000},\"mcpServers\":{}}", "$.gateway.port", "whole number from 1 to 65535");
    assertError("{\"gateway\":{\"toolTimeout\":\"10\"},\"mcpServers\":{}}", "$.gateway.toolTimeout", "whole number");
    assertError("{\"gateway\":{\"payloadDir\":\"rel/dir\"},\"mcpServers\":{}}", "$.gateway.payloadDir", "absolute path");
    assertError("{\"mcpServers\":{\"bad name\":{\"command\":\"c\"}}}", "$.mcpServers.bad name", "server name is not valid");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"c\"},\"a\":{\"command\":\"d\"}}}", "$", "Duplicate field 'a'");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"${bad-name}\"}}}", "$.mcpServers.a.command", "not a valid variable reference");
  }

  @Test
  void payloadQuotaBytesTakesANumberOrASizeDefaultsTo1GiBAndMustExceedTheThreshold() {
    assertThat(loader.parse("{\"mcpServers\":{}}").payloadQuotaBytes()).isEqualTo(1L << 30);
    assertThat(loader.parse("{\"gateway\":{\"payloadQuotaBytes\":5000000000},\"mcpServers\":{}}").payloadQuotaBytes())
        .isEqualTo(5_000_000_000L);
    assertThat(loader.parse("{\"gateway\":{\"payloadQuotaBytes\":\"2g\"},\"mcpServers\":{}}").payloadQuotaBytes())
        .isEqualTo(2L << 30);
    assertThat(loader.parse("{\"gateway\":{\"payloadQuotaBytes\":\"600k\",\"payloadSizeThreshold\":1024},\"mcpServers\":{}}")
        .payloadQuotaBytes()).isEqualTo(600L << 10);
    assertError("{\"gateway\":{\"payloadQuotaBytes\":\"lots\"},\"mcpServers\":{}}", "$.gateway.payloadQuotaBytes",
        "must be a size in bytes such as 1073741824, \"500m\" or \"2g\", got 'lots'");
    assertError("{\"gateway\":{\"payloadQuotaBytes\":-1},\"mcpServers\":{}}", "$.gateway.payloadQuotaBytes", "got the number -1");
    assertError("{\"gateway\":{\"payloadQuotaBytes\":true},\"mcpServers\":{}}", "$.gateway.payloadQuotaBytes", "got a boolean");
    assertError("{\"gateway\":{\"payloadQuotaBytes\":\"100k\"},\"mcpServers\":{}}", "$.gateway.payloadQuotaBytes",
        "must be larger than payloadSizeThreshold (524288 bytes), got 102400");
    assertError("{\"gateway\":{\"payloadSizeThreshold\":2000000000},\"mcpServers\":{}}", "$.gateway.payloadSizeThreshold",
        "raise gateway.payloadQuotaBytes");
    assertThatThrownBy(() -> GatewayConfig.builder().payloadQuotaBytes(100).payloadSizeThreshold(100).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payloadQuotaBytes (100)")
        .hasMessageContaining("payloadSizeThreshold (100)");
    assertThat(GatewayConfig.builder().payloadQuotaBytes(1L << 40).build().toBuilder().build().payloadQuotaBytes()).isEqualTo(1L << 40);
  }

  @Test
  void secretsDoNotAppearInToString() {
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("TOKEN", "ghp_supersecret")).parse(
        "{\"gateway\":{\"apiKey\":\"${TOKEN}\"},\"mcpServers\":{\"a\":{\"container\":\"i:1\",\"env\":{\"T\":\"${TOKEN}\"}}}}");
    assertThat(config.toString()).doesNotContain("supersecret").contains("apiKey=set");
  }

  private void assertError(String json, String path, String message) {
    assertThatThrownBy(() -> loader.parse(json))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(path + ": ")
        .hasMessageContaining(message)
        .extracting(e -> ((ConfigException) e).path()).isEqualTo(path);
  }

  @Test
  void acceptsAGhAwMcpgConfigurationUnchanged() {
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("MCP_GATEWAY_API_KEY", "k".repeat(40))).parse("""
        {
          "gateway": {
            "port": 8080, "apiKey": "${MCP_GATEWAY_API_KEY}", "domain": "localhost",
            "startupTimeout": 30, "toolTimeout": 120,
            "payloadDir": "/tmp/jq-payloads", "payloadSizeThreshold": 524288, "payloadPathPrefix": "/workspace/payloads"
          },
          "mcpServers": {
            "github": {
              "type": "stdio",
              "container": "ghcr.io/github/github-mcp-server:v0.30.0",
              "entrypoint": "/server/github-mcp-server",
              "entrypointArgs": ["stdio", "--read-only"],
              "args": ["--rm", "-i"],
              "mounts": ["/srv/data:/data:ro"],
              "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "" },
              "tools": ["get_file_contents", "search_code"]
            },
            "safeoutputs": { "type": "local", "container": "node:22-slim", "entrypointArgs": ["node", "/opt/server.js"] }
          }
        }
        """);
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.domain()).contains("localhost");
    assertThat(config.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.payloadPathPrefix()).contains("/workspace/payloads");
    ServerConfig github = config.servers().get("github");
    assertThat(github.entrypoint()).contains("/server/github-mcp-server");
    assertThat(github.entrypointArgs()).containsExactly("stdio", "--read-only");
    assertThat(github.args()).containsExactly("--rm", "-i");
    assertThat(github.mounts()).containsExactly("/srv/data:/data:ro");
    assertThat(github.tools()).containsExactly("get_file_contents", "search_code");
    assertThat(config.servers().get("safeoutputs").kind()).isEqualTo(BackendKind.CONTAINER);
  }
}
