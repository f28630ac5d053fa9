package dev.mcpgateway.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Where the time and the bytes of a call go: each target under the load of {@link LoadBenchmark}
 * (wrk, 32 connections, {@code tools/call} on one session) after its JIT warm-up, profiled with
 * async-profiler (CPU, then allocation) while wrk measures. Writes, per target and event, a flame
 * graph {@code profile-<target>-<event>.html} (the collapsed stacks it is drawn from stay in the
 * work directory), plus {@code profile.md}: throughput, the server's CPU time and context switches
 * per request (from {@code /proc}, measured in a run without the profiler), the CPU time per
 * request by who spends it (each sample goes to the innermost gateway, Jetty or floor frame of its
 * stack, and its kernel part is shown apart), the share of each thread, and the frames with the
 * most samples of their own and in total.
 *
 * <pre>java -cp benchmarks.jar dev.mcpgateway.benchmarks.ProfileBenchmark --echo ECHO --lua LUA
 *     [--targets gateway,gateway-bare,stdio-bridge-floor] [--events cpu,alloc] [--seconds 10] [--jit-warmup 30]
 *     [--work DIR] [--out DIR]</pre>
 */
public final class ProfileBenchmark {
  private static final int CONNECTIONS = 32;
  private static final Pattern DIGITS = Pattern.compile("\\d+");

