package dev.mcpgateway.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cluster benchmark: what running replicas on Redis behind a load balancer costs and gives.
 * Starts its own {@code redis-server} (no persistence) and {@code haproxy} on loopback, and
 * measures, with the same wrk script and echo server as {@link LoadBenchmark}:
 *
 * <ul>
 *   <li>{@code single}: one secure gateway on its own (sessions in memory), reached directly;
 *   <li>{@code single-cluster}: one secure gateway in cluster mode (sessions, events, bus and
 *       rate limits in Redis), reached directly: against {@code single}, the latency cluster mode
 *       adds to a call;
 *   <li>{@code haproxy-1}: that one replica behind HAProxy;
 *   <li>{@code haproxy-3}: three replicas behind HAProxy, round-robin per request, no stickiness:
 *       every request of the one session can land on any replica.
 * </ul>
 *
 * <pre>java -cp benchmarks.jar dev.mcpgateway.benchmarks.ClusterBenchmark --echo PATH --lua FILE
 *     --work DIR --out DIR [--seconds 10] [--warmup 3] [--jit-warmup 20]</pre>
 *
 * <p>Writes {@code cluster.md} and {@code cluster.json} to the output folder. On a machine with
 * fewer cores than replicas the replicas share the cores: the throughput figure then says what
 * the replicas cost, not what they would add on machines of their own.
 */
