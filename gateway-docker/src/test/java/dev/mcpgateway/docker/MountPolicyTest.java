package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountPolicyTest {
  @TempDir
  Path root;

  private MountPolicy policy() {
    return new MountPolicy(List.of(root), MountPolicy.DOCKER_SOCKETS);
  }

  @Test
  void acceptsAnAbsoluteMountUnderAnAllowedRootWithItsMode() throws Exception {
    Files.createDirectories(root.resolve("data"));

    MountPolicy.Mount mount = policy().validate(root.resolve("data") + ":/data:ro", "$.m[0]");

    assertThat(mount.readOnly()).isTrue();
    assertThat(mount.bind()).isEqualTo(root.resolve("data") + ":/data:ro");
    assertThat(policy().validate(root + "/new:/work:rw", "$.m[0]").readOnly()).isFalse();
  }

  @Test
  void rejectsMountsWithoutModeWithRelativePathsOrWithDotDot() {
    assertThatThrownBy(() -> policy().validate(root + ":/data", "$.m[0]"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("$.m[0]").hasMessageContaining("is not a mount");
    assertThatThrownBy(() -> policy().validate(root + ":/data:rx", "$.m[0]")).hasMessageContaining("mode 'rx'");
    assertThatThrownBy(() -> policy().validate("data:/data:ro", "$.m[0]")).hasMessageContaining("must be absolute");
    assertThatThrownBy(() -> policy().validate(root + "/../etc:/data:ro", "$.m[0]")).hasMessageContaining("'..'");
    assertThatThrownBy(() -> policy().validate(root + ":data:ro", "$.m[0]")).hasMessageContaining("container path");
  }

  @Test
  void rejectsPathsOutsideTheAllowedRootsEvenThroughASymbolicLink() throws Exception {
    Path link = Files.createSymbolicLink(root.resolve("escape"), Path.of("/etc"));

    assertThatThrownBy(() -> policy().validate("/etc:/data:ro", "$.m[0]")).hasMessageContaining("not under an allowed mount root");
    assertThatThrownBy(() -> policy().validate(link + ":/data:ro", "$.m[0]")).hasMessageContaining("not under an allowed mount root");
  }

  @Test
  void neverMountsTheDockerSocketOrADirectoryHoldingIt() {
    MountPolicy everywhere = new MountPolicy(List.of(Path.of("/var"), Path.of("/run")), MountPolicy.DOCKER_SOCKETS);

    assertThatThrownBy(() -> everywhere.validate("/var/run/docker.sock:/var/run/docker.sock:rw", "$.m[0]"))
        .hasMessageContaining("Docker socket");
    assertThatThrownBy(() -> everywhere.validate("/var/run:/host-run:ro", "$.m[0]")).hasMessageContaining("Docker socket");
    assertThatThrownBy(() -> everywhere.validate("/:/host:ro", "$.m[0]")).hasMessageContaining("Docker socket");
  }

  @Test
  void refusesEveryMountWhenNoRootIsAllowedAndSystemTargets() {
    MountPolicy none = new MountPolicy(List.of(), MountPolicy.DOCKER_SOCKETS);

    assertThatThrownBy(() -> none.validate(root + ":/data:ro", "$.m[0]")).hasMessageContaining("allowedMountRoots");
    assertThatThrownBy(() -> policy().validate(root + ":/proc:ro", "$.m[0]")).hasMessageContaining("system directory");
    assertThatThrownBy(() -> policy().validate(root + ":/:ro", "$.m[0]")).hasMessageContaining("system directory");
  }
}
