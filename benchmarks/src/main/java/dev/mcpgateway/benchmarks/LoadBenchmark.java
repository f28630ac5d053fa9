package dev.mcpgateway.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the side-by-side load benchmark: the HTTP floor, the stdio bridge floor, the direct stdio
 * path, the gateway (with and without authentication, audit and redaction), supergateway and
 * mcp-proxy, all in front of the same echo server, at 1 and 32 connections; writes a table, JSON
 * and a PNG chart.
 *
 * <pre>java -cp benchmarks.jar dev.mcpgateway.benchmarks.LoadBenchmark --echo PATH --npm DIR --lua FILE
 *     --work DIR --out DIR [--seconds 10] [--warmup 3] [--jit-warmup 20] [--targets a,b,...]</pre>
 *
 * <p>Each server target first runs {@code --jit-warmup} seconds at 32 connections, so that what
 * is measured is the steady state of a long-running server, not its compiler at work: on two
 * cores the JIT of a JVM target needs some 15 seconds of load before its throughput settles.
 * Then each concurrency gets {@code --warmup} seconds before its measured run.
 */
public final class LoadBenchmark {
  static final int[] CONNECTIONS = {1, 32};
  /** The many-connections run, for the gateways and the floors (not the npm bridges). */
  static final int MANY_CONNECTIONS = 1024;
  /** Idle sessions held open for the gateway's last run. */
  static final int IDLE_SESSIONS = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private LoadBenchmark() {}

