package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.config.ConfigException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountPolicyTest {
  private static final String NEVER = "container engine sockets and data directories are never mounted";

  @TempDir
  Path root;

  private MountPolicy policy() {
    return new MountPolicy(List.of(root), MountPolicy.ENGINE_PATHS);
  }

  /** Mounts allowed from the whole file system, so that only the engine paths refuse. */
  private MountPolicy everywhere(Map<String, String> environment) {
    return new MountPolicy(List.of(Path.of("/var"), Path.of("/run"), Path.of("/home"), Path.of("/root"), root),
        MountPolicy.enginePaths(environment::get, "unix:///var/run/docker.sock"));
  }

  private static void assertRefused(MountPolicy policy, String host, String... expected) {
    assertThatThrownBy(() -> policy.validate(host + ":/data:ro", "$.m[0]"))
        .as(host)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("$.m[0]: '" + host + "'")
        .hasMessageContaining(NEVER)
        .hasMessageContainingAll(expected);
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
  void refusesTheSocketOfEveryContainerEngineAtItsUsualPlaces() {
    MountPolicy policy = everywhere(Map.of());

    assertRefused(policy, "/var/run/docker.sock", "is the Docker socket");
    assertRefused(policy, "/run/docker.sock", "is the Docker socket /run/docker.sock");
    assertRefused(policy, "/run/containerd/containerd.sock", "is inside containerd's sockets /run/containerd");
    assertRefused(policy, "/var/run/containerd/containerd.sock", "containerd's sockets");
    assertRefused(policy, "/run/podman/podman.sock", "is inside the Podman socket /run/podman");
    assertRefused(policy, "/var/run/podman/podman.sock", "the Podman socket");
    assertRefused(policy, "/var/run/crio/crio.sock", "the CRI-O socket");
    assertRefused(policy, "/run/crio/crio.sock", "the CRI-O socket");
    assertRefused(policy, "/run/cri-dockerd.sock", "the cri-dockerd socket");
    assertRefused(policy, "/run/docker/plugins/x.sock", "Docker's runtime directory");
    assertRefused(policy, "/run/buildkit/buildkitd.sock", "the BuildKit socket");
    assertRefused(policy, "/run/k3s/containerd/containerd.sock", "k3s' containerd sockets");
  }

  @Test
  void refusesRootlessSocketsOfAnyUser() {
    MountPolicy policy = everywhere(Map.of());

    assertRefused(policy, "/run/user/1000/docker.sock", "is a rootless Docker socket /run/user/*/docker.sock");
    assertRefused(policy, "/run/user/1000/podman/podman.sock", "is inside a rootless Podman socket /run/user/*/podman");
    assertRefused(policy, "/var/run/user/4242/docker.sock", "a rootless Docker socket");
    assertRefused(policy, "/run/user/1000/docker", "rootless Docker's runtime directory");
    assertRefused(policy, "/run/user/1000/containerd-rootless/containerd.sock", "rootless containerd's sockets");
    assertRefused(policy, "/home/alice/.docker/run/docker.sock", "the Docker Desktop socket");
    assertRefused(policy, "/home/alice/.docker/desktop/docker.sock", "the Docker Desktop socket");
    assertRefused(policy, "/home/alice/.local/share/docker", "rootless Docker's data directory");
    assertRefused(policy, "/home/alice/.local/share/containers/storage", "rootless Podman's storage");
    assertRefused(policy, "/root/.local/share/docker", "rootless Docker's data directory");
  }

  @Test
  void refusesTheSocketsUnderXdgRuntimeDirHomeDockerHostAndContainerHost() throws Exception {
    Path xdg = Files.createDirectories(root.resolve("xdg"));
    Path home = Files.createDirectories(root.resolve("home"));
    Path engine = Files.createDirectories(root.resolve("engine"));
    MountPolicy policy = everywhere(Map.of("XDG_RUNTIME_DIR", xdg.toString(), "HOME", home.toString(),
        "DOCKER_HOST", "unix://" + engine.resolve("docker.sock"), "CONTAINER_HOST", "unix://" + engine.resolve("podman.sock")));

    assertRefused(policy, xdg + "/docker.sock", "is the rootless Docker socket " + xdg + "/docker.sock");
    assertRefused(policy, xdg + "/podman/podman.sock", "the rootless Podman socket");
    assertRefused(policy, xdg.toString(), "holds the rootless Docker socket");
    assertRefused(policy, home + "/.docker/run/docker.sock", "the Docker Desktop socket");
    assertRefused(policy, home + "/.local/share/docker/volumes", "rootless Docker's data directory");
    assertRefused(policy, engine + "/docker.sock", "the engine socket of unix://" + engine + "/docker.sock");
    assertRefused(policy, engine.toString(), "holds the engine socket of unix://" + engine + "/docker.sock");
    assertRefused(policy, engine + "/podman.sock", "is the engine socket of unix://" + engine + "/podman.sock");
    assertThat(policy.validate(root.resolve("data") + ":/data:ro", "$.m[0]").host()).isEqualTo(root.resolve("data"));
    assertThat(policy.validate(xdg.resolve("app") + ":/data:ro", "$.m[0]").host()).as("other names there").isEqualTo(xdg.resolve("app"));
  }

  @Test
  void refusesEngineDataDirectoriesAndAnythingInsideThem() {
    MountPolicy policy = everywhere(Map.of());

    assertRefused(policy, "/var/lib/docker", "is Docker's data directory /var/lib/docker");
    assertRefused(policy, "/var/lib/docker/volumes/app/_data", "is inside Docker's data directory");
    assertRefused(policy, "/var/lib/containerd", "containerd's data directory");
    assertRefused(policy, "/var/lib/containers/storage", "Podman's and CRI-O's storage");
  }

  @Test
  void refusesParentsThatHoldAnEngineSocketMountedWhole() {
    MountPolicy policy = everywhere(Map.of());

    assertRefused(policy, "/run", "holds the Docker socket /run/docker.sock");
    assertRefused(policy, "/var/run", "holds the Docker socket");
    assertRefused(policy, "/var", "holds");
    assertRefused(policy, "/var/lib", "holds Docker's data directory /var/lib/docker");
    assertRefused(policy, "/run/user", "holds a rootless Docker socket");
    assertRefused(policy, "/run/user/1000", "holds a rootless Docker socket /run/user/*/docker.sock");
    assertRefused(policy, "/home/alice", "holds the Docker Desktop socket");
    assertRefused(policy, "/", "holds the Docker socket");
    assertThat(policy.validate("/run/user/1000/app:/data:ro", "$.m[0]").host()).as("a sibling of the sockets")
        .isEqualTo(Path.of("/run/user/1000/app"));
  }

  @Test
  void followsSymbolicLinksToAnEngineSocketEvenWhenTheyPointNowhereYet() throws Exception {
    MountPolicy policy = everywhere(Map.of());
    Path toSocket = Files.createSymbolicLink(root.resolve("sock"), Path.of("/var/run/docker.sock"));
    Path toRun = Files.createSymbolicLink(root.resolve("run"), Path.of("/run"));
    Path toVolume = Files.createSymbolicLink(root.resolve("volume"), Path.of("/var/lib/docker/volumes/app/_data"));
    Path relative = Files.createSymbolicLink(root.resolve("up"), Path.of("../".repeat(root.getNameCount()) + "run/podman"));
    Path chain = Files.createSymbolicLink(root.resolve("chain"), toSocket);

    assertRefused(policy, toSocket.toString(), "(which leads to /run/docker.sock)", "is the Docker socket");
    assertRefused(policy, toRun.toString(), "(which leads to /run)", "holds the Docker socket");
    assertRefused(policy, toRun + "/containerd/containerd.sock", "(which leads to /run/containerd/containerd.sock)");
    assertRefused(policy, toVolume.toString(), "is inside Docker's data directory");
    assertRefused(policy, relative + "/podman.sock", "(which leads to /run/podman/podman.sock)");
    assertRefused(policy, chain.toString(), "(which leads to /run/docker.sock)");
  }

  @Test
  void dotDotAfterASymbolicLinkGoesUpFromTheLinksTargetAsTheKernelDoes() throws Exception {
    MountPolicy policy = everywhere(Map.of());
    Path deep = Files.createSymbolicLink(root.resolve("deep"), Path.of("/var/lib/docker/volumes"));
    // read lexically, root/parent is root/deep/.. = root, which is allowed; the kernel reads /var/lib/docker
    Path parent = Files.createSymbolicLink(root.resolve("parent"), Path.of("deep/.."));

    assertRefused(policy, parent.toString(), "(which leads to /var/lib/docker)", "is Docker's data directory");
  }

  @Test
  void refusesAUnixSocketOfAnyNameAndALinkToOne() throws Exception {
    Path socket = root.resolve("app.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Path link = Files.createSymbolicLink(root.resolve("link"), socket);

      assertThatThrownBy(() -> policy().validate(socket + ":/s:rw", "$.m[0]"))
          .hasMessage("$.m[0]: '" + socket + "' is a Unix socket; no socket is ever mounted, since one may be a container engine's");
      assertThatThrownBy(() -> policy().validate(link + ":/s:rw", "$.m[0]"))
          .hasMessageContaining("(which leads to " + socket + ") is a Unix socket");
    }
  }

  @Test
  void aSymbolicLinkLoopIsAClearError() throws Exception {
    Files.createSymbolicLink(root.resolve("a"), root.resolve("b"));
    Files.createSymbolicLink(root.resolve("b"), root.resolve("a"));

    assertThatThrownBy(() -> policy().validate(root.resolve("a") + ":/data:ro", "$.m[0]"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("more than 40 symbolic links");
  }

  @Test
  void theBindGivenToTheEngineIsTheResolvedPath() throws Exception {
    Path data = Files.createDirectories(root.resolve("data"));
    Path alias = Files.createSymbolicLink(root.resolve("alias"), data);

    assertThat(policy().validate(alias + ":/data:ro", "$.m[0]").bind()).isEqualTo(data + ":/data:ro");
  }

  @Test
  void refusesEveryMountWhenNoRootIsAllowedAndSystemTargets() {
    MountPolicy none = new MountPolicy(List.of(), MountPolicy.ENGINE_PATHS);

    assertThatThrownBy(() -> none.validate(root + ":/data:ro", "$.m[0]")).hasMessageContaining("allowedMountRoots");
    assertThatThrownBy(() -> policy().validate(root + ":/proc:ro", "$.m[0]")).hasMessageContaining("system directory");
    assertThatThrownBy(() -> policy().validate(root + ":/:ro", "$.m[0]")).hasMessageContaining("system directory");
  }

  @Test
  void engineMountsAreRefusedEvenWhenNoRootIsAllowed() {
    MountPolicy none = new MountPolicy(List.of(), MountPolicy.ENGINE_PATHS);

    assertRefused(none, "/var/run/docker.sock", "the Docker socket");
  }
}
