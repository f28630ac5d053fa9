package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerSpecTest {
  private static final ContainerSpec.Defaults DEFAULTS = new ContainerSpec.Defaults(512L << 20, 1.0, 256, 64L << 20, "65534:65534");

  @TempDir
  Path root;

  private ContainerSpec spec(ServerConfig.Builder server) {
    return ContainerSpec.of(server.build("srv"), DEFAULTS, new MountPolicy(List.of(root), MountPolicy.ENGINE_PATHS));
  }

  private static ServerConfig.Builder image() {
    return ServerConfig.container("example/mcp:1.0");
  }

  @Test
  void hardensByDefaultNoNetworkLimitsReadOnlyRootNoCapabilitiesNoPrivileges() {
    HostConfig host = spec(image()).hostConfig(64L << 20);

    assertThat(host.getNetworkMode()).isEqualTo("none");
    assertThat(host.getMemory()).isEqualTo(512L << 20);
    assertThat(host.getMemorySwap()).isEqualTo(512L << 20);
    assertThat(host.getNanoCPUs()).isEqualTo(1_000_000_000L);
    assertThat(host.getPidsLimit()).isEqualTo(256L);
    assertThat(host.getReadonlyRootfs()).isTrue();
    assertThat(host.getTmpFs()).isEqualTo(Map.of("/tmp", "rw,nosuid,nodev,size=" + (64L << 20)));
    assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
    assertThat(host.getCapAdd()).isNull();
    assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
    assertThat(host.getPrivileged()).isFalse();
    assertThat(host.getAutoRemove()).isTrue();
    assertThat(host.getBinds()).isEmpty();
  }

  @Test
  void serverSettingsReplaceTheDefaults() {
    ContainerSpec spec = spec(image().network("bridge").memoryLimitBytes(64L << 20).cpuLimit(0.25).pidsLimit(16)
        .readOnlyRootFilesystem(false).mounts(List.of(root + ":/data:ro")));

    assertThat(spec.network()).isEqualTo("bridge");
    assertThat(spec.memoryBytes()).isEqualTo(64L << 20);
    assertThat(spec.hostConfig(1 << 20).getNanoCPUs()).isEqualTo(250_000_000L);
    assertThat(spec.pidsLimit()).isEqualTo(16);
    assertThat(spec.readOnlyRootfs()).isFalse();
    assertThat(spec.hostConfig(1 << 20).getBinds()).hasSize(1);
  }

  @Test
  void acceptsTheSafeSubsetOfDockerRunArguments() {
    ContainerSpec spec = spec(image().args(List.of("--rm", "-i", "--network=bridge", "--memory", "128m", "--cpus", "2",
        "--pids-limit=32", "--read-only", "--user", "1000:1000", "-w", "/work", "-v", root + ":/data:rw")));

    assertThat(spec.network()).isEqualTo("bridge");
    assertThat(spec.memoryBytes()).isEqualTo(128L << 20);
    assertThat(spec.cpus()).isEqualTo(2.0);
    assertThat(spec.pidsLimit()).isEqualTo(32);
    assertThat(spec.user()).isEqualTo("1000:1000");
    assertThat(spec.workdir()).contains("/work");
    assertThat(spec.mounts()).extracting(MountPolicy.Mount::container).containsExactly("/data");
  }

  @Test
  void refusesArgumentsThatWeakenIsolationWithTheReason() {
    assertThatThrownBy(() -> spec(image().args(List.of("-i", "--privileged"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("$.mcpServers.srv.args[1]").hasMessageContaining("never");
    assertThatThrownBy(() -> spec(image().args(List.of("--cap-add", "SYS_ADMIN")))).hasMessageContaining("capabilities");
    assertThatThrownBy(() -> spec(image().args(List.of("--security-opt=seccomp=unconfined")))).hasMessageContaining("fixed");
    assertThatThrownBy(() -> spec(image().args(List.of("-v", "/var/run/docker.sock:/var/run/docker.sock:rw"))))
        .hasMessageContaining("Docker socket");
    assertThatThrownBy(() -> spec(image().args(List.of("-e", "TOKEN=abc")))).hasMessageContaining("use \"env\"");
    assertThatThrownBy(() -> spec(image().args(List.of("--network", "host")))).hasMessageContaining("'host' is not allowed");
    assertThatThrownBy(() -> spec(image().args(List.of("--gpus", "all")))).hasMessageContaining("not supported")
        .hasMessageContaining("--pids-limit");
    assertThatThrownBy(() -> spec(image().args(List.of("--memory")))).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> spec(image().args(List.of("--memory", "1k")))).hasMessageContaining("at least 6m");
  }

  @Test
  void runsAsTheUnprivilegedDefaultUserUnlessTheServerNamesOne() {
    assertThat(spec(image()).user()).isEqualTo("65534:65534");
    assertThat(spec(image()).runsAsRoot()).isFalse();
    assertThat(spec(image().user("1000:1000")).user()).isEqualTo("1000:1000");
    assertThat(spec(image().args(List.of("-u", "1000:1000"))).user()).isEqualTo("1000:1000");
    assertThat(spec(image().args(List.of("--user=1000"))).user()).isEqualTo("1000");
    assertThat(spec(image().user("1000:1000").args(List.of("--user", "1000:1000"))).user()).as("the same in both").isEqualTo("1000:1000");
    assertThat(spec(image().user("0:0")).runsAsRoot()).as("root only when named").isTrue();
    assertThat(spec(image().args(List.of("-u", "root"))).runsAsRoot()).isTrue();
    assertThat(spec(image().user("0")).runsAsRoot()).isTrue();
    assertThat(spec(image().user("1000:0")).runsAsRoot()).isFalse();
  }

  @Test
  void refusesAUserInArgsThatTheUserFieldWouldRefuseOrThatConflictsWithIt() {
    for (String bad : List.of("", "1000:", "1000:1000:1", "a b", "-1", "99999999999")) {
      assertThatThrownBy(() -> spec(image().args(List.of("--user", bad))))
          .as(bad).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("$.mcpServers.srv.args: --user '" + bad + "' is not a container user; use \"uid:gid\"");
    }
    assertThatThrownBy(() -> spec(image().args(List.of("-u")))).hasMessageContaining("'-u' needs a value");
    assertThatThrownBy(() -> spec(image().user("1000:1000").args(List.of("-u", "0"))))
        .hasMessageContaining("$.mcpServers.srv.user: '1000:1000' conflicts with '0' in args; keep one");
  }

  @Test
  void refusesANetworkSetDifferentlyInArgsAndConfig() {
    assertThatThrownBy(() -> spec(image().network("bridge").args(List.of("--network", "mynet"))))
        .hasMessageContaining("$.mcpServers.srv.network").hasMessageContaining("conflicts");
  }

  @Test
  void imagesWithoutATagOrWithLatestAreNotPinned() {
    assertThat(ImagePolicy.isPinned("ghcr.io/github/github-mcp-server:v1.2.3")).isTrue();
    assertThat(ImagePolicy.isPinned("localhost:5000/mcp@sha256:" + "a".repeat(64))).isTrue();
    assertThat(ImagePolicy.isPinned("ghcr.io/github/github-mcp-server:latest")).isFalse();
    assertThat(ImagePolicy.isPinned("ghcr.io/github/github-mcp-server")).isFalse();
    assertThat(ImagePolicy.isPinned("localhost:5000/mcp")).isFalse();
  }
}
