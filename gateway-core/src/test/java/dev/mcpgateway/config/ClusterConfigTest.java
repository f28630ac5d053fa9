package dev.mcpgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code gateway.cluster}: Redis and the shared secret, checked, and the secret never shown. */
class ClusterConfigTest {
  private static final String SECRET = "s".repeat(40);
  private final ConfigLoader loader = ConfigLoader.withEnvironment(Map.of("CLUSTER_SECRET", SECRET));

  @Test
  void theClusterIsReadWithItsSecretFromTheEnvironment() {
    GatewayConfig config = loader.parse("{\"gateway\":{\"cluster\":{\"redis\":\"redis://:pw@127.0.0.1:6390/2\","
        + "\"secret\":\"${CLUSTER_SECRET}\"}},\"mcpServers\":{}}");

    ClusterConfig cluster = config.cluster().orElseThrow();
    assertThat(cluster.redis().getPort()).isEqualTo(6390);
    assertThat(cluster.secret()).isEqualTo(SECRET);
    assertThat(cluster.toString()).contains("127.0.0.1:6390").doesNotContain(SECRET).doesNotContain("pw");
    assertThat(loader.parse("{\"mcpServers\":{}}").cluster()).isEmpty();
  }

  @Test
  void aClusterWithoutRedisOrSecretOrWithAShortSecretIsRefused() {
    assertThatThrownBy(() -> loader.parse("{\"gateway\":{\"cluster\":{\"redis\":\"redis://127.0.0.1\"}},\"mcpServers\":{}}"))
        .hasMessageContaining("$.gateway.cluster").hasMessageContaining("secret");
    assertThatThrownBy(() -> loader.parse("{\"gateway\":{\"cluster\":{\"redis\":\"redis://127.0.0.1\",\"secret\":\"short\"}},"
        + "\"mcpServers\":{}}")).hasMessageContaining("at least 32 characters");
    assertThatThrownBy(() -> loader.parse("{\"gateway\":{\"cluster\":{\"redis\":\"http://127.0.0.1\",\"secret\":\"" + SECRET + "\"}},"
        + "\"mcpServers\":{}}")).hasMessageContaining("redis:// or rediss://");
    assertThatThrownBy(() -> loader.parse("{\"gateway\":{\"cluster\":{\"redis\":\"redis://:p w@x y\",\"secret\":\"" + SECRET + "\"}},"
        + "\"mcpServers\":{}}")).hasMessageContaining("not a valid URI").hasMessageNotContaining("p w");
    assertThatThrownBy(() -> loader.parse("{\"gateway\":{\"cluster\":{\"redis\":\"redis://x\",\"secret\":\"" + SECRET
        + "\",\"sticky\":true}},\"mcpServers\":{}}")).hasMessageContaining("sticky");
  }
}
