package dev.mcpgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fields of {@code "type": "http"} servers. */
class HttpServerConfigTest {
  private static final ConfigLoader LOADER = ConfigLoader.withEnvironment(Map.of("TOKEN", "t0ken-value"));

  @Test
  void readsUrlHeadersWithVariablesAndConnectTimeout() {
    ServerConfig server = LOADER.parse("{\"mcpServers\":{\"remote\":{\"type\":\"http\",\"url\":\"https://mcp.example.com/mcp\","
        + "\"headers\":{\"Authorization\":\"Bearer ${TOKEN}\"},\"connectTimeout\":5,\"toolTimeout\":30}}}").servers().get("remote");
    assertThat(server.url()).contains("https://mcp.example.com/mcp");
    assertThat(server.headers()).containsEntry("Authorization", "Bearer t0ken-value");
    assertThat(server.connectTimeout()).contains(Duration.ofSeconds(5));
    assertThat(server.toolTimeout()).contains(Duration.ofSeconds(30));
    assertThat(server.toString()).doesNotContain("t0ken-value");
    assertThat(server.toBuilder().build("copy").connectTimeout()).contains(Duration.ofSeconds(5));
  }

  @Test
  void refusesConnectTimeoutOnStdioServers() {
    assertThatThrownBy(() -> LOADER.parse("{\"mcpServers\":{\"local\":{\"command\":\"node\",\"connectTimeout\":5}}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("$.mcpServers.local.connectTimeout");
  }

  @Test
  void refusesANonPositiveConnectTimeoutInCode() {
    assertThatThrownBy(() -> ServerConfig.http("http://127.0.0.1:1/mcp").connectTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectTimeout");
  }
}
