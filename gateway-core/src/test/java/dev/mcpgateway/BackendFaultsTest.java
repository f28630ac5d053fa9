package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Backends that hang, stall or write what they should not, as real child processes. */
class BackendFaultsTest {
  private McpGateway gateway;

  private McpGateway start(Duration gatewayTimeout, Duration serverTimeout, int maxMessageBytes) {
    List<String> command = StdioTestServer.commandLine();
    ServerConfig.Builder server = ServerConfig.command(command.get(0)).args(command.subList(1, command.size()));
    if (serverTimeout != null) {
      server.toolTimeout(serverTimeout);
    }
    GatewayConfig config = GatewayConfig.builder().toolTimeout(gatewayTimeout).server(server.build("test")).build();
    gateway = McpGateway.builder(config)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .maxMessageBytes(maxMessageBytes)
        .interceptors(List.of())
        .build();
    return gateway;
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void backendThatStaysHungIsReplacedAfterItsCallAndAPingTimeOut() {
    TestClient client = new TestClient(start(Duration.ofSeconds(30), Duration.ofMillis(700), 1024 * 1024), "test", "k");
    client.initialize();
    ProcessHandle first = ProcessHandle.of(Long.parseLong(client.callTool("pid", "{}"))).orElseThrow();

    long started = System.nanoTime();
    assertThat(client.callTool("hang", "{}")).startsWith("error: server 'test' did not answer tools/call within");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("per-server timeout, not the gateway's 30 s")
        .isLessThan(Duration.ofSeconds(5));

    Await.until(Duration.ofSeconds(15), "the hung backend is stopped", () -> !first.isAlive());
    String next = client.callTool("pid", "{}");
    assertThat(Long.parseLong(next)).as("a fresh backend").isNotEqualTo(first.pid());
  }

  @Test
  void slowBackendThatStillAnswersPingIsKept() {
    TestClient client = new TestClient(start(Duration.ofMillis(500), null, 1024 * 1024), "test", "k");
    client.initialize();
    String pid = client.callTool("pid", "{}");
    assertThat(client.callTool("sleep", "{\"ms\":1500}")).startsWith("error: server 'test' did not answer tools/call within");
    // the ping probe is answered while the tool sleeps: later calls reach the same process
    assertThat(client.callTool("pid", "{}")).isEqualTo(pid);
    assertThat(client.callTool("sleep", "{\"ms\":10}")).isEqualTo("slept");
    assertThat(client.callTool("pid", "{}")).isEqualTo(pid);
  }

  @Test
  void linesThatAreNotJsonRpcAreDiscardedAndTheCallIsStillAnswered() {
    TestClient client = new TestClient(start(Duration.ofSeconds(10), null, 1024 * 1024), "test", "k");
    client.initialize();
    String pid = client.callTool("pid", "{}");
    assertThat(client.callTool("garbage", "{}")).isEqualTo("after garbage");
    assertThat(client.callTool("pid", "{}")).isEqualTo(pid);
  }

  @Test
  void answersToIdsNobodyAskedForAreDiscarded() {
    TestClient client = new TestClient(start(Duration.ofSeconds(10), null, 1024 * 1024), "test", "k");
    client.initialize();
    String pid = client.callTool("pid", "{}");
    assertThat(client.callTool("strayid", "{}")).isEqualTo("after stray ids");
    assertThat(client.callTool("echo", "{\"message\":\"still fine\"}")).isEqualTo("still fine");
    assertThat(client.callTool("pid", "{}")).isEqualTo(pid);
  }

  @Test
  void lineOf100MegabytesIsDiscardedWithinTheMessageLimitAndTheBackendStaysUsable() {
    TestClient client = new TestClient(start(Duration.ofSeconds(6), null, 1024 * 1024), "test", "k");
    client.initialize();
    String pid = client.callTool("pid", "{}");
    System.gc();
    long before = heapUsed();
    List<MemoryPoolMXBean> pools = heapPools();
    pools.forEach(MemoryPoolMXBean::resetPeakUsage);

    assertThat(client.callTool("big", "{\"chars\":100000000}"))
        .startsWith("error: server 'test' did not answer tools/call within");

    long peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    assertThat(peak - before).as("heap growth while 100 MB streamed past (sum of pool peaks)")
        .isLessThan(80L * 1024 * 1024);
    assertThat(client.callTool("pid", "{}")).isEqualTo(pid);
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
  }

  private static long heapUsed() {
    return heapPools().stream().mapToLong(p -> p.getUsage().getUsed()).sum();
  }
}