public final class ClusterBenchmark {
  private static final int[] CONNECTIONS = {1, 32};
  private static final int REPLICAS = 3;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ClusterBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = LoadBenchmark.options(args);
    Path echo = Path.of(options.get("echo")).toAbsolutePath();
    Path work = Path.of(options.getOrDefault("work", "build/bench")).toAbsolutePath();
    Path out = Path.of(options.getOrDefault("out", "docs/benchmarks")).toAbsolutePath();
    Path lua = Path.of(options.get("lua")).toAbsolutePath();
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "10"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "3"));
    int jitWarmup = Integer.parseInt(options.getOrDefault("jit-warmup", "20"));
    Files.createDirectories(work);
    Files.createDirectories(out);
    Target.Paths paths = new Target.Paths(Path.of(System.getProperty("java.home"), "bin", "java"),
        Path.of(ClusterBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()), echo,
        work, work, List.of(options.getOrDefault("jvm", "-XX:+UseG1GC").split(" ")));

    List<LoadBenchmark.Row> rows = new ArrayList<>();
    try (Child redis = redis(work)) {
      String redisUri = "redis://127.0.0.1:" + redis.port;
      System.err.println("== single");
      try (Target single = Target.gateway(true)) {
        single.start(paths);
        rows.addAll(measure(rename(single, "single", "one gateway, sessions in memory"), single, lua, work, seconds,
            warmup, jitWarmup));
      }
      List<Target> replicas = new ArrayList<>();
      try {
        for (int i = 1; i <= REPLICAS; i++) {
          Target replica = Target.replica("replica-" + i, redisUri);
          replicas.add(replica);
          replica.start(paths);
        }
        System.err.println("== single-cluster");
        Target first = replicas.get(0);
        rows.addAll(measure(rename(first, "single-cluster", "one replica in cluster mode (Redis), direct"), first, lua,
            work, seconds, warmup, jitWarmup));
        for (int count : new int[] {REPLICAS, 1}) {
          String name = "haproxy-" + count;
          System.err.println("== " + name);
          try (Child haproxy = haproxy(work, name, replicas.subList(0, count))) {
            Target front = Target.started(name, count + " replica(s) in cluster mode behind HAProxy (round-robin)",
                "/mcp/echo", BenchGateway.API_KEY, haproxy.port);
            // the first replica is warm already; the others get their share of the warm-up load here
            rows.addAll(measure(front, null, lua, work, seconds, warmup, jitWarmup * (count - 1) + warmup));
          }
        }
      } finally {
        for (Target replica : replicas) {
          replica.close();
        }
      }
    }
    String table = LoadBenchmark.table(rows);
    String figures = figures(rows);
    System.out.println(table);
    System.out.println(figures);
    write(out, rows, seconds, table, figures);
  }

  /** A copy of {@code target}'s address under another name, for the table. */
  private static Target rename(Target target, String name, String label) {
    return Target.started(name, label, target.path, target.authorization, target.port());
  }

  private static List<LoadBenchmark.Row> measure(Target target, Target process, Path lua, Path work, int seconds, int warmup,
      int jitWarmup) throws Exception {
    String session = LoadBenchmark.openSession(target);
    LoadBenchmark.wrk(target, session, lua, CONNECTIONS[CONNECTIONS.length - 1], jitWarmup, work);
    List<LoadBenchmark.Row> rows = new ArrayList<>();
    for (int connections : CONNECTIONS) {
      LoadBenchmark.wrk(target, session, lua, connections, warmup, work);
      LoadBenchmark.Row row = LoadBenchmark.wrk(target, session, lua, connections, seconds, work);
      long rss = process == null ? 0 : process.peakRssKib();
      row = new LoadBenchmark.Row(row.target(), row.label(), row.connections(), row.requestsPerSecond(), row.p50Millis(),
          row.p99Millis(), rss, row.ok(), row.bad(), row.socketErrors());
      rows.add(row);
      System.err.println("   " + LoadBenchmark.format(row));
    }
    return rows;
  }

  private static LoadBenchmark.Row find(List<LoadBenchmark.Row> rows, String target, int connections) {
    return rows.stream().filter(r -> r.target().equals(target) && r.connections() == connections).findFirst().orElse(null);
  }

  /** The figures the cluster run is for, from this run's rows. */
  static String figures(List<LoadBenchmark.Row> rows) {
    StringBuilder out = new StringBuilder();
    LoadBenchmark.Row single1 = find(rows, "single", 1);
    LoadBenchmark.Row cluster1 = find(rows, "single-cluster", 1);
    LoadBenchmark.Row single32 = find(rows, "single", 32);
    LoadBenchmark.Row cluster32 = find(rows, "single-cluster", 32);
    LoadBenchmark.Row one32 = find(rows, "haproxy-1", 32);
    LoadBenchmark.Row three32 = find(rows, "haproxy-" + REPLICAS, 32);
    if (single1 != null && cluster1 != null) {
      out.append(line("latency cluster mode adds per call (p50, 1 connection)",
          String.format(Locale.ROOT, "%+.3f ms", cluster1.p50Millis() - single1.p50Millis())));
    }
    if (single32 != null && cluster32 != null) {
      out.append(line("throughput of one replica in cluster mode vs one gateway alone (32 connections)",
          String.format(Locale.ROOT, "%.0f%%", 100 * cluster32.requestsPerSecond() / single32.requestsPerSecond())));
    }
    if (three32 != null && single32 != null) {
      out.append(line(REPLICAS + " replicas behind HAProxy vs one gateway alone (32 connections)",
          String.format(Locale.ROOT, "%.2fx", three32.requestsPerSecond() / single32.requestsPerSecond())));
    }
    if (three32 != null && one32 != null) {
      out.append(line(REPLICAS + " replicas behind HAProxy vs 1 replica behind HAProxy (32 connections)",
          String.format(Locale.ROOT, "%.2fx", three32.requestsPerSecond() / one32.requestsPerSecond())));
    }
    long failed = rows.stream().mapToLong(r -> r.bad() + r.socketErrors()).sum();
    out.append(line("failed requests in all runs", Long.toString(failed)));
    out.append(String.format(Locale.ROOT, "(%d cores: the replicas, HAProxy, Redis and wrk share them)%n",
        Runtime.getRuntime().availableProcessors()));
    return out.toString();
  }

  private static String line(String what, String value) {
    return String.format(Locale.ROOT, "%-78s %10s%n", what, value);
  }

  private static void write(Path out, List<LoadBenchmark.Row> rows, int seconds, String table, String figures)
      throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("date", Instant.now().toString());
    root.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version"));
    root.put("secondsPerRun", seconds);
    root.put("replicas", REPLICAS);
    root.put("backend", "benchmarks/src/main/c/echo-server.c (tools/call echo), one per replica for the one session");
    ArrayNode results = root.putArray("results");
    for (LoadBenchmark.Row row : rows) {
      ObjectNode r = results.addObject();
      r.put("target", row.target());
      r.put("label", row.label());
      r.put("connections", row.connections());
      r.put("requestsPerSecond", Math.round(row.requestsPerSecond()));
      r.put("p50Millis", row.p50Millis());
      r.put("p99Millis", row.p99Millis());
      r.put("ok", row.ok());
      r.put("failed", row.bad() + row.socketErrors());
    }
    ArrayNode lines = root.putArray("figures");
    for (String line : figures.split("\n")) {
      if (!line.isBlank()) {
        lines.add(line.trim().replaceAll("\\s+", " "));
      }
    }
    Files.writeString(out.resolve("cluster.json"), JSON.writeValueAsString(root) + "\n");
    Files.writeString(out.resolve("cluster.md"), "# Cluster benchmark\n\nWritten by `benchmarks/run.sh cluster` "
        + "(see docs/cluster.md#performance).\n\n" + table + "\n```\n" + figures + "```\n");
  }

  /** A child process the harness started, listening on {@code port}. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final int port;

    Child(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static Child redis(Path work) throws Exception {
    int port = Target.freePort();
    Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--dir", work.toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("redis.log").toFile()).start();
    Child child = new Child(process, port);
    awaitPort(child, "redis-server", work.resolve("redis.log"));
    return child;
  }

  /** HAProxy in HTTP mode on a loopback port, each request balanced round-robin over {@code replicas}. */
  private static Child haproxy(Path work, String name, List<Target> replicas) throws Exception {
    int port = Target.freePort();
    StringBuilder config = new StringBuilder();
    config.append("global\n  maxconn 4096\n\n")
        .append("defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n\n")
        .append("frontend mcp\n  bind 127.0.0.1:").append(port).append("\n  default_backend replicas\n\n")
        .append("backend replicas\n  balance roundrobin\n");
    for (int i = 0; i < replicas.size(); i++) {
      config.append("  server r").append(i + 1).append(" 127.0.0.1:").append(replicas.get(i).port()).append('\n');
    }
    Path file = work.resolve(name + ".cfg");
    Files.writeString(file, config);
    Process process = new ProcessBuilder("haproxy", "-db", "-f", file.toString()).redirectErrorStream(true)
        .redirectOutput(work.resolve(name + ".log").toFile()).start();
    Child child = new Child(process, port);
    awaitPort(child, "haproxy", work.resolve(name + ".log"));
    return child;
  }

  private static void awaitPort(Child child, String what, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!child.process.isAlive()) {
        throw new IOException(what + " exited with status " + child.process.exitValue() + "; see " + log);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", child.port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    child.close();
    throw new IOException(what + " did not listen on port " + child.port + " within 30 s; see " + log);
  }
}
