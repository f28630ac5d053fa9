package dev.mcpgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one caller's sessions share a server's backends: {@code backendSharing} and {@code maxBackendsPerCaller}. */
class BackendSharingConfigTest {
  private final ConfigLoader loader = ConfigLoader.withEnvironment(Map.of());

  @Test
  void defaultsToExactSharingWithFourBackendsPerCaller() {
    GatewayConfig config = loader.parse("{\"mcpServers\":{\"a\":{\"command\":\"x\"}}}");
    assertThat(config.maxBackendsPerCaller()).isEqualTo(4);
    assertThat(config.servers().get("a").backendSharing()).isEqualTo(ServerConfig.BackendSharing.EXACT);
    assertThat(config.servers().get("a").maxBackendsPerCaller()).isEmpty();
  }

  @Test
  void readsTheGatewayBoundAndEachServersSharingAndBound() {
    GatewayConfig config = loader.parse("""
        {
          "gateway": { "maxBackendsPerCaller": 2 },
          "mcpServers": {
            "exact": { "command": "x", "backendSharing": "exact", "maxBackendsPerCaller": 8 },
            "single": { "command": "x", "backendSharing": "single" }
          }
        }
        """);
    assertThat(config.maxBackendsPerCaller()).isEqualTo(2);
    assertThat(config.servers().get("exact").maxBackendsPerCaller()).hasValue(8);
    assertThat(config.servers().get("single").backendSharing()).isEqualTo(ServerConfig.BackendSharing.SINGLE);
    assertThat(config.servers().get("single").toBuilder().build("copy").backendSharing()).isEqualTo(ServerConfig.BackendSharing.SINGLE);
  }

  @Test
  void namesThePathAndTheFixOfEveryBadSetting() {
    assertError("{\"gateway\":{\"maxBackendsPerCaller\":0},\"mcpServers\":{}}", "$.gateway.maxBackendsPerCaller",
        "must be a whole number from 1 to 1000, got the number 0");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"x\",\"maxBackendsPerCaller\":\"4\"}}}", "$.mcpServers.a.maxBackendsPerCaller",
        "must be a whole number from 1 to 1000");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"x\",\"backendSharing\":\"shared\"}}}", "$.mcpServers.a.backendSharing",
        "unknown backendSharing 'shared'; use \"exact\"");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"x\",\"isolation\":\"session\",\"backendSharing\":\"single\"}}}",
        "$.mcpServers.a.backendSharing", "applies only to \"isolation\": \"key\"");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"x\",\"isolation\":\"session\",\"maxBackendsPerCaller\":2}}}",
        "$.mcpServers.a.maxBackendsPerCaller", "applies only to \"isolation\": \"key\"");
    assertError("{\"mcpServers\":{\"a\":{\"command\":\"x\",\"backendSharing\":\"single\",\"maxBackendsPerCaller\":2}}}",
        "$.mcpServers.a.maxBackendsPerCaller", "applies only to \"backendSharing\": \"exact\"");
  }

  @Test
  void theBuilderRefusesSettingsThatDoNotApplyTogether() {
    assertThatThrownBy(() -> ServerConfig.command("x").isolation(ServerConfig.Isolation.SESSION)
        .backendSharing(ServerConfig.BackendSharing.EXACT).build("a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backendSharing with isolation SESSION");
    assertThatThrownBy(() -> ServerConfig.command("x").backendSharing(ServerConfig.BackendSharing.SINGLE).maxBackendsPerCaller(2)
        .build("a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBackendsPerCaller with backendSharing SINGLE");
    assertThatThrownBy(() -> GatewayConfig.builder().maxBackendsPerCaller(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBackendsPerCaller must be at least 1");
  }

  private void assertError(String json, String path, String message) {
    assertThatThrownBy(() -> loader.parse(json))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(path + ": ")
        .hasMessageContaining(message)
        .extracting(e -> ((ConfigException) e).path()).isEqualTo(path);
  }
}
