package dev.mcpgateway.docker;

import dev.mcpgateway.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Validates host mounts ({@code /host:/container:ro|rw}): absolute paths without {@code .} or
 * {@code ..}, an explicit mode, a host path under one of the allowed roots, and never a container
 * engine's socket or data directory, nor a directory holding one, nor a Unix socket of any name.
 *
 * <p>The host path is resolved as the kernel would: every symbolic link, also one that points
 * nowhere yet and one whose target has {@code ..}, is followed before any check, and the bind
 * given to the engine is the resolved path.
 */
final class MountPolicy {
  /** A place where a container engine keeps its socket or state; {@code *} in a path stands for any one name. */
  record EnginePath(Path path, String what) {}

  private static final int MAX_LINKS = 40; // as Linux's ELOOP limit
  private static final int SOCKET_TYPE = 0140000;
  private static final int TYPE_MASK = 0170000;
  private static final Set<String> SYSTEM_TARGETS = Set.of("/", "/proc", "/sys", "/dev");

  /** Engine paths that do not depend on the environment; each one under {@code /run} also under {@code /var/run}. */
  static final List<EnginePath> ENGINE_PATHS = fixedEnginePaths();

  /** A validated mount. */
  record Mount(Path host, String container, boolean readOnly) {
    String bind() {
      return host + ":" + container + ":" + (readOnly ? "ro" : "rw");
    }
  }

  private final List<Path> allowedRoots;
  private final List<EnginePath> enginePaths;

  MountPolicy(List<Path> allowedRoots, Collection<EnginePath> enginePaths) {
    this.allowedRoots = List.copyOf(allowedRoots);
    List<EnginePath> all = new ArrayList<>(enginePaths);
    for (EnginePath p : enginePaths) {
      // also where the path leads today: /var/run/docker.sock is /run/docker.sock, /var/lib/docker may be a link
      try {
        Path resolved = resolveUpToWildcard(p.path());
        if (!resolved.equals(p.path())) {
          all.add(new EnginePath(resolved, p.what()));
        }
      } catch (ConfigException e) {
        // a link loop on the host: the path as named is still refused
      }
    }
    this.enginePaths = List.copyOf(all);
  }

  /**
   * Every engine path: the fixed ones, those under {@code $XDG_RUNTIME_DIR} and {@code $HOME},
   * and the Unix sockets named by {@code DOCKER_HOST}, {@code CONTAINER_HOST} and {@code dockerHost}.
   */
  static List<EnginePath> enginePaths(Function<String, String> environment, String dockerHost) {
    List<EnginePath> paths = new ArrayList<>(ENGINE_PATHS);
    String runtimeDir = environment.apply("XDG_RUNTIME_DIR");
    if (runtimeDir != null && runtimeDir.startsWith("/")) {
      Path dir = Path.of(runtimeDir).normalize();
      paths.add(new EnginePath(dir.resolve("docker.sock"), "the rootless Docker socket"));
      paths.add(new EnginePath(dir.resolve("docker"), "rootless Docker's runtime directory"));
      paths.add(new EnginePath(dir.resolve("podman"), "the rootless Podman socket"));
      paths.add(new EnginePath(dir.resolve("containerd-rootless"), "rootless containerd's sockets"));
      paths.add(new EnginePath(dir.resolve("buildkit"), "the rootless BuildKit socket"));
    }
    String home = environment.apply("HOME");
    if (home != null && home.startsWith("/") && Path.of(home).normalize().getNameCount() > 0) {
      addHome(paths, Path.of(home).normalize());
    }
    for (String host : new String[] {environment.apply("DOCKER_HOST"), environment.apply("CONTAINER_HOST"), dockerHost}) {
      if (host != null && host.startsWith("unix://") && host.length() > "unix://".length()) {
        paths.add(new EnginePath(Path.of(host.substring("unix://".length())).normalize(), "the engine socket of " + host));
      }
    }
    return paths;
  }