  /** One measurement: a target at a number of connections. */
  record Row(String target, String label, int connections, double requestsPerSecond, double p50Millis,
      double p99Millis, long peakRssKib, long ok, long bad, long socketErrors) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    Path echo = Path.of(options.get("echo")).toAbsolutePath();
    Path work = Path.of(options.getOrDefault("work", "build/bench")).toAbsolutePath();
    Path out = Path.of(options.getOrDefault("out", "docs/benchmarks")).toAbsolutePath();
    Path lua = Path.of(options.get("lua")).toAbsolutePath();
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "10"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "3"));
    int jitWarmup = Integer.parseInt(options.getOrDefault("jit-warmup", "20"));
    List<String> targets = List.of(options.getOrDefault("targets",
        "http-floor,stdio-bridge-floor,direct-stdio,gateway,gateway-bare,supergateway,mcp-proxy").split(","));
    Files.createDirectories(work);
    Files.createDirectories(out);
    Target.Paths paths = new Target.Paths(Path.of(System.getProperty("java.home"), "bin", "java"),
        Path.of(LoadBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()), echo,
        Path.of(options.getOrDefault("npm", "build/bench-npm")).toAbsolutePath(), work,
        List.of(options.getOrDefault("jvm", "-XX:+UseG1GC").split(" ")));

    List<Row> rows = new ArrayList<>();
    for (String name : targets) {
      System.err.println("== " + name);
      if (name.equals("direct-stdio")) {
        rows.addAll(direct(echo.toString(), seconds, Math.max(warmup, jitWarmup / 2)));
        continue;
      }
      try (Target target = target(name)) {
        target.start(paths);
        String session = target.needsSession ? openSession(target) : "";
        List<Row> measured = new ArrayList<>();
        // JIT warm-up under load first, so that the 1-connection run does not measure a cold JVM
        wrk(target, session, lua, CONNECTIONS[CONNECTIONS.length - 1], jitWarmup, work);
        for (int connections : CONNECTIONS) {
          wrk(target, session, lua, connections, warmup, work);
          measured.add(wrk(target, session, lua, connections, seconds, work));
        }
        if (MANY_TARGETS.contains(name)) {
          wrk(target, session, lua, MANY_CONNECTIONS, warmup, work);
          measured.add(wrk(target, session, lua, MANY_CONNECTIONS, seconds, work));
        }
        if (name.equals("gateway")) {
          // the same load with 10,000 more sessions open and idle on the same key
          long opened = openIdleSessions(target, IDLE_SESSIONS);
          System.err.println("   opened " + opened + " idle sessions");
          wrk(target, session, lua, 32, warmup, work);
          Row idle = wrk(target, session, lua, 32, seconds, work);
          measured.add(new Row("gateway-10k-idle", "gateway with " + IDLE_SESSIONS + " idle sessions open", idle.connections,
              idle.requestsPerSecond, idle.p50Millis, idle.p99Millis, 0, idle.ok, idle.bad, idle.socketErrors));
        }
        long rss = target.peakRssKib();
        for (Row row : measured) {
          Row done = new Row(row.target, row.label, row.connections, row.requestsPerSecond, row.p50Millis,
              row.p99Millis, rss, row.ok, row.bad, row.socketErrors);
          rows.add(done);
          System.err.println("   " + format(done));
        }
      }
    }
    String table = table(rows);
    String checks = checks(rows);
    System.out.println(table);
    System.out.println(checks);
    write(out, rows, seconds, table, checks);
  }

  /** The targets that also run at {@link #MANY_CONNECTIONS}. */
  private static final List<String> MANY_TARGETS = List.of("http-floor", "stdio-bridge-floor", "gateway", "gateway-bare");

  /** Opens {@code count} MCP sessions on {@code target} and leaves them idle; returns how many opened. */
  static long openIdleSessions(Target target, int count) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"idle\",\"version\":\"1\"}}}";
    long opened = 0;
    for (int i = 0; i < count; i++) {
      HttpResponse<Void> response = client.send(post(target, null, init).build(), HttpResponse.BodyHandlers.discarding());
      String session = response.headers().firstValue("mcp-session-id").orElse(null);
      if (response.statusCode() != 200 || session == null) {
        throw new IOException(target.name + " refused idle session " + i + ": " + response.statusCode());
      }
      client.send(post(target, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").build(),
          HttpResponse.BodyHandlers.discarding());
      opened++;
    }
    return opened;
  }

  private static Target target(String name) {
    switch (name) {
      case "http-floor":
        return Target.floor();
      case "stdio-bridge-floor":
        return Target.bridgeFloor();
      case "gateway":
        return Target.gateway(true);
      case "gateway-bare":
        return Target.gateway(false);
      case "supergateway":
        return Target.supergateway();
      case "mcp-proxy":
        return Target.mcpProxy();
      default:
        throw new IllegalArgumentException("unknown target " + name);
    }
  }

  private static List<Row> direct(String echo, int seconds, int warmup) throws Exception {
    List<Row> rows = new ArrayList<>();
    long rss = 0;
    for (int connections : CONNECTIONS) {
      try (StdioDriver driver = new StdioDriver(echo)) {
        driver.run(connections, warmup * 1000L);
        StdioDriver.Result r = driver.run(connections, seconds * 1000L);
        rss = Math.max(rss, Processes.peakRssKib(driver.pid()));
        Row row = new Row("direct-stdio", "direct stdio (no HTTP, " + "in-flight = connections)", connections,
            r.requests() / (r.elapsedNanos() / 1e9), r.p50Nanos() / 1e6, r.p99Nanos() / 1e6, rss, r.ok(), r.bad(), 0);
        rows.add(row);
        System.err.println("   " + format(row));
      }
    }
    return rows;
  }

  /** Opens an MCP session over HTTP: initialize, then notifications/initialized; returns its id. */
  static String openSession(Target target) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder init = post(target, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}");
    HttpResponse<String> response = client.send(init.build(), HttpResponse.BodyHandlers.ofString());
    String session = response.headers().firstValue("mcp-session-id").orElse(null);
    if (response.statusCode() != 200 || session == null) {
      throw new IOException(target.name + " refused initialize: " + response.statusCode() + " " + response.body());
    }
    HttpResponse<String> initialized = client.send(post(target, session,
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").build(), HttpResponse.BodyHandlers.ofString());
    if (initialized.statusCode() / 100 != 2) {
      throw new IOException(target.name + " refused notifications/initialized: " + initialized.statusCode());
    }
    HttpResponse<String> call = client.send(post(target, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hello from wrk\"}}}").build(), HttpResponse.BodyHandlers.ofString());
    if (call.statusCode() != 200 || !call.body().contains("hello from wrk")) {
      throw new IOException(target.name + " failed a first tools/call: " + call.statusCode() + " " + call.body());
    }
    return session;
  }

  private static HttpRequest.Builder post(Target target, String session, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.url())).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
    }
    if (target.authorization != null) {
      request.header("Authorization", target.authorization);
    }
    return request;
  }

  /** One wrk run; its numbers come from the script's WRK_RESULT line. */
  static Row wrk(Target target, String session, Path lua, int connections, int seconds, Path work) throws Exception {
    int threads = connections == 1 ? 1 : 2;
    ProcessBuilder builder = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
        "--timeout", "5s", "-s", lua.toString(), target.url())
        .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("wrk.log").toFile()));
    builder.environment().put("MCP_SESSION_ID", session);
    builder.environment().put("MCP_AUTHORIZATION", target.authorization == null ? "" : target.authorization);
    builder.environment().put("MCP_PATH", target.path);
    Process wrk = builder.start();
    String result = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(wrk.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("WRK_RESULT ")) {
          result = line.substring("WRK_RESULT ".length());
        }
      }
    }
    if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
      wrk.destroyForcibly();
      throw new IOException("wrk did not finish");
    }
    if (result == null) {
      throw new IOException("wrk printed no result (exit " + wrk.exitValue() + "); see " + work.resolve("wrk.log"));
    }
    JsonNode r = JSON.readTree(result);
    double secondsRun = r.path("durationMicros").asLong() / 1e6;
    return new Row(target.name, target.label, connections, r.path("ok").asLong() / secondsRun,
        r.path("p50Micros").asLong() / 1000.0, r.path("p99Micros").asLong() / 1000.0, 0,
        r.path("ok").asLong(), r.path("bad").asLong(), r.path("socketErrors").asLong());
  }

  static String format(Row row) {
    return String.format(Locale.ROOT, "%-14s c=%-3d %10.0f req/s  p50 %7.3f ms  p99 %8.3f ms  RSS %6.1f MB  ok %d bad %d err %d",
        row.target, row.connections, row.requestsPerSecond, row.p50Millis, row.p99Millis, row.peakRssKib / 1024.0,
        row.ok, row.bad, row.socketErrors);
  }

  static String table(List<Row> rows) {
    StringBuilder table = new StringBuilder();
    table.append("| target | connections | requests/s | p50 ms | p99 ms | peak RSS MB | failed |\n");
    table.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Row row : rows) {
      table.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.3f | %.3f | %.0f | %d |%n", row.target,
          row.connections, row.requestsPerSecond, row.p50Millis, row.p99Millis, row.peakRssKib / 1024.0,
          row.bad + row.socketErrors));
    }
    return table.toString();
  }

  private static Row find(List<Row> rows, String target, int connections) {
    return rows.stream().filter(r -> r.target.equals(target) && r.connections == connections).findFirst().orElse(null);
  }

  /** The performance targets (docs/performance.md), as ratios from this run. */
  static String checks(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    Row gw32 = find(rows, "gateway", 32);
    Row gwMany = find(rows, "gateway", MANY_CONNECTIONS);
    Row idle32 = find(rows, "gateway-10k-idle", 32);
    Row bare32 = find(rows, "gateway-bare", 32);
    Row floor32 = find(rows, "http-floor", 32);
    Row bridge32 = find(rows, "stdio-bridge-floor", 32);
    Row gw1 = find(rows, "gateway", 1);
    Row bridge1 = find(rows, "stdio-bridge-floor", 1);
    Row sg = find(rows, "supergateway", 32);
    Row mp = find(rows, "mcp-proxy", 32);
    if (gw32 != null && bridge32 != null) {
      double ratio = gw32.requestsPerSecond / bridge32.requestsPerSecond;
      out.append(line("throughput at 32 connections vs the stdio bridge floor", String.format(Locale.ROOT, "%.0f%%", ratio * 100),
          ratio >= 0.85, ">= 85%"));
    }
    if (gw32 != null && (sg != null || mp != null)) {
      double best = Math.max(sg == null ? 0 : sg.requestsPerSecond, mp == null ? 0 : mp.requestsPerSecond);
      double ratio = gw32.requestsPerSecond / best;
      out.append(line("throughput at 32 connections vs the better npm bridge", String.format(Locale.ROOT, "%.1fx", ratio), ratio >= 15, ">= 15x"));
    }
    if (gw32 != null && gwMany != null) {
      double ratio = gwMany.requestsPerSecond / gw32.requestsPerSecond;
      long failed = gwMany.bad + gwMany.socketErrors;
      out.append(line("throughput at " + MANY_CONNECTIONS + " connections vs 32 (p99 " + String.format(Locale.ROOT, "%.1f ms", gwMany.p99Millis)
          + ", " + failed + " failed)", String.format(Locale.ROOT, "%.0f%%", ratio * 100), ratio >= 0.9 && failed == 0, ">= 90%, 0 failed"));
    }
    if (gw1 != null && bridge1 != null) {
      double extra = gw1.p50Millis - bridge1.p50Millis;
      out.append(line("median latency at 1 connection over the stdio bridge floor", String.format(Locale.ROOT, "%+.3f ms", extra),
          extra <= 0.05, "<= +0.05 ms"));
    }
    if (gw32 != null && bare32 != null) {
      double loss = 1 - gw32.requestsPerSecond / bare32.requestsPerSecond;
      out.append(line("throughput with auth, audit, redaction on vs off (32 connections)",
          String.format(Locale.ROOT, "%+.0f%%", -loss * 100), loss <= 0.08, "within 8%"));
    }
    if (gw32 != null && idle32 != null) {
      double ratio = idle32.requestsPerSecond / gw32.requestsPerSecond;
      out.append(String.format(Locale.ROOT, "%-70s %12s  (for reference: no target)%n",
          "throughput at 32 connections with " + IDLE_SESSIONS + " idle sessions vs without", String.format(Locale.ROOT, "%.0f%%", ratio * 100)));
    }
    if (gw32 != null && floor32 != null) {
      double ratio = gw32.requestsPerSecond / floor32.requestsPerSecond;
      out.append(String.format(Locale.ROOT, "%-70s %12s  (for reference: no target)%n",
          "throughput at 32 connections vs the HTTP floor", String.format(Locale.ROOT, "%.0f%%", ratio * 100)));
    }
    return out.toString();
  }

  private static String line(String what, String value, boolean met, String goal) {
    return String.format(Locale.ROOT, "%-70s %12s  target %-12s %s%n", what, value, goal, met ? "MET" : "NOT MET");
  }

  private static void write(Path out, List<Row> rows, int seconds, String table, String checks) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("date", Instant.now().toString());
    root.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version"));
    root.put("secondsPerRun", seconds);
    root.put("backend", "benchmarks/src/main/c/echo-server.c (tools/call echo)");
    root.put("generator", "wrk with benchmarks/src/main/lua/tools-call.lua; direct-stdio: a Java driver on the pipes");
    ArrayNode results = root.putArray("results");
    for (Row row : rows) {
      ObjectNode r = results.addObject();
      r.put("target", row.target);
      r.put("label", row.label);
      r.put("connections", row.connections);
      r.put("requestsPerSecond", Math.round(row.requestsPerSecond));
      r.put("p50Millis", row.p50Millis);
      r.put("p99Millis", row.p99Millis);
      r.put("peakRssMiB", Math.round(row.peakRssKib / 102.4) / 10.0);
      r.put("ok", row.ok);
      r.put("failed", row.bad + row.socketErrors);
    }
    ArrayNode targets = root.putArray("checks");
    for (String line : checks.split("\n")) {
      if (!line.isBlank()) {
        targets.add(line.trim().replaceAll("\\s+", " "));
      }
    }
    Files.writeString(out.resolve("results.json"), JSON.writeValueAsString(root) + "\n");
    Files.writeString(out.resolve("results.md"), table + "\n```\n" + checks + "```\n");
    Chart.write(out.resolve("throughput.png"), rows);
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }
}
