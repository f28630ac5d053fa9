package dev.mcpgateway.docker;

import dev.mcpgateway.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Validates host mounts ({@code /host:/container:ro|rw}): absolute paths without {@code ..},
 * an explicit mode, a host path under one of the allowed roots (after following symbolic links),
 * and never the Docker socket or a directory holding it.
 */
final class MountPolicy {
  /** Where Docker engines keep their socket; none of these may reach a container. */
  static final Set<Path> DOCKER_SOCKETS = Set.of(Path.of("/var/run/docker.sock"), Path.of("/run/docker.sock"));
  private static final Set<String> SYSTEM_TARGETS = Set.of("/", "/proc", "/sys", "/dev");

  /** A validated mount. */
  record Mount(Path host, String container, boolean readOnly) {
    String bind() {
      return host + ":" + container + ":" + (readOnly ? "ro" : "rw");
    }
  }

  private final List<Path> allowedRoots;
  private final Set<Path> sockets;

  MountPolicy(List<Path> allowedRoots, Set<Path> sockets) {
    this.allowedRoots = List.copyOf(allowedRoots);
    this.sockets = Set.copyOf(sockets);
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
    Path real = realPath(host);
    for (Path socket : sockets) {
      if (socket.startsWith(host) || socket.startsWith(real) || realPath(socket).startsWith(real)) {
        throw new ConfigException(at, "'" + host + "' exposes the Docker socket " + socket + ", which is never mounted");
      }
    }
    if (allowedRoots.isEmpty()) {
      throw new ConfigException(at, "host mounts are disabled; allow a root with DockerBackendLauncher.builder().allowedMountRoots(...)");
    }
    if (allowedRoots.stream().noneMatch(root -> host.startsWith(root) && real.startsWith(realPath(root)))) {
      throw new ConfigException(at, "'" + host + "' is not under an allowed mount root " + allowedRoots);
    }
    return new Mount(host, container.toString(), parts[2].equals("ro"));
  }

  /** Validates every mount of a server. */
  List<Mount> validateAll(List<String> specs, String at) {
    List<Mount> mounts = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      mounts.add(validate(specs.get(i), at + "[" + i + "]"));
    }
    return mounts;
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

  /** The path with symbolic links followed as far as it exists, so a link cannot lead out of a root. */
  private static Path realPath(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return path;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(path));
    } catch (IOException e) {
      return path;
    }
  }
}