  private static List<EnginePath> fixedEnginePaths() {
    List<EnginePath> run = List.of(
        new EnginePath(Path.of("/run/docker.sock"), "the Docker socket"),
        new EnginePath(Path.of("/run/docker"), "Docker's runtime directory (plugin and containerd sockets)"),
        new EnginePath(Path.of("/run/containerd"), "containerd's sockets"),
        new EnginePath(Path.of("/run/podman"), "the Podman socket"),
        new EnginePath(Path.of("/run/crio"), "the CRI-O socket"),
        new EnginePath(Path.of("/run/cri-dockerd.sock"), "the cri-dockerd socket"),
        new EnginePath(Path.of("/run/dockershim.sock"), "the dockershim socket"),
        new EnginePath(Path.of("/run/buildkit"), "the BuildKit socket"),
        new EnginePath(Path.of("/run/k3s"), "k3s' containerd sockets"),
        new EnginePath(Path.of("/run/user/*/docker.sock"), "a rootless Docker socket"),
        new EnginePath(Path.of("/run/user/*/docker"), "rootless Docker's runtime directory"),
        new EnginePath(Path.of("/run/user/*/podman"), "a rootless Podman socket"),
        new EnginePath(Path.of("/run/user/*/containerd-rootless"), "rootless containerd's sockets"),
        new EnginePath(Path.of("/run/user/*/buildkit"), "a rootless BuildKit socket"));
    List<EnginePath> paths = new ArrayList<>(run);
    for (EnginePath p : run) {
      paths.add(new EnginePath(Path.of("/var").resolve(p.path().toString().substring(1)), p.what()));
    }
    paths.add(new EnginePath(Path.of("/var/lib/docker"), "Docker's data directory"));
    paths.add(new EnginePath(Path.of("/var/lib/containerd"), "containerd's data directory"));
    paths.add(new EnginePath(Path.of("/var/lib/containers"), "Podman's and CRI-O's storage"));
    addHome(paths, Path.of("/home/*"));
    addHome(paths, Path.of("/root"));
    return List.copyOf(paths);
  }

  private static void addHome(List<EnginePath> paths, Path home) {
    paths.add(new EnginePath(home.resolve(".docker/run"), "the Docker Desktop socket"));
    paths.add(new EnginePath(home.resolve(".docker/desktop"), "the Docker Desktop socket"));
    paths.add(new EnginePath(home.resolve(".local/share/docker"), "rootless Docker's data directory"));
    paths.add(new EnginePath(home.resolve(".local/share/containers"), "rootless Podman's storage"));
  }

  /** Parses and checks one mount; {@code at} is its JSON path for the error. */
  Mount validate(String spec, String at) {
    String[] parts = spec.split(":", -1);
    if (parts.length != 3) {
      throw new ConfigException(at, "'" + spec + "' is not a mount; use \"/host/path:/container/path:ro\" (or :rw)");
    }
    if (!parts[2].equals("ro") && !parts[2].equals("rw")) {
      throw new ConfigException(at, "mode '" + parts[2] + "' is not ro or rw");
    }
    Path host = absolute(parts[0], "host path", at);
    Path container = absolute(parts[1], "container path", at);
    if (SYSTEM_TARGETS.contains(container.toString()) || container.startsWith("/proc") || container.startsWith("/sys")) {
      throw new ConfigException(at, "container path '" + container + "' would cover a system directory");
    }
    Path real = resolve(host, at);
    String shown = "'" + host + "'" + (real.equals(host) ? "" : " (which leads to " + real + ")");
    for (EnginePath engine : enginePaths) {
      String relation = relation(real, engine.path());
      if (relation != null) {
        throw new ConfigException(at, shown + " " + relation + " " + engine.what() + " " + engine.path()
            + "; container engine sockets and data directories are never mounted, since they give a container control of the host");
      }
    }
    if (isSocket(real)) {
      throw new ConfigException(at, shown + " is a Unix socket; no socket is ever mounted, since one may be a container engine's");
    }
    if (allowedRoots.isEmpty()) {
      throw new ConfigException(at, "host mounts are disabled; allow a root with DockerBackendLauncher.builder().allowedMountRoots(...)");
    }
    if (allowedRoots.stream().noneMatch(root -> host.startsWith(root) && real.startsWith(resolve(root, at)))) {
      throw new ConfigException(at, shown + " is not under an allowed mount root " + allowedRoots);
    }
    return new Mount(real, container.toString(), parts[2].equals("ro"));
  }

