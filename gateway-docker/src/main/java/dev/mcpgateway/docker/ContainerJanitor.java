package dev.mcpgateway.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labels the containers of one launcher instance and removes them: its own at close, and at
 * start those whose owning gateway process on this host is gone.
 *
 * <p>The owner label is {@code host/pid/start-millis}; a container counts as orphaned when its
 * host is this one and no process with that pid and start time runs. A gateway killed with
 * SIGKILL stays a zombie until its parent reaps it, and the JDK reports a zombie as alive with
 * its start time: on Linux its state in {@code /proc/<pid>/stat} decides. Containers of other
 * hosts are left to their own gateway.
 */
final class ContainerJanitor {
  static final String MANAGED = "dev.mcpgateway.managed";
  static final String INSTANCE = "dev.mcpgateway.instance";
  static final String OWNER = "dev.mcpgateway.owner";
  static final String SERVER = "dev.mcpgateway.server";
  static final String SESSION = "dev.mcpgateway.session";
  /** How far the start time of an owner's pid may be from its label's and still name the same process. */
  static final long START_TOLERANCE_MILLIS = 2_000;
  private static final Logger LOG = LoggerFactory.getLogger(ContainerJanitor.class);

  private final DockerClient docker;
  private final String instance;
  private final String host;
  private final String owner;

  ContainerJanitor(DockerClient docker, String instance, String host, ProcessHandle process) {
    this.docker = docker;
    this.instance = instance;
    this.host = host;
    this.owner = ownerLabel(host, process);
  }

  /** The owner label of containers started by {@code process} on {@code host}. */
  static String ownerLabel(String host, ProcessHandle process) {
    return host + "/" + process.pid() + "/" + startMillis(process);
  }

  /** This machine's name, as owner labels use it. */
  static String localHostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  /** The labels of a container started for {@code server} and {@code sessionKey}. */
  Map<String, String> labels(String server, String sessionKey) {
    return Map.of(MANAGED, "true", INSTANCE, instance, OWNER, owner, SERVER, server, SESSION, sessionKey);
  }

  /** Removes containers whose owning gateway died; returns how many. */
  int removeOrphans() {
    int removed = 0;
    for (Container container : list(MANAGED + "=true")) {
      String label = container.getLabels() == null ? null : container.getLabels().get(OWNER);
      if (label != null && !label.equals(owner) && isGone(label, host)) {
        remove(container.getId());
        removed++;
      }
    }
    if (removed > 0) {
      LOG.info("Removed {} container(s) left by gateway instances that are gone", removed);
    }
    return removed;
  }

  /** Removes every container of this launcher instance; returns how many. */
  int removeOwn() {
    List<Container> own = list(INSTANCE + "=" + instance);
    own.forEach(c -> remove(c.getId()));
    return own.size();
  }

  /** Force-removes a container; one that is already gone or going is fine, and a failure is logged, not thrown. */
  void remove(String idOrName) {
    try {
      docker.removeContainerCmd(idOrName).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException | ConflictException e) {
      LOG.debug("Container {} is already gone or being removed", idOrName);
    } catch (RuntimeException e) {
      LOG.warn("Removing container {} failed: {}", idOrName, e.getMessage());
    }
  }

  private List<Container> list(String label) {
    return docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(label)).exec();
  }

  /**
   * Whether the gateway named by owner label {@code label} is gone: the label names
   * {@code host} and no process with its pid and start time runs. A pid now used by a process
   * that started more than {@link #START_TOLERANCE_MILLIS} away is another process; a zombie (a
   * process killed but not yet reaped) is gone. Labels of other hosts, labels that do not parse
   * and processes whose start time is unknown are never gone.
   */
  static boolean isGone(String label, String host) {
    String[] parts = label.split("/");
    if (parts.length != 3 || !parts[0].equals(host)) {
      return false;
    }
    long pid;
    long started;
    try {
      pid = Long.parseLong(parts[1]);
      started = Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      return true;
    }
    if (isZombie(pid)) {
      return true;
    }
    long now = startMillis(process.get());
    // 0 is an unknown start time, which decides nothing. The JDK derives start times from the
    // boot time in whole seconds, which a clock step can move: a live gateway must not lose its
    // containers over that.
    return started != 0 && now != 0 && Math.abs(now - started) > START_TOLERANCE_MILLIS;
  }

  /** Whether {@code pid} has exited and waits for its parent to reap it; false where there is no {@code /proc}. */
  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int name = stat.lastIndexOf(')'); // the command name in parentheses may hold spaces and ')'
      char state = name > 0 && name + 2 < stat.length() ? stat.charAt(name + 2) : '?';
      return state == 'Z' || state == 'X';
    } catch (IOException | RuntimeException e) {
      return false; // no /proc, or the process went meanwhile: the next launcher decides
    }
  }

  private static long startMillis(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }
}
