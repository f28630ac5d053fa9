package dev.mcpgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The container isolation settings of a server: network, limits, read-only root, image digest. */
class DockerConfigTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  private static ServerConfig load(String serverJson) {
    return ConfigLoader.withEnvironment(Map.of()).parse("{\"mcpServers\":{\"s\":" + serverJson + "}}").servers().get("s");
  }

  private static String container(String extra) {
    return "{\"container\":\"example/mcp:1.0\"" + extra + "}";
  }

  @Test
  void leavesEverySettingToTheLauncherWhenNoneIsGiven() {
    ServerConfig server = load(container(""));

    assertThat(server.network()).isEmpty();
    assertThat(server.memoryLimitBytes()).isEmpty();
    assertThat(server.cpuLimit()).isEmpty();
    assertThat(server.pidsLimit()).isEmpty();
    assertThat(server.readOnlyRootFilesystem()).isEmpty();
    assertThat(server.imageDigest()).isEmpty();
    assertThat(server.user()).isEmpty();
  }

  @Test
  void readsTheContainerUserAsUidGidUidOrName() {
    assertThat(load(container(",\"user\":\"1000:1000\"")).user()).contains("1000:1000");
    assertThat(load(container(",\"user\":\"1000\"")).user()).contains("1000");
    assertThat(load(container(",\"user\":\"node\"")).user()).contains("node");
    assertThat(load(container(",\"user\":\"node:staff\"")).user()).contains("node:staff");
    assertThat(load(container(",\"user\":\"0:0\"")).user()).as("root when named").contains("0:0");
    assertThat(ServerConfig.container("i:1").user("65532:65532").build("s").toBuilder().build("t").user()).contains("65532:65532");
  }

  @Test
  void rejectsAContainerUserThatIsNotOne() {
    for (String bad : new String[] {"", " 1000", "1000:", ":1000", "1000:1000:1", "-1", "1000:-1", "99999999999", "a b",
        "1000:1000 --privileged", "$(id)", "user/x", "9user"}) {
      assertThatThrownBy(() -> load(container(",\"user\":\"" + bad + "\"")))
          .as(bad).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("$.mcpServers.s.user: '" + bad + "' is not a container user; use \"uid:gid\"");
      assertThatThrownBy(() -> ServerConfig.container("i:1").user(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> load(container(",\"user\":1000")))
        .hasMessageContaining("$.mcpServers.s.user").hasMessageContaining("must be a string");
    assertThatThrownBy(() -> load("{\"command\":\"node\",\"user\":\"1000:1000\"}"))
        .hasMessageContaining("$.mcpServers.s.user").hasMessageContaining("only allowed for \"container\" servers");
    assertThatThrownBy(() -> ServerConfig.command("node").user("1000:1000").build("c"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user");
  }

  @Test
  void readsNetworkLimitsReadOnlyRootAndDigest() {
    ServerConfig server = load(container(",\"network\":\"bridge\",\"memory\":\"256m\",\"cpus\":0.5,"
        + "\"pidsLimit\":64,\"readOnlyRootfs\":false,\"digest\":\"" + DIGEST + "\""));

    assertThat(server.network()).contains("bridge");
    assertThat(server.memoryLimitBytes()).hasValue(256L * 1024 * 1024);
    assertThat(server.cpuLimit()).hasValue(0.5);
    assertThat(server.pidsLimit()).hasValue(64);
    assertThat(server.readOnlyRootFilesystem()).contains(false);
    assertThat(server.imageDigest()).contains(DIGEST);
  }

  @Test
  void readsMemoryAsBytesOrWithAUnit() {
    assertThat(load(container(",\"memory\":\"1G\"")).memoryLimitBytes()).hasValue(1L << 30);
    assertThat(load(container(",\"memory\":\"8192k\"")).memoryLimitBytes()).hasValue(8L << 20);
    assertThat(load(container(",\"memory\":67108864")).memoryLimitBytes()).hasValue(64L << 20);
  }

  @Test
  void rejectsMemoryThatIsNotASizeOrTooSmall() {
    assertThatThrownBy(() -> load(container(",\"memory\":\"lots\"")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("$.mcpServers.s.memory").hasMessageContaining("'lots'");
    assertThatThrownBy(() -> load(container(",\"memory\":\"1m\"")))
        .hasMessageContaining("$.mcpServers.s.memory").hasMessageContaining("at least 6 MiB");
    assertThatThrownBy(() -> load(container(",\"memory\":\"99999999999999g\"")))
        .hasMessageContaining("$.mcpServers.s.memory");
  }

  @Test
  void rejectsCpusAndPidsOutOfRange() {
    assertThatThrownBy(() -> load(container(",\"cpus\":0")))
        .hasMessageContaining("$.mcpServers.s.cpus").hasMessageContaining("0.01 to 1024");
    assertThatThrownBy(() -> load(container(",\"cpus\":\"2\"")))
        .hasMessageContaining("$.mcpServers.s.cpus").hasMessageContaining("a string");
    assertThatThrownBy(() -> load(container(",\"pidsLimit\":0")))
        .hasMessageContaining("$.mcpServers.s.pidsLimit");
  }

  @Test
  void rejectsABadNetworkNameReadOnlyFlagOrDigest() {
    assertThatThrownBy(() -> load(container(",\"network\":\"a b\"")))
        .hasMessageContaining("$.mcpServers.s.network").hasMessageContaining("not a network name");
    assertThatThrownBy(() -> load(container(",\"readOnlyRootfs\":\"yes\"")))
        .hasMessageContaining("$.mcpServers.s.readOnlyRootfs").hasMessageContaining("true or false");
    assertThatThrownBy(() -> load(container(",\"digest\":\"sha256:abc\"")))
        .hasMessageContaining("$.mcpServers.s.digest").hasMessageContaining("64 lowercase hex");
  }

  @Test
  void rejectsContainerSettingsOnCommandAndHttpServers() {
    assertThatThrownBy(() -> load("{\"command\":\"node\",\"memory\":\"512m\"}"))
        .hasMessageContaining("$.mcpServers.s.memory").hasMessageContaining("only allowed for \"container\" servers");
    assertThatThrownBy(() -> load("{\"type\":\"http\",\"url\":\"http://127.0.0.1:1/mcp\",\"network\":\"bridge\"}"))
        .hasMessageContaining("$.mcpServers.s.network").hasMessageContaining("not allowed for an \"http\" server");
  }

  @Test
  void builderKeepsSettingsThroughToBuilderAndRefusesThemOnCommandServers() {
    ServerConfig server = ServerConfig.container("example/mcp:1.0").network("bridge").memoryLimitBytes(64L << 20)
        .cpuLimit(2).pidsLimit(32).readOnlyRootFilesystem(true).imageDigest(DIGEST).build("s");

    ServerConfig copy = server.toBuilder().build("t");

    assertThat(copy.network()).contains("bridge");
    assertThat(copy.memoryLimitBytes()).hasValue(64L << 20);
    assertThat(copy.cpuLimit()).hasValue(2.0);
    assertThat(copy.pidsLimit()).hasValue(32);
    assertThat(copy.readOnlyRootFilesystem()).contains(true);
    assertThat(copy.imageDigest()).contains(DIGEST);
    assertThatThrownBy(() -> ServerConfig.command("node").pidsLimit(3).build("c"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server 'c'");
  }
}
