package dev.mcpgateway.benchmarks;

import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The memory runs, in-process, through {@link McpGateway#handle} (no HTTP): 10,000 idle MCP
 * sessions on one API key (heap after GC, over the heap with one session), and a 50 MB and a
 * 500 MB tool result through the payload store.
 *
 * <p>The large results run in JVMs of its own ({@code --big-result}), since summing the peaks of
 * the heap pools overstates (objects move between pools): one with {@code -Xmx48m} measures the
 * heap after GC before the call (the baseline), the heap in use at the worst GC during it (the
 * "before GC" figure of GC notifications) and the most heap left after a GC during it; then the
 * call is tried with -Xmx 256, 128, 64, 48, 32, 24 and 16 MB, down to the first heap it fails in.
 *
 * <pre>java -Xmx2g -cp benchmarks.jar dev.mcpgateway.benchmarks.MemoryBenchmark ECHO_SERVER PAYLOAD_DIR</pre>
 */
public final class MemoryBenchmark {
  private static final int SESSIONS = 10_000;
  private static final int BIG_BYTES = 50 * 1024 * 1024;
  private static final long MB = 1024 * 1024;

  private MemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("--big-result")) {
      bigResultHere(args[1], Path.of(args[2]), Long.parseLong(args[3])); // run with -XX:+ExitOnOutOfMemoryError
      System.exit(0);
    }
    String echo = args[0];
    Path payloads = Path.of(args[1]).toAbsolutePath();
    Files.createDirectories(payloads);
    GatewayConfig config = GatewayConfig.parse("{\"gateway\":{\"apiKey\":\"" + BenchGateway.API_KEY + "\",\"port\":8000,"
        + "\"maxSessions\":" + (SESSIONS + 10) + ",\"maxSessionsPerCaller\":" + (SESSIONS + 10) + ",\"payloadDir\":\"" + payloads + "\"},\"mcpServers\":{\"echo\":{"
        + "\"type\":\"stdio\",\"command\":\"" + echo + "\"}}}");
    try (McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(ApiKeyAuthenticator.fromConfig(config)).build()) {
      String first = initialize(gateway);
      call(gateway, first, "echo", "{\"message\":\"hello\"}");
      long base = heapAfterGc();
      for (int i = 1; i < SESSIONS; i++) {
        initialize(gateway);
      }
      long full = heapAfterGc();
      double mb = (full - base) / (1024.0 * 1024.0);
      System.out.println(String.format(Locale.ROOT, "%d idle sessions on one key: heap after GC %.1f MB (%.1f MB over one "
          + "session, %,d bytes per session); target <= 64 MB: %s", SESSIONS, full / 1048576.0, mb,
          (full - base) / (SESSIONS - 1), mb <= 64 ? "MET" : "NOT MET"));
    }
    bigResult(echo, payloads);
  }

  /** Heaps the large results are tried in, largest first: each size is tried until one fails. */
  private static final long[] HEAPS_MB = {256, 128, 64, 48, 32, 24, 16};

  /** Runs the 50 MB and 500 MB results in child JVMs and prints how much heap they take. */
  private static void bigResult(String echo, Path payloads) throws Exception {
    for (long bytes : new long[] {BIG_BYTES, 10L * BIG_BYTES}) {
      Map<String, Long> at48 = runBigResult(echo, payloads, 48, bytes);
      long smallest = -1;
      for (long heapMb : HEAPS_MB) {
        if ((heapMb == 48 ? at48 : runBigResult(echo, payloads, heapMb, bytes)) == null) {
          break;
        }
        smallest = heapMb;
      }
      Map<String, Long> figures = at48 != null ? at48 : runBigResult(echo, payloads, 256, bytes);
      String grew = figures == null ? "n/a" : String.format(Locale.ROOT, "%.1f MB",
          (figures.get("peak") - figures.get("baseline")) / (double) MB);
      String live = figures == null ? "n/a" : String.format(Locale.ROOT, "%.1f MB",
          (figures.get("livePeak") - figures.get("baseline")) / (double) MB);
      boolean met = at48 != null && (bytes > BIG_BYTES
          || figures.get("peak") - figures.get("baseline") <= 8 * MB);
      System.out.println(String.format(Locale.ROOT, "%d MB tool result through the payload store: heap grew by %s (heap in use "
          + "at the worst GC during the call over the heap after GC before it, -Xmx%dm), live heap by %s (the most heap "
          + "left after a GC during the call); passes with -Xmx48m: %s; smallest of %s MB it passes in: %s; target %s: %s",
          bytes / MB, grew, at48 != null ? 48 : 256, live, at48 != null ? "yes" : "NO (OutOfMemoryError)",
          java.util.Arrays.toString(HEAPS_MB).replaceAll("[\\[\\] ]", "").replace(",", "/"),
          smallest > 0 ? "-Xmx" + smallest + "m" : "none", bytes > BIG_BYTES ? "passes with -Xmx48m" : "<= 8 MB",
          met ? "MET" : "NOT MET"));
    }
  }

  /** The figures of one {@code --big-result} run in a JVM with this heap, or null when it failed (out of memory). */
  private static Map<String, Long> runBigResult(String echo, Path payloads, long heapMb, long bytes) throws Exception {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heapMb + "m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
        MemoryBenchmark.class.getName(),
        "--big-result", echo, payloads.toString(), String.valueOf(bytes))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      return null;
    }
    Map<String, Long> figures = new HashMap<>();
    for (String line : output.split("\n")) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 2 && parts[1].matches("\\d+")) {
        figures.put(parts[0], Long.parseLong(parts[1]));
      }
    }
    return figures;
  }

  /**
   * One call of {@code bytes} in this JVM: prints {@code baseline}, {@code peak} (heap in use before
   * the worst GC) and {@code livePeak} (the most heap left after a GC); exits 1 when it fails.
   */
  private static void bigResultHere(String echo, Path payloads, long bytes) throws Exception {
    GatewayConfig config = GatewayConfig.parse("{\"gateway\":{\"apiKey\":\"" + BenchGateway.API_KEY + "\",\"port\":8000,"
        + "\"maxMessageBytes\":\"600m\",\"payloadDir\":\"" + payloads + "\"},\"mcpServers\":{\"echo\":{\"type\":\"stdio\","
        + "\"command\":\"" + echo + "\"}}}");
    // a long call would switch to an SSE answer after the keep-alive interval: the harness reads plain JSON answers
    try (McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .keepAliveInterval(java.time.Duration.ofMinutes(10))
        .authenticator(ApiKeyAuthenticator.fromConfig(config)).build()) {
      String session = initialize(gateway);
      call(gateway, session, "big", "{\"bytes\":1000}");
      call(gateway, session, "big", "{\"bytes\":3000000}"); // warm the offload path, array and stream
      long baseline = heapAfterGc();
      AtomicLong peak = new AtomicLong(baseline);
      AtomicLong livePeak = new AtomicLong(baseline);
      Runnable stop = watchGcs(peak, livePeak);
      String answer = call(gateway, session, "big", "{\"bytes\":" + bytes + "}");
      peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
      Thread.sleep(200); // GC notifications arrive on a thread of their own
      stop.run();
      if (!answer.contains("payloadPath")) {
        throw new IllegalStateException("the result was not offloaded: " + answer.substring(0, Math.min(300, answer.length())));
      }
      System.out.println("baseline " + baseline);
      System.out.println("peak " + peak.get());
      System.out.println("livePeak " + livePeak.get());
    }
  }

  /** Raises {@code peak} to the heap in use before each GC, {@code livePeak} to that after it, until the returned action runs. */
  private static Runnable watchGcs(AtomicLong peak, AtomicLong livePeak) {
    Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
        .map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    NotificationListener listener = (notification, handback) -> {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        peak.accumulateAndGet(info.getGcInfo().getMemoryUsageBeforeGc().entrySet().stream()
            .filter(pool -> heapPools.contains(pool.getKey())).mapToLong(pool -> pool.getValue().getUsed()).sum(), Math::max);
        livePeak.accumulateAndGet(info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
            .filter(pool -> heapPools.contains(pool.getKey())).mapToLong(pool -> pool.getValue().getUsed()).sum(), Math::max);
      }
    };
    List<NotificationEmitter> emitters = new ArrayList<>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
      emitters.add((NotificationEmitter) gc);
    }
    return () -> emitters.forEach(emitter -> {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        // already gone
      }
    });
  }

  private static String initialize(McpGateway gateway) {
    GatewayResponse response = gateway.handle(request(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
        + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}")
        .build()).toCompletableFuture().join();
    String id = response.headers().get("Mcp-Session-Id");
    if (response.status() != 200 || id == null) {
      throw new IllegalStateException("initialize failed: " + response.status() + " " + response.bodyText());
    }
    return id;
  }

  private static String call(McpGateway gateway, String session, String tool, String arguments) {
    GatewayResponse response = gateway.handle(request(session, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}").build()).toCompletableFuture().join();
    if (response.status() != 200) {
      throw new IllegalStateException(tool + " failed: " + response.status() + " " + response.bodyText());
    }
    return response.bodyText();
  }

  private static GatewayRequest.Builder request(String session, String body) {
    GatewayRequest.Builder request = GatewayRequest.post("/mcp/echo").header("Authorization", BenchGateway.API_KEY)
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .remoteAddress("127.0.0.1:50000").body(body);
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    return request;
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
