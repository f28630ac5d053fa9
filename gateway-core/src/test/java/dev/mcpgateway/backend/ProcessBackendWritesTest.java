package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Writes of many callers to one stdio server combine; each message still arrives once, whole,
 * and in the order its caller sent it. {@code cat} is the server: it answers every line with itself.
 */
class ProcessBackendWritesTest {
  private static final int THREADS = 16;
  private static final int MESSAGES = 3_000;

  @Test
  void concurrentSendersEachArriveOnceWholeAndInOrder() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    CountDownLatch all = new CountDownLatch(THREADS * MESSAGES);
    BackendListener listener = new BackendListener() {
      @Override
      public void onMessage(byte[] message) {
        received.add(new String(message, StandardCharsets.UTF_8));
        all.countDown();
      }

      @Override
      public void onExit(String reason) {}
    };
    Process cat = new ProcessBuilder("cat").start();
    LaunchRequest request = LaunchRequest.builder(dev.mcpgateway.config.ServerConfig.command("cat").build("cat"), listener)
        .maxMessageBytes(1 << 20).build();
    ProcessBackend backend = new ProcessBackend("cat", cat, request, Duration.ofSeconds(2));
    try {
      String padding = "x".repeat(300); // several messages per pipe buffer, some split across writes
      Thread[] senders = new Thread[THREADS];
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        senders[t] = new Thread(() -> {
          for (int n = 0; n < MESSAGES; n++) {
            try {
              backend.send(("{\"t\":" + thread + ",\"n\":" + n + ",\"p\":\"" + padding + "\"}").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
              throw new AssertionError(e);
            }
          }
        });
        senders[t].start();
      }
      for (Thread sender : senders) {
        sender.join();
      }
      assertThat(all.await(30, TimeUnit.SECONDS)).as("every message came back").isTrue();
      Map<Integer, Integer> next = new ConcurrentHashMap<>();
      for (String line : received) {
        assertThat(line).startsWith("{\"t\":").endsWith(padding + "\"}");
        int thread = Integer.parseInt(line.substring(5, line.indexOf(',')));
        int n = Integer.parseInt(line.substring(line.indexOf("\"n\":") + 4, line.indexOf(",\"p\"")));
        assertThat(n).as("message of sender %d", thread).isEqualTo(next.getOrDefault(thread, 0));
        next.put(thread, n + 1);
      }
      assertThat(received).hasSize(THREADS * MESSAGES);
    } finally {
      backend.close();
    }
    assertThatThrownBy(() -> backend.send("{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class).hasMessageContaining("server 'cat' is closed");
    assertThat(cat.isAlive()).isFalse();
  }
}
