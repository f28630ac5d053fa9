package dev.mcpgateway.docker;

import dev.mcpgateway.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safe subset of {@code docker run} flags a container server may give in {@code args}
 * (for gh-aw-mcpg compatibility). Flags that weaken isolation are refused with the reason;
 * unknown flags are refused with the list of supported ones.
 */
final class RuntimeArgs {
  private static final Set<String> IGNORED = Set.of("--rm", "-i", "--interactive");
  private static final Map<String, String> REFUSED = Map.ofEntries(
      Map.entry("--privileged", "privileged containers are never started"),
      Map.entry("--cap-add", "all capabilities are dropped and none is added back"),
      Map.entry("--security-opt", "the security options are fixed (no-new-privileges)"),
      Map.entry("--device", "host devices are never passed in"),
      Map.entry("--pid", "containers keep their own process namespace"),
      Map.entry("--ipc", "containers keep their own IPC namespace"),
      Map.entry("--uts", "containers keep their own UTS namespace"),
      Map.entry("--userns", "containers keep the engine's user namespace setting"),
      Map.entry("--cgroupns", "containers keep their own cgroup namespace"),
      Map.entry("--mount", "use \"mounts\" (validated against the allowed roots)"),
      Map.entry("--volumes-from", "use \"mounts\" (validated against the allowed roots)"),
      Map.entry("-p", "stdio servers publish no ports"),
      Map.entry("--publish", "stdio servers publish no ports"),
      Map.entry("-e", "use \"env\", whose values stay out of logs"),
      Map.entry("--env", "use \"env\", whose values stay out of logs"),
      Map.entry("--env-file", "use \"env\", whose values stay out of logs"));
  private static final List<String> SUPPORTED = List.of("--rm", "-i", "--network", "--memory", "--cpus",
      "--pids-limit", "--read-only", "--user", "--workdir", "--volume");

  String network;
  String memory;
  String cpus;
  String pidsLimit;
  boolean readOnly;
  String user;
  String workdir;
  final List<String> volumes = new ArrayList<>();

  /** Parses {@code args}; {@code at} is the JSON path of the array. */
  static RuntimeArgs parse(List<String> args, String at) {
    RuntimeArgs parsed = new RuntimeArgs();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String itemAt = at + "[" + i + "]";
      int eq = arg.indexOf('=');
      String flag = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
      String inline = flag.equals(arg) ? null : arg.substring(eq + 1);
      if (IGNORED.contains(flag)) {
        continue;
      }
      if (REFUSED.containsKey(flag)) {
        throw new ConfigException(itemAt, "'" + flag + "' is not allowed: " + REFUSED.get(flag));
      }
      if (flag.equals("--read-only")) {
        parsed.readOnly = true;
        continue;
      }
      if (!flag.startsWith("-")) {
        throw new ConfigException(itemAt, "'" + arg + "' is not a flag; put entrypoint arguments in \"entrypointArgs\"");
      }
      String value = inline;
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new ConfigException(itemAt, "'" + flag + "' needs a value");
        }
        value = args.get(++i);
      }
      switch (flag) {
        case "--network", "--net" -> parsed.network = value;
        case "-m", "--memory" -> parsed.memory = value;
        case "--cpus" -> parsed.cpus = value;
        case "--pids-limit" -> parsed.pidsLimit = value;
        case "-u", "--user" -> parsed.user = value;
        case "-w", "--workdir" -> parsed.workdir = value;
        case "-v", "--volume" -> parsed.volumes.add(value);
        default -> throw new ConfigException(itemAt, "'" + flag + "' is not supported for container servers; supported: "
            + String.join(", ", SUPPORTED));
      }
    }
    return parsed;
  }
}
