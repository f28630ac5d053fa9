package dev.mcpgateway.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ratio targets of docs/performance.md, measured so that the machine's own drift cannot fake
 * them: the stdio bridge floor, the secure gateway and the bare gateway run side by side, all
 * started and warmed first, then measured in turns (floor, gateway, bare; the next round in
 * another order), each turn {@code --seconds} of wrk after {@code --warmup} seconds. A ratio is
 * taken within each round, from runs a minute apart at most; the result is the median of the
 * rounds, printed with their spread. On a shared machine whose speed moves by tens of percent
 * within minutes (as this one does), this is what tells a change from the weather; the one-shot
 * table of {@code benchmarks/run.sh load} is not.
 *
 * <pre>java -cp benchmarks.jar dev.mcpgateway.benchmarks.RatioBenchmark --echo ECHO --lua LUA [--rounds 5]
 *     [--seconds 10] [--warmup 3] [--jit-warmup 20] [--work DIR] [--out DIR]</pre>
 */
public final class RatioBenchmark {
  private static final List<String> TARGETS = List.of("stdio-bridge-floor", "gateway", "gateway-bare");

  private RatioBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = LoadBenchmark.options(args);
    Path echo = Path.of(options.get("echo")).toAbsolutePath();
    Path lua = Path.of(options.get("lua")).toAbsolutePath();
    Path work = Path.of(options.getOrDefault("work", "build/bench")).toAbsolutePath();
    Path out = Path.of(options.getOrDefault("out", "docs/benchmarks")).toAbsolutePath();
    int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "10"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "3"));
    int jitWarmup = Integer.parseInt(options.getOrDefault("jit-warmup", "20"));
    Files.createDirectories(work);
    Files.createDirectories(out);
    Path classpath = Path.of(RatioBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Target.Paths paths = new Target.Paths(Path.of(System.getProperty("java.home"), "bin", "java"), classpath, echo, work,
        work, List.of("-XX:+UseG1GC"));

    Map<String, Target> targets = new LinkedHashMap<>();
    Map<String, String> sessions = new LinkedHashMap<>();
    try {
      for (String name : TARGETS) {
        Target target = name.equals("stdio-bridge-floor") ? Target.bridgeFloor() : Target.gateway(name.equals("gateway"));
        targets.put(name, target);
        target.start(paths);
        sessions.put(name, target.needsSession ? LoadBenchmark.openSession(target) : "");
        System.err.println("== " + name + ": JIT warm-up");
        LoadBenchmark.wrk(target, sessions.get(name), lua, 32, jitWarmup, work);
      }
      List<double[]> perRound = new ArrayList<>(); // floor32, gateway32, bare32, floor1 p50, gateway1 p50
      StringBuilder log = new StringBuilder("| round | floor c=32 | gateway c=32 | bare c=32 | floor c=1 p50 ms | gateway c=1 p50 ms |\n"
          + "|---:|---:|---:|---:|---:|---:|\n");
      for (int round = 1; round <= rounds; round++) {
        List<String> order = new ArrayList<>(TARGETS);
        java.util.Collections.rotate(order, round - 1);
        Map<String, LoadBenchmark.Row> at32 = new LinkedHashMap<>();
        Map<String, LoadBenchmark.Row> at1 = new LinkedHashMap<>();
        for (String name : order) {
          Target target = targets.get(name);
          for (int connections : new int[] {32, 1}) {
            if (connections == 1 && name.equals("gateway-bare")) {
              continue;
            }
            LoadBenchmark.wrk(target, sessions.get(name), lua, connections, warmup, work);
            LoadBenchmark.Row row = LoadBenchmark.wrk(target, sessions.get(name), lua, connections, seconds, work);
            if (row.bad() + row.socketErrors() > 0) {
              throw new IllegalStateException(name + " failed " + (row.bad() + row.socketErrors()) + " requests");
            }
            (connections == 32 ? at32 : at1).put(name, row);
          }
        }
        double[] figures = {at32.get("stdio-bridge-floor").requestsPerSecond(), at32.get("gateway").requestsPerSecond(),
            at32.get("gateway-bare").requestsPerSecond(), at1.get("stdio-bridge-floor").p50Millis(), at1.get("gateway").p50Millis()};
        perRound.add(figures);
        String line = String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %,.0f | %.3f | %.3f |%n", round, figures[0], figures[1],
            figures[2], figures[3], figures[4]);
        log.append(line);
        System.err.print("   " + line);
      }
      String checks = checks(perRound);
      String report = "# Ratios, measured in turns\n\n`benchmarks/run.sh ratios`, " + Instant.now() + ": " + rounds
          + " rounds; in each, every target gets " + warmup + " s of wrk, then " + seconds + " s measured, at 32 connections"
          + " and then at 1, in turn (the order rotates each round), after " + jitWarmup + " s of JIT warm-up each."
          + " Ratios are taken within each round; shown is their median, with the lowest and highest round.\n\n"
          + log + "\n```\n" + checks + "```\n";
      Files.writeString(out.resolve("ratios.md"), report);
      System.out.println(report);
    } finally {
      for (Target target : targets.values()) {
        target.close();
      }
    }
  }

  /** The targets, each a median over the rounds of a ratio taken within one round. */
  static String checks(List<double[]> rounds) {
    StringBuilder out = new StringBuilder();
    double[] floor = new double[rounds.size()];
    double[] security = new double[rounds.size()];
    double[] latency = new double[rounds.size()];
    for (int i = 0; i < rounds.size(); i++) {
      double[] r = rounds.get(i);
      floor[i] = r[1] / r[0];
      security[i] = r[1] / r[2] - 1;
      latency[i] = r[4] - r[3];
    }
    double f = median(floor);
    double s = median(security);
    double l = median(latency);
    out.append(line("throughput at 32 connections vs the stdio bridge floor",
        String.format(Locale.ROOT, "%.0f%% (%.0f-%.0f%%)", f * 100, min(floor) * 100, max(floor) * 100), f >= 0.85, ">= 85%"));
    out.append(line("median latency at 1 connection over the stdio bridge floor",
        String.format(Locale.ROOT, "%+.3f ms (%+.3f to %+.3f)", l, min(latency), max(latency)), l <= 0.05, "<= +0.05 ms"));
    out.append(line("throughput with auth, audit, redaction on vs off (32 connections)",
        String.format(Locale.ROOT, "%+.0f%% (%+.0f to %+.0f%%)", s * 100, min(security) * 100, max(security) * 100), s >= -0.08,
        "within 8%"));
    return out.toString();
  }

  private static String line(String what, String value, boolean met, String goal) {
    return String.format(Locale.ROOT, "%-66s %26s  target %-12s %s%n", what, value, goal, met ? "MET" : "NOT MET");
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double min(double[] values) {
    return java.util.Arrays.stream(values).min().orElse(Double.NaN);
  }

  private static double max(double[] values) {
    return java.util.Arrays.stream(values).max().orElse(Double.NaN);
  }
}
