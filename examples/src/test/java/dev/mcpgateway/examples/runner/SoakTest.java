package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.await.Await;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded soak over HTTP against the runner: concurrent workers open sessions, call tools and
 * end the sessions again, over several keys (so several backends start and stop). Afterwards
 * nothing may be left: threads, file descriptors, child processes, payload directories, heap.
 * {@code -Dgateway.soak.seconds} sets the duration (default 60, CI), {@code -Dgateway.soak.workers}
 * the concurrency (default 32), {@code -Dgateway.soak.calls} the tool calls per session (default 5;
 * 0 loops initialize and DELETE only); the {@code soak} profile runs it longer as a benchmark.
 *
 * <p>The client keeps its connections alive, and the server must not close one of them while
 * the workers run: a connection closed mid-run fails the test with its request counts, so that a
 * dropped keep-alive connection is told apart from a client fault. The client is Jetty's, not the
 * JDK's {@code java.net.http} one (see {@link KeepAliveClient}).
 */
@Tag("load")
class SoakTest {
  private static final int SECONDS = Integer.getInteger("gateway.soak.seconds", 60);
  private static final int WORKERS = Integer.getInteger("gateway.soak.workers", 32);
  private static final int KEYS = 6;
  private static final int CALLS_PER_SESSION = Integer.getInteger("gateway.soak.calls", 5);

  @TempDir Path payloads;

  @Test
  void sessionsOpenAndEndUnderConcurrentCallsWithNoErrorsAndNothingLeakedAfterClose() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Set<Long> threadsBefore = Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet());
    long fdsBefore = GatewayHttp.openFileDescriptors();
    System.gc();
    long heapBefore = memory.getHeapMemoryUsage().getUsed();

    // Hundreds of thousands of calls: their audit lines would fill the build's output.
    ch.qos.logback.classic.Logger audit = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("audit");
    ch.qos.logback.classic.Level auditLevel = audit.getLevel();
    audit.setLevel(ch.qos.logback.classic.Level.WARN);
    GatewayRunner.Running running = GatewayRunner.start(GatewayHttp.config(payloads, Duration.ofSeconds(30)), "127.0.0.1", 0);
    ServerConnections connections = new ServerConnections();
    ((ServerConnector) running.server.getConnectors()[0]).addEventListener(connections);
    AtomicLong calls = new AtomicLong();
    AtomicLong sessions = new AtomicLong();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    long started = System.nanoTime();
    long deadline = started + TimeUnit.SECONDS.toNanos(SECONDS);
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    KeepAliveClient http = null;
    try {
      http = new KeepAliveClient(running.port, WORKERS);
      KeepAliveClient client = http;
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        String key = "soak-key-" + (w % KEYS);
        int worker = w;
        done.add(workers.submit(() -> {
          long round = 0;
          while (System.nanoTime() < deadline && errors.size() < 20) {
            round++;
            try {
              String session = client.initialize(key);
              sessions.incrementAndGet();
              for (int c = 0; c < CALLS_PER_SESSION; c++) {
                String message = "w" + worker + "-r" + round + "-c" + c;
                JsonNode answer = client.call(key, session, c + 1, "echo", "{\"message\":\"" + message + "\"}");
                String text = answer.path("result").path("content").path(0).path("text").asText();
                if (!text.equals(message)) {
                  errors.add("worker " + worker + ": expected " + message + ", got " + answer);
                }
                calls.incrementAndGet();
              }
              int deleted = client.delete(key, session);
              if (deleted != 200) {
                errors.add("worker " + worker + ": DELETE answered " + deleted);
              }
            } catch (Exception e) {
              errors.add("worker " + worker + ": " + causes(e));
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(SECONDS + 120L, TimeUnit.SECONDS);
      }
    } finally {
      connections.stopWatching();
      workers.shutdownNow();
      workers.awaitTermination(30, TimeUnit.SECONDS);
      if (http != null) {
        http.close();
      }
      running.stop();
      audit.setLevel(auditLevel);
    }
    double took = (System.nanoTime() - started) / 1e9;
    System.out.printf("[reliability] soak: %d s, %d workers, %d sessions opened and ended, %d calls (%.0f calls/s), %d errors;"
        + " %d connections, %d closed while the workers ran%n", SECONDS, WORKERS, sessions.get(), calls.get(), calls.get() / took,
        errors.size(), connections.opened.get(), connections.closedWhileWatching.size());
    assertThat(errors).as("unexpected errors").isEmpty();
    assertThat(connections.closedWhileWatching).as("keep-alive connections closed while the workers ran").isEmpty();
    assertThat(sessions.get()).isGreaterThan(WORKERS);

    Await.until(Duration.ofSeconds(15), "no child process is left", GatewayHttp::backendProcesses, List::isEmpty);
    assertThat(GatewayHttp.payloadEntries(payloads)).as("payload directories left").isEmpty();
    Await.until(Duration.ofSeconds(30), "no thread is left", () -> leakedThreads(threadsBefore), List::isEmpty);
    Await.until(Duration.ofSeconds(30), "file descriptors back to " + fdsBefore, GatewayHttp::openFileDescriptors,
        fds -> fds <= fdsBefore + 8);
    long[] heapAfter = new long[1];
    boolean heapBack = Await.holdsWithin(Duration.ofSeconds(20), () -> {
      System.gc();
      heapAfter[0] = memory.getHeapMemoryUsage().getUsed();
      return heapAfter[0] <= heapBefore + 32L * 1024 * 1024;
    });
    System.out.printf("[reliability] soak: heap %d MiB before, %d MiB after GC; fds %d before, %d after%n",
        heapBefore >> 20, heapAfter[0] >> 20, fdsBefore, GatewayHttp.openFileDescriptors());
    assertThat(heapBack).as("heap back within 32 MiB of its start: %d -> %d", heapBefore, heapAfter[0]).isTrue();
  }

  /** The exception and its causes, one after the other: the root of a failure shows in the report. */
  private static String causes(Throwable e) {
    StringBuilder text = new StringBuilder(e.toString());
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      text.append(" <- ").append(cause);
    }
    return text.toString();
  }

  /**
   * Counts the server's connections and records each one that closes while the workers run, with
   * its requests in and responses out (equal: the server answered everything it received).
   */
  private static final class ServerConnections implements Connection.Listener {
    final AtomicLong opened = new AtomicLong();
    final ConcurrentLinkedQueue<String> closedWhileWatching = new ConcurrentLinkedQueue<>();
    private volatile boolean watching = true;

    @Override
    public void onOpened(Connection connection) {
      opened.incrementAndGet();
    }

    @Override
    public void onClosed(Connection connection) {
      if (watching) {
        closedWhileWatching.add(connection.getEndPoint().getRemoteSocketAddress() + ": " + connection.getMessagesIn()
            + " requests in, " + connection.getMessagesOut() + " responses out");
      }
    }

    void stopWatching() {
      watching = false;
    }
  }

  /**
   * Threads started since the baseline and still alive, but for the JDK's own pools that linger
   * by design and the one timer per JVM that flushes the runner's log (both start on first use,
   * so they are new here when this test runs alone).
   */
  private static List<String> leakedThreads(Set<Long> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t.getId()) && t.isAlive())
        .map(Thread::getName)
        .filter(name -> !name.startsWith("HttpClient-") && !name.equals("process reaper") && !name.startsWith("ForkJoinPool")
            && !name.startsWith("Attach Listener") && !name.startsWith("surefire")
            && !name.equals("CompletableFutureDelayScheduler") && !name.equals("mcp-gateway-log-flush"))
        .sorted()
        .toList();
  }
}
