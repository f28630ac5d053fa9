package dev.mcpgateway.benchmarks;

import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendKind;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.GatewayConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The memory runs, in-process, through {@link McpGateway#handle} (no HTTP): 10,000 idle MCP
 * sessions on one API key (heap after GC, over the heap with one session), and one 50 MB tool
 * result through the payload store (growth of the heap's peak over the heap before the call).
 *
 * <pre>java -Xmx2g -cp benchmarks.jar dev.mcpgateway.benchmarks.MemoryBenchmark ECHO_SERVER PAYLOAD_DIR</pre>
 */
public final class MemoryBenchmark {
  private static final int SESSIONS = 10_000;
  private static final int BIG_BYTES = 50 * 1024 * 1024;

  private MemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    String echo = args[0];
    Path payloads = Path.of(args[1]).toAbsolutePath();
    Files.createDirectories(payloads);
    GatewayConfig config = GatewayConfig.parse("{\"gateway\":{\"apiKey\":\"" + BenchGateway.API_KEY + "\",\"port\":8000,"
        + "\"maxSessions\":" + (SESSIONS + 10) + ",\"payloadDir\":\"" + payloads + "\"},\"mcpServers\":{\"echo\":{"
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
    try (McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(ApiKeyAuthenticator.fromConfig(config)).build()) {
      String session = initialize(gateway);
      call(gateway, session, "big", "{\"bytes\":1000}");
      call(gateway, session, "big", "{\"bytes\":1000000}"); // warm the offload path
      List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
      long before = heapAfterGc();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      String answer = call(gateway, session, "big", "{\"bytes\":" + BIG_BYTES + "}");
      long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
      if (!answer.contains("payloadPath")) {
        throw new IllegalStateException("the 50 MB result was not offloaded: " + answer.substring(0, Math.min(300, answer.length())));
      }
      double mb = (peak - before) / (1024.0 * 1024.0);
      System.out.println(String.format(Locale.ROOT, "50 MB tool result through the payload store: heap peak grew by %.1f MB;"
          + " target <= 64 MB: %s", mb, mb <= 64 ? "MET" : "NOT MET"));
    }
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