  /** Validates every mount of a server. */
  List<Mount> validateAll(List<String> specs, String at) {
    List<Mount> mounts = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      mounts.add(validate(specs.get(i), at + "[" + i + "]"));
    }
    return mounts;
  }

  /** How {@code host} meets an engine path: "is", "is inside" or "holds"; null when they are apart. */
  private static String relation(Path host, Path engine) {
    boolean inside = isPrefix(engine, host);
    boolean holds = isPrefix(host, engine);
    if (inside && holds) {
      return "is";
    }
    return inside ? "is inside" : holds ? "holds" : null;
  }

  /** Whether {@code prefix}'s names start {@code path}'s, {@code *} matching any one name. */
  private static boolean isPrefix(Path prefix, Path path) {
    if (prefix.getNameCount() > path.getNameCount()) {
      return false;
    }
    for (int i = 0; i < prefix.getNameCount(); i++) {
      String a = prefix.getName(i).toString();
      String b = path.getName(i).toString();
      if (!a.equals(b) && !a.equals("*") && !b.equals("*")) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSocket(Path path) {
    try {
      Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return mode instanceof Integer m && (m & TYPE_MASK) == SOCKET_TYPE;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false; // does not exist (yet), or no Unix attributes here
    }
  }

  private static Path absolute(String text, String what, String at) {
    Path path = Path.of(text.isEmpty() ? "." : text);
    if (!path.isAbsolute()) {
      throw new ConfigException(at, what + " '" + text + "' must be absolute");
    }
    for (Path part : path) {
      if (part.toString().equals("..") || part.toString().equals(".")) {
        throw new ConfigException(at, what + " '" + text + "' must not contain '.' or '..'");
      }
    }
    if (text.contains(",")) {
      throw new ConfigException(at, what + " '" + text + "' must not contain ','");
    }
    return path.normalize();
  }

  /**
   * {@code path} with every symbolic link followed, name by name, as the kernel resolves it: a
   * {@code ..} after a link goes up from the link's target, a link that points nowhere is still
   * followed, and names that do not exist are kept as they are.
   */
  static Path resolve(Path path, String at) {
    Path root = path.getRoot();
    List<String> pending = new ArrayList<>();
    path.forEach(name -> pending.add(name.toString()));
    Path current = root;
    int links = 0;
    while (!pending.isEmpty()) {
      String name = pending.remove(0);
      if (name.equals(".") || name.isEmpty()) {
        continue;
      }
      if (name.equals("..")) {
        current = current.getParent() == null ? root : current.getParent();
        continue;
      }
      Path next = current.resolve(name);
      if (!Files.isSymbolicLink(next)) {
        current = next;
        continue;
      }
      if (++links > MAX_LINKS) {
        throw new ConfigException(at, "'" + path + "' goes through more than " + MAX_LINKS + " symbolic links");
      }
      Path target;
      try {
        target = Files.readSymbolicLink(next);
      } catch (IOException e) {
        throw new ConfigException(at, "cannot read the symbolic link " + next + ": " + e.getMessage());
      }
      List<String> names = new ArrayList<>();
      target.forEach(n -> names.add(n.toString()));
      pending.addAll(0, names);
      if (target.isAbsolute()) {
        current = root;
      }
    }
    return current;
  }

  /** Resolves the part of {@code pattern} before its first {@code *}, keeping the rest as it is. */
  private static Path resolveUpToWildcard(Path pattern) {
    int wildcard = 0;
    while (wildcard < pattern.getNameCount() && !pattern.getName(wildcard).toString().equals("*")) {
      wildcard++;
    }
    if (wildcard == 0) {
      return pattern;
    }
    Path fixed = resolve(pattern.getRoot().resolve(pattern.subpath(0, wildcard)), "$");
    return wildcard == pattern.getNameCount() ? fixed : fixed.resolve(pattern.subpath(wildcard, pattern.getNameCount()));
  }
}

