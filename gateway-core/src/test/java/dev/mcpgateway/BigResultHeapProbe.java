package dev.mcpgateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.GarbageCollectionNotificationInfo;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Runs one large tool result through a gateway in a JVM of its own, for
 * {@link SessionsAndPayloadsTest}: heap after GC before the call ({@code baseline}), the most
 * heap in use at any GC during the call ({@code peak}, the "before GC" figure of GC
 * notifications, or the heap at the end of the call when that is higher), and whether the result
 * was offloaded. Run with a small {@code -Xmx}, an {@link OutOfMemoryError} fails it.
 *
 * <pre>java -Xmx80m -cp TEST_CLASS_PATH dev.mcpgateway.BigResultHeapProbe PAYLOAD_DIR CHARS</pre>
 */
public final class BigResultHeapProbe {
  private BigResultHeapProbe() {}

  public static void main(String[] args) throws Exception {
    Path payloadDir = Path.of(args[0]);
    int chars = Integer.parseInt(args[1]);
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder()
        .payloadDir(payloadDir)
        .payloadSizeThreshold(1000)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
    try (McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .payloadPreviewBytes(16).build()) {
      TestClient client = new TestClient(gateway, "test", "k");
      client.initialize();
      client.callTool("big", "{\"chars\":2000}"); // warm the offload path, small and chunked
      client.callTool("big", "{\"chars\":3000000}");
      long baseline = heapAfterGc();
      AtomicLong peak = new AtomicLong(baseline);
      List<Runnable> stop = watchGcs(peak);
      JsonNode summary = TestClient.parse(client.callTool("big", "{\"chars\":" + chars + "}"));
      peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
      Thread.sleep(200); // GC notifications arrive on a thread of their own
      stop.forEach(Runnable::run);
      System.out.println("baseline " + baseline);
      System.out.println("peak " + peak.get());
      System.out.println("sizeBytes " + summary.path("sizeBytes").asLong());
      System.out.println("storedBytes " + Files.size(Path.of(summary.path("payloadPath").asText())));
    }
  }

  private static List<Runnable> watchGcs(AtomicLong peak) {
    List<Runnable> stop = new ArrayList<>();
    Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
        .map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    NotificationListener listener = (notification, handback) -> {
      if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        return;
      }
      GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
      long used = info.getGcInfo().getMemoryUsageBeforeGc().entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
          .mapToLong(e -> e.getValue().getUsed()).sum();
      peak.accumulateAndGet(used, Math::max);
    };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      NotificationEmitter emitter = (NotificationEmitter) gc;
      emitter.addNotificationListener(listener, null, null);
      stop.add(() -> {
        try {
          emitter.removeNotificationListener(listener);
        } catch (javax.management.ListenerNotFoundException e) {
          // already gone
        }
      });
    }
    return stop;
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
