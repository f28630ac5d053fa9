package dev.mcpgateway.docker;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.ServerConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything about one server's container, validated: the server's own settings first, then
 * the safe subset of its {@code args}, then the launcher's hardened defaults. Turns into the
 * engine's {@link HostConfig} with no way to weaken isolation beyond what was validated.
 */
record ContainerSpec(
    String server,
    String image,
    Optional<String> entrypoint,
    List<String> command,
    String network,
    long memoryBytes,
    double cpus,
    int pidsLimit,
    boolean readOnlyRootfs,
    String user,
    Optional<String> workdir,
    List<MountPolicy.Mount> mounts,
    Optional<String> imageDigest) {

  /** The launcher's defaults for what a server does not set. */
  record Defaults(long memoryBytes, double cpus, int pidsLimit, long tmpfsBytes, String user) {
    /** The unprivileged user containers run as when their server names none: nobody:nogroup. */
    static final String UNPRIVILEGED_USER = "65534:65534";
  }

  private static final Pattern MEMORY = Pattern.compile("([0-9]{1,15})([bkmg]?)", Pattern.CASE_INSENSITIVE);

  /** Validates {@code server}; every error is a {@link ConfigException} naming the JSON path. */
  static ContainerSpec of(ServerConfig server, Defaults defaults, MountPolicy mountPolicy) {
    String at = "$.mcpServers." + server.name();
    String image = server.container().orElseThrow(() -> new ConfigException(at + ".container",
        "missing; the Docker launcher only runs container servers"));
    RuntimeArgs args = RuntimeArgs.parse(server.args(), at + ".args");
    String network = pick(server.network(), args.network, at, "network").orElse("none");
    if (network.equals("host") || network.startsWith("container:") || network.contains(":")) {
      throw new ConfigException(at + ".network", "'" + network
          + "' is not allowed: it shares another network stack; name a Docker network such as \"bridge\", or leave it out for none");
    }
    long memory = server.memoryLimitBytes().isPresent() ? server.memoryLimitBytes().getAsLong()
        : args.memory != null ? memory(args.memory, at + ".args") : defaults.memoryBytes();
    double cpus = server.cpuLimit().isPresent() ? server.cpuLimit().getAsDouble()
        : args.cpus != null ? number(args.cpus, at + ".args", "--cpus", 0.01, 1024) : defaults.cpus();
    int pids = server.pidsLimit().isPresent() ? server.pidsLimit().getAsInt()
        : args.pidsLimit != null ? (int) number(args.pidsLimit, at + ".args", "--pids-limit", 1, 4_194_304) : defaults.pidsLimit();
    boolean readOnly = server.readOnlyRootFilesystem().orElse(true) || args.readOnly;
    if (args.user != null && !ServerConfig.isValidUser(args.user)) {
      throw new ConfigException(at + ".args", "--user '" + args.user + "' is not a container user; use \"uid:gid\" "
          + "such as \"1000:1000\", or a user name the image knows (optionally \"name:group\")");
    }
    String user = pick(server.user(), args.user, at, "user").orElse(defaults.user());
    List<MountPolicy.Mount> mounts = mountPolicy.validateAll(server.mounts(), at + ".mounts");
    if (!args.volumes.isEmpty()) {
      mounts = new java.util.ArrayList<>(mounts);
      mounts.addAll(mountPolicy.validateAll(args.volumes, at + ".args(--volume)"));
    }
    return new ContainerSpec(server.name(), image, server.entrypoint(), server.entrypointArgs(), network, memory, cpus,
        pids, readOnly, user, Optional.ofNullable(args.workdir), List.copyOf(mounts),
        server.imageDigest());
  }

  /** Whether the container runs as root: user 0 or the name root (a name may still map to 0 inside the image). */
  boolean runsAsRoot() {
    String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
    return name.equals("root") || name.matches("0+");
  }

  /** The engine's host settings: limits, no privileges, no capabilities, read-only root with a small /tmp. */
  HostConfig hostConfig(long tmpfsBytes) {
    return HostConfig.newHostConfig()
        .withNetworkMode(network)
        .withMemory(memoryBytes)
        .withMemorySwap(memoryBytes) // no swap beyond the memory limit
        .withNanoCPUs(Math.round(cpus * 1e9))
        .withPidsLimit((long) pidsLimit)
        .withReadonlyRootfs(readOnlyRootfs)
        .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=" + tmpfsBytes))
        .withCapDrop(Capability.ALL)
        .withSecurityOpts(List.of("no-new-privileges"))
        .withPrivileged(false)
        .withAutoRemove(true)
        .withBinds(mounts.stream().map(m -> Bind.parse(m.bind())).toList());
  }

  private static Optional<String> pick(Optional<String> field, String fromArgs, String at, String name) {
    if (field.isPresent() && fromArgs != null && !field.get().equals(fromArgs)) {
      throw new ConfigException(at + "." + name, "'" + field.get() + "' conflicts with '" + fromArgs + "' in args; keep one");
    }
    return field.isPresent() ? field : Optional.ofNullable(fromArgs);
  }

  private static long memory(String text, String at) {
    Matcher m = MEMORY.matcher(text.trim());
    if (!m.matches()) {
      throw new ConfigException(at, "--memory '" + text + "' is not a size such as 512m or 1g");
    }
    int shift = "bkmg".indexOf(m.group(2).isEmpty() ? 'b' : Character.toLowerCase(m.group(2).charAt(0))) * 10;
    long bytes = Long.parseLong(m.group(1)) << shift;
    if (bytes < 6L * 1024 * 1024 || bytes >>> shift != Long.parseLong(m.group(1))) {
      throw new ConfigException(at, "--memory '" + text + "' must be at least 6m");
    }
    return bytes;
  }

  private static double number(String text, String at, String flag, double min, double max) {
    try {
      double value = Double.parseDouble(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(at, flag + " '" + text + "' must be a number from " + min + " to " + max);
  }
}