  private ProfileBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = LoadBenchmark.options(args);
    Path echo = Path.of(options.get("echo")).toAbsolutePath();
    Path lua = Path.of(options.get("lua")).toAbsolutePath();
    Path work = Path.of(options.getOrDefault("work", "build/bench")).toAbsolutePath();
    Path out = Path.of(options.getOrDefault("out", "docs/benchmarks")).toAbsolutePath();
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "10"));
    int jitWarmup = Integer.parseInt(options.getOrDefault("jit-warmup", "30"));
    List<String> targets = List.of(options.getOrDefault("targets", "gateway,gateway-bare,stdio-bridge-floor").split(","));
    List<String> events = List.of(options.getOrDefault("events", "cpu,alloc").split(","));
    Files.createDirectories(work);
    Files.createDirectories(out);
    Path classpath = Path.of(ProfileBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Target.Paths paths = new Target.Paths(java, classpath, echo, work, work, List.of("-XX:+UseG1GC"));

    StringBuilder report = new StringBuilder();
    report.append("# Profiles under load\n\n")
        .append("`benchmarks/run.sh profile`: wrk at ").append(CONNECTIONS)
        .append(" connections (`tools/call` on one session, as in `benchmarks/run.sh load`), after ").append(jitWarmup)
        .append(" s of JIT warm-up; then ").append(seconds)
        .append(" s without the profiler (the figures below), then ").append(seconds)
        .append(" s per profiled event. async-profiler ").append(profilerVersion(java, classpath))
        .append(", CPU sampled every 1 ms (itimer), allocations every 512 KB. The flame graphs are the `.html` files.\n\n")
        .append("| target | requests/s | CPU us per request | context switches per request |\n|---|---:|---:|---:|\n");
    StringBuilder details = new StringBuilder();
    for (String name : targets) {
      System.err.println("== " + name);
      try (Target target = switch (name) {
        case "gateway" -> Target.gateway(true);
        case "gateway-bare" -> Target.gateway(false);
        case "stdio-bridge-floor" -> Target.bridgeFloor();
        default -> throw new IllegalArgumentException("unknown target " + name);
      }) {
        target.start(paths);
        String session = target.needsSession ? LoadBenchmark.openSession(target) : "";
        LoadBenchmark.wrk(target, session, lua, CONNECTIONS, jitWarmup, work);
        long cpuBefore = cpuMicros(target.pid());
        long switchesBefore = contextSwitches(target.pid());
        LoadBenchmark.Row plain = LoadBenchmark.wrk(target, session, lua, CONNECTIONS, seconds, work);
        double cpuPerRequest = (cpuMicros(target.pid()) - cpuBefore) / (double) plain.ok();
        double switchesPerRequest = (contextSwitches(target.pid()) - switchesBefore) / (double) plain.ok();
        report.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.2f |%n", name, plain.requestsPerSecond(),
            cpuPerRequest, switchesPerRequest));
        System.err.printf(Locale.ROOT, "   %,.0f requests/s, %.1f us CPU and %.2f context switches per request%n",
            plain.requestsPerSecond(), cpuPerRequest, switchesPerRequest);
        for (String event : events) {
          Path collapsed = work.resolve("profile-" + name + "-" + event + ".collapsed");
          Process profiler = profiler(java, classpath, target.pid(), event, seconds, collapsed, work);
          LoadBenchmark.Row profiled = LoadBenchmark.wrk(target, session, lua, CONNECTIONS, seconds, work);
          if (!profiler.waitFor(seconds + 60L, TimeUnit.SECONDS) || profiler.exitValue() != 0 || !Files.exists(collapsed)) {
            profiler.destroyForcibly();
            throw new IOException("async-profiler failed for " + name + " " + event + "; see " + work.resolve("profiler.log"));
          }
          Path html = out.resolve("profile-" + name + "-" + event + ".html");
          convert(java, classpath, collapsed, html, name + " under wrk -c" + CONNECTIONS + ": " + event, work);
          details.append(summary(name, event, collapsed, profiled, event.equals("cpu") ? cpuPerRequest : 0));
        }
      }
    }
    report.append('\n').append(details);
    Files.writeString(out.resolve("profile.md"), report.toString());
    System.out.println(report);
  }

  private static Process profiler(Path java, Path classpath, long pid, String event, int seconds, Path file, Path work)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classpath.toString(),
        "one.profiler.AsyncProfilerLoader", "profiler", "-e", event, "-i", event.equals("cpu") ? "1ms" : "512k", "-t",
        "-d", Integer.toString(seconds), "-o", "collapsed", "-f", file.toString(), Long.toString(pid)));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("profiler.log").toFile())).start();
  }

  private static void convert(Path java, Path classpath, Path collapsed, Path html, String title, Path work)
      throws Exception {
    Process converter = new ProcessBuilder(java.toString(), "-cp", classpath.toString(), "one.profiler.AsyncProfilerLoader",
        "converter", "--title", title, "--minwidth", "0.05", collapsed.toString(), html.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("profiler.log").toFile()))
        .start();
    if (!converter.waitFor(120, TimeUnit.SECONDS) || converter.exitValue() != 0) {
      converter.destroyForcibly();
      throw new IOException("could not draw " + html + "; see " + work.resolve("profiler.log"));
    }
  }

  private static String profilerVersion(Path java, Path classpath) throws Exception {
    Process version = new ProcessBuilder(java.toString(), "-cp", classpath.toString(), "one.profiler.AsyncProfilerLoader",
        "profiler", "--version").redirectErrorStream(true).start();
    String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    version.waitFor(30, TimeUnit.SECONDS);
    return text.replace("Async-profiler ", "").replaceAll("\\s+built on.*", "");
  }

  /** Threads, self and total frames of one collapsed profile, as Markdown. */
  static String summary(String target, String event, Path collapsed, LoadBenchmark.Row profiled, double cpuPerRequest)
      throws IOException {
    Map<String, Long> owners = new HashMap<>();
    Map<String, Long> kernel = new HashMap<>();
    Map<String, Long> threads = new HashMap<>();
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> total = new HashMap<>();
    long all = 0;
    for (String line : Files.readAllLines(collapsed)) {
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      long count = Long.parseLong(line.substring(space + 1));
      String[] frames = line.substring(0, space).split(";");
      all += count;
      String owner = owner(frames);
      owners.merge(owner, count, Long::sum);
      if (frames[frames.length - 1].endsWith("_[k]")) {
        kernel.merge(owner, count, Long::sum);
      }
      threads.merge(DIGITS.matcher(frames[0]).replaceAll("N"), count, Long::sum);
      self.merge(frames[frames.length - 1], count, Long::sum);
      Set<String> seen = new HashSet<>();
      for (int i = 1; i < frames.length; i++) {
        if (seen.add(frames[i])) {
          total.merge(frames[i], count, Long::sum);
        }
      }
    }
    StringBuilder md = new StringBuilder();
    md.append("## ").append(target).append(", ").append(event).append("\n\n")
        .append(String.format(Locale.ROOT, "%,d %s while wrk measured %,.0f requests/s (the profiler's own cost included). "
            + "Flame graph: [profile-%s-%s.html](profile-%s-%s.html).%n%n", all, event.equals("cpu") ? "samples" : "bytes",
            profiled.requestsPerSecond(), target, event, target, event));
    if (cpuPerRequest > 0) {
      md.append("| who spends it | share | us per request | of which in the kernel |\n|---|---:|---:|---:|\n");
      final long samples = all;
      owners.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
          .forEach(entry -> md.append(String.format(Locale.ROOT, "| %s | %.1f%% | %.1f | %.1f |%n", entry.getKey(),
              entry.getValue() * 100.0 / samples, entry.getValue() * cpuPerRequest / samples,
              kernel.getOrDefault(entry.getKey(), 0L) * cpuPerRequest / samples)));
      md.append('\n');
    }
    md.append("| thread | share |\n|---|---:|\n");
    top(threads, 8, all, md);
    md.append("\n| frame, own samples | share |\n|---|---:|\n");
    top(self, 20, all, md);
    md.append("\n| frame, with what it calls | share |\n|---|---:|\n");
    Map<String, Long> gateway = new HashMap<>();
    total.forEach((frame, count) -> {
      if (frame.startsWith("dev/mcpgateway/") && !frame.contains("$$Lambda")) {
        gateway.put(frame, count);
      }
    });
    top(gateway, 30, all, md);
    return md.append('\n').toString();
  }

  /** Who a CPU sample belongs to: the innermost frame of the gateway, Jetty or the floor on its stack. */
  private static String owner(String[] frames) {
    for (int i = frames.length - 1; i > 0; i--) {
      String frame = frames[i];
      if (frame.startsWith("dev/mcpgateway/backend/")) {
        return "gateway: backend I/O (process, line decoding)";
      } else if (frame.startsWith("dev/mcpgateway/servlet/")) {
        return "gateway: servlet adapter";
      } else if (frame.startsWith("dev/mcpgateway/audit/")) {
        return "gateway: audit trail";
      } else if (frame.startsWith("dev/mcpgateway/policy/") || frame.startsWith("dev/mcpgateway/auth/")) {
        return "gateway: authentication and policies";
      } else if (frame.startsWith("dev/mcpgateway/benchmarks/")) {
        return "floor";
      } else if (frame.startsWith("dev/mcpgateway/")) {
        return "gateway: core (routing, sessions, JSON-RPC, calls)";
      } else if (frame.startsWith("org/eclipse/jetty/ee10/")) {
        return "Jetty servlet layer";
      } else if (frame.startsWith("org/eclipse/jetty/")) {
        return "Jetty core (HTTP, I/O, threads)";
      } else if (frame.startsWith("ch/qos/logback/")) {
        return "logging (logback)";
      }
    }
    String thread = frames[0];
    return thread.contains("Compiler") || thread.contains("GC ") || thread.contains("VM ") ? "JVM (JIT, GC)" : "other";
  }

  private static void top(Map<String, Long> counts, int limit, long all, StringBuilder md) {
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(limit)
        .forEach(entry -> md.append(String.format(Locale.ROOT, "| `%s` | %.1f%% |%n",
            entry.getKey().replace('|', '/'), entry.getValue() * 100.0 / all)));
  }

  /** User and system CPU time of a process and its waited-for children, from /proc, in microseconds. */
  private static long cpuMicros(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 10_000; // USER_HZ is 100 on Linux
  }

  /** Voluntary and involuntary context switches of every thread of a process, from /proc. */
  private static long contextSwitches(long pid) throws IOException {
    long sum = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches") || line.startsWith("nonvoluntary_ctxt_switches")) {
              sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException e) {
          // the thread ended between the listing and the read
        }
      }
    }
    return sum;
  }
}
