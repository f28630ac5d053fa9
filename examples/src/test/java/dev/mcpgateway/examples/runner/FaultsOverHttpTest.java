package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backend faults, slow and vanishing clients, and shutdown under load, over real HTTP against the runner's Jetty. */
class FaultsOverHttpTest {
  @TempDir Path payloads;
  private GatewayRunner.Running running;
  private Server server;
  private McpGateway gateway;
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws Exception {
    threads.shutdownNow();
    if (running != null) {
      running.stop();
    }
    if (server != null) {
      server.stop();
    }
    if (gateway != null) {
      gateway.close();
    }
    Await.until(Duration.ofSeconds(15), "no backend process outlives its gateway", GatewayHttp::backendProcesses, List::isEmpty);
  }

  private GatewayHttp runner(Duration toolTimeout) throws Exception {
    running = GatewayRunner.start(GatewayHttp.config(payloads, toolTimeout), "127.0.0.1", 0);
    return new GatewayHttp(running.port);
  }

  /** Starts {@code count} streamed calls of {@code tool} and waits until each has its progress event: all are at the backend. */
  private List<Iterator<String>> inFlight(GatewayHttp http, String key, String session, int count, long ms) throws Exception {
    List<CompletableFuture<Iterator<String>>> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long id = 100 + i;
      started.add(CompletableFuture.supplyAsync(() -> {
        try {
          Iterator<String> lines = http.stream(key, session, id, "progress", "{\"steps\":1,\"ms\":" + ms + "}");
          JsonNode first = GatewayHttp.nextEvent(lines);
          assertThat(first.path("method").asText()).isEqualTo("notifications/progress");
          return lines;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, threads));
    }
    List<Iterator<String>> streams = new ArrayList<>();
    for (CompletableFuture<Iterator<String>> s : started) {
      streams.add(s.get(30, TimeUnit.SECONDS));
    }
    return streams;
  }

  @Test
  void killedBackendFailsEveryCallInFlightWithinASecondNamingTheServerAndTheNextCallStartsAFreshOne() throws Exception {
    GatewayHttp http = runner(Duration.ofSeconds(60));
    String session = http.initialize("key-a");
    long pid = Long.parseLong(http.call("key-a", session, 1, "pid", "{}").path("result").path("content").path(0).path("text").asText());
    List<Iterator<String>> streams = inFlight(http, "key-a", session, 8, 30_000);

    long killed = System.nanoTime();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    List<CompletableFuture<Long>> answered = new ArrayList<>();
    for (Iterator<String> lines : streams) {
      answered.add(CompletableFuture.supplyAsync(() -> {
        try {
          JsonNode answer = GatewayHttp.nextEvent(lines);
          long after = System.nanoTime() - killed;
          assertThat(answer.path("error").path("message").asText()).startsWith("server 'test' stopped");
          return after;
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }, threads));
    }
    long slowest = 0;
    for (CompletableFuture<Long> a : answered) {
      slowest = Math.max(slowest, a.get(10, TimeUnit.SECONDS));
    }
    System.out.printf("[reliability] 8 calls in flight failed %d ms after the backend was killed%n", slowest / 1_000_000);
    assertThat(Duration.ofNanos(slowest)).as("every call in flight fails within a second").isLessThan(Duration.ofSeconds(1));

    JsonNode next = http.call("key-a", session, 2, "pid", "{}");
    assertThat(next.path("result").path("content").path(0).path("text").asText()).isNotEqualTo(Long.toString(pid));
  }

  @Test
  void floodingBackendAndAClientThatNeverReadsItsStreamDoNotSlowOtherSessions() throws Exception {
    GatewayHttp http = runner(Duration.ofSeconds(60));
    String slowSession = http.initialize("key-slow");
    String fastSession = http.initialize("key-fast");
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", running.port));
      OutputStream out = stalled.getOutputStream();
      out.write(("GET /mcp/test HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: key-slow\r\n"
          + "Mcp-Session-Id: " + slowSession + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // 40 MB of notifications to every session of key-slow, whose one stream is never read
      CompletableFuture<JsonNode> flood = CompletableFuture.supplyAsync(() -> {
        try {
          return http.call("key-slow", slowSession, 1, "flood", "{\"count\":20000,\"bytes\":2000}");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, threads);
      long slowest = 0;
      int calls = 0;
      while (!flood.isDone() && calls < 2000) {
        long started = System.nanoTime();
        JsonNode echo = http.call("key-fast", fastSession, 10 + calls, "echo", "{\"message\":\"m" + calls + "\"}");
        slowest = Math.max(slowest, System.nanoTime() - started);
        assertThat(echo.path("result").path("content").path(0).path("text").asText()).isEqualTo("m" + calls);
        calls++;
      }
      assertThat(flood.get(60, TimeUnit.SECONDS).path("result").path("content").path(0).path("text").asText())
          .isEqualTo("flooded 20000");
      System.out.printf("[reliability] during the flood: %d calls of another session, slowest %d ms%n", calls, slowest / 1_000_000);
      assertThat(Duration.ofNanos(slowest)).as("other sessions are not slowed").isLessThan(Duration.ofSeconds(2));

      // the gateway gave up on the stalled stream: reading what is buffered ends in end of stream, not 40 MB
      stalled.setSoTimeout(20_000);
      InputStream in = stalled.getInputStream();
      byte[] buffer = new byte[65536];
      long read = 0;
      int n;
      try {
        while ((n = in.read(buffer)) >= 0) {
          read += n;
        }
      } catch (java.net.SocketException reset) {
        // reset by the server is an end too
      }
      System.out.printf("[reliability] the stalled client got %d bytes before the gateway ended its stream%n", read);
      assertThat(read).as("bytes the stalled client could still read").isLessThan(40_000_000L);
    }
    assertThat(http.call("key-slow", slowSession, 2, "echo", "{\"message\":\"alive\"}").path("result").path("content")
        .path(0).path("text").asText()).as("the session itself goes on").isEqualTo("alive");
  }

  @Test
  void clientThatDisconnectsMidStreamReleasesItsConnectionAndStream() throws Exception {
    // A client that vanishes while its stream is quiet is noticed at the next keep-alive write.
    gateway = McpGateway.builder(GatewayHttp.config(payloads, Duration.ofSeconds(60)))
        .launcher(BackendKind.COMMAND, BackendLauncher.process()).keepAliveInterval(Duration.ofMillis(500)).build();
    server = GatewayRunner.jetty(gateway, "127.0.0.1", 0);
    server.start();
    ServerConnector connector = (ServerConnector) server.getConnectors()[0];
    int port = connector.getLocalPort();
    GatewayHttp http = new GatewayHttp(port);
    String session = http.initialize("key-a");
    http.call("key-a", session, 1, "echo", "{\"message\":\"warm\"}");
    long fdsBefore = GatewayHttp.openFileDescriptors();
    for (int round = 0; round < 20; round++) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        String body = GatewayHttp.toolCall(1000 + round, "progress", "{\"steps\":1,\"ms\":300}", true);
        socket.getOutputStream().write(("POST /mcp/test HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Accept: text/event-stream\r\nAuthorization: key-a\r\nMcp-Session-Id: " + session + "\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        socket.setSoTimeout(10_000);
        String seen = readUntil(socket.getInputStream(), "notifications/progress");
        assertThat(seen).contains("notifications/progress");
      } // closed mid-stream, before the answer
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.getOutputStream().write(("GET /mcp/test HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            + "Authorization: key-a\r\nMcp-Session-Id: " + session + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.setSoTimeout(10_000);
        assertThat(readUntil(socket.getInputStream(), "\r\n\r\n")).startsWith("HTTP/1.1 200");
      } // a standalone stream dropped
    }
    // the calls whose clients left still finish at the backend; afterwards nothing of theirs is held
    HttpRequest health = HttpRequest.newBuilder(URI.create(http.base + "/health")).build();
    Await.until(Duration.ofSeconds(10), "connections of clients that left are closed", connector::getConnectedEndPoints,
        endPoints -> endPoints.size() <= 1);
    assertThat(http.client.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    Await.until(Duration.ofSeconds(10), "file descriptors back to " + fdsBefore, GatewayHttp::openFileDescriptors,
        fds -> fds <= fdsBefore + 4);
    long closeStarted = System.nanoTime();
    gateway.close(); // drains requests in flight for up to 30 s: none may be left
    assertThat(Duration.ofNanos(System.nanoTime() - closeStarted)).as("no request of a vanished client is still in flight")
        .isLessThan(Duration.ofSeconds(10));
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    StringBuilder seen = new StringBuilder();
    byte[] buffer = new byte[4096];
    int n;
    while (seen.indexOf(marker) < 0 && (n = in.read(buffer)) >= 0) {
      seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
    }
    return seen.toString();
  }

  @Test
  void closeOverHttpUnderLoadLetsEveryCallInFlightFinishAndLeavesNoProcessOrPayloadDirectory() throws Exception {
    GatewayHttp http = runner(Duration.ofSeconds(60));
    List<String> sessions = new ArrayList<>();
    List<Iterator<String>> streams = new ArrayList<>();
    for (String key : List.of("key-a", "key-b", "key-c", "key-d")) {
      String session = http.initialize(key);
      sessions.add(session);
      // a payload directory for this key: results over the threshold (512 KiB) go to disk
      http.call(key, session, 1, "big", "{\"chars\":600000}");
      streams.addAll(inFlight(http, key, session, 4, 1500));
    }
    assertThat(GatewayHttp.payloadEntries(payloads)).isNotEmpty();
    assertThat(GatewayHttp.backendProcesses()).hasSize(4);

    HttpResponse<String> closed = http.client.send(HttpRequest.newBuilder(URI.create(http.base + "/close"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(closed.statusCode()).isEqualTo(200);
    assertThat(closed.body()).contains("\"serversTerminated\":4");
    for (Iterator<String> lines : streams) {
      JsonNode answer = GatewayHttp.nextEvent(lines);
      assertThat(answer).as("every call in flight gets its answer").isNotNull();
      assertThat(answer.path("result").path("content").path(0).path("text").asText()).isEqualTo("done");
    }
    Await.until(Duration.ofSeconds(15), "no backend process is left", GatewayHttp::backendProcesses, List::isEmpty);
    assertThat(GatewayHttp.payloadEntries(payloads)).as("payload directories left").isEmpty();
  }

  @Test
  void stoppingTheRunnerUnderLoadAnswersEveryCallInFlightBeforeTheServerStops() throws Exception {
    GatewayHttp http = runner(Duration.ofSeconds(60));
    String session = http.initialize("key-a");
    List<Iterator<String>> streams = inFlight(http, "key-a", session, 8, 1500);
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(running::stop, threads); // what SIGTERM does
    for (Iterator<String> lines : streams) {
      JsonNode answer = GatewayHttp.nextEvent(lines);
      assertThat(answer).as("every call in flight gets its answer").isNotNull();
      assertThat(answer.path("result").path("content").path(0).path("text").asText()).isEqualTo("done");
    }
    stopping.get(30, TimeUnit.SECONDS);
    assertThat(running.server.isStopped()).isTrue();
    assertThat(GatewayHttp.backendProcesses()).isEmpty();
  }

  @Test
  void closeWithAShortDrainAnswersEveryCallStillInFlightWithAnErrorNamingTheServer() throws Exception {
    GatewayConfig config = GatewayHttp.config(payloads, Duration.ofSeconds(60));
    gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process())
        .drainTimeout(Duration.ofMillis(200)).build();
    server = GatewayRunner.jetty(gateway, "127.0.0.1", 0);
    server.start();
    GatewayHttp http = new GatewayHttp(((ServerConnector) server.getConnectors()[0]).getLocalPort());
    String session = http.initialize("key-a");
    List<Iterator<String>> streams = inFlight(http, "key-a", session, 8, 60_000);

    long started = System.nanoTime();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close, threads);
    for (Iterator<String> lines : streams) {
      JsonNode answer = GatewayHttp.nextEvent(lines);
      assertThat(answer).as("no call disappears silently").isNotNull();
      assertThat(answer.path("error").path("message").asText()).startsWith("server 'test' stopped");
    }
    closing.get(30, TimeUnit.SECONDS);
    System.out.printf("[reliability] close with 8 calls in flight answered them all in %d ms%n",
        (System.nanoTime() - started) / 1_000_000);
    assertThat(GatewayHttp.backendProcesses()).isEmpty();
  }
}
