package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients that send their headers or body slowly, against the runner's Jetty with a 1 s idle timeout. */
class SlowClientTest {
  private static final Duration IDLE = Duration.ofSeconds(1);
  @TempDir Path payloads;
  private McpGateway gateway;
  private Server server;
  private int port;
  private GatewayHttp http;
  private final ScheduledExecutorService dribble = Executors.newScheduledThreadPool(2);
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    gateway = McpGateway.builder(GatewayHttp.config(payloads, Duration.ofSeconds(30)))
        .launcher(BackendKind.COMMAND, BackendLauncher.process()).build();
    server = GatewayRunner.jetty(gateway, "127.0.0.1", 0, IDLE);
    server.start();
    port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    http = new GatewayHttp(port);
  }

  @AfterEach
  void stop() throws Exception {
    dribble.shutdownNow();
    for (Socket socket : sockets) {
      socket.close();
    }
    gateway.close();
    server.stop();
  }

  private Socket open(String firstBytes) throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    socket.getOutputStream().write(firstBytes.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  /** Reads until the server closes the connection; returns what it said and how long that took. */
  private static String awaitClosedByServer(Socket socket, Duration within) throws IOException {
    socket.setSoTimeout((int) within.toMillis());
    InputStream in = socket.getInputStream();
    StringBuilder said = new StringBuilder();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        said.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (java.net.SocketException reset) {
      // a reset closes too
    }
    return said.toString();
  }

  private void assertOthersServedPromptly() throws Exception {
    String session = http.initialize("key-other");
    for (int i = 0; i < 20; i++) {
      long started = System.nanoTime();
      HttpResponse<String> health = http.client.send(HttpRequest.newBuilder(URI.create(http.base + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(http.call("key-other", session, i + 1, "echo", "{\"message\":\"x\"}").path("result").isObject()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Test
  void clientThatStopsMidHeadersIsDisconnectedAfterTheIdleTimeoutWhileOthersAreServed() throws Exception {
    Socket stalled = open("POST /mcp/test HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl");
    long started = System.nanoTime();
    assertOthersServedPromptly();
    String said = awaitClosedByServer(stalled, Duration.ofSeconds(10));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf("[reliability] stalled headers: closed after %d ms, answer %s%n", took.toMillis(),
        said.isEmpty() ? "(none)" : said.replace("\r\n", " | "));
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    assertThat(said).doesNotContain(" 500 ");
  }

  @Test
  void clientThatStopsMidBodyIsDisconnectedAfterTheIdleTimeoutWithoutA500() throws Exception {
    Socket stalled = open("POST /mcp/test HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Accept: application/json\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\":\"2.0\",");
    long started = System.nanoTime();
    assertOthersServedPromptly();
    String said = awaitClosedByServer(stalled, Duration.ofSeconds(10));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf("[reliability] stalled body: closed after %d ms, answer %s%n", took.toMillis(),
        said.isEmpty() ? "(none)" : said.replace("\r\n", " | "));
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    assertThat(said).as("a timeout, never an empty 200 or a 500").startsWith("HTTP/1.1 408 ").doesNotContain("\tat ");
  }

  @Test
  void manyClientsDribblingHeadersAndBodiesByteByByteDoNotStarveOthers() throws Exception {
    byte[] request = ("POST /mcp/test HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Accept: application/json\r\nContent-Length: 200\r\n\r\n" + "x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
    for (int c = 0; c < 50; c++) {
      Socket socket = open("");
      int[] at = {0};
      // one byte every 250 ms each: faster than the idle timeout, so only the header and body limits bound them
      dribble.scheduleAtFixedRate(() -> {
        try {
          if (at[0] < request.length) {
            socket.getOutputStream().write(request[at[0]++]);
          }
        } catch (IOException e) {
          at[0] = request.length;
        }
      }, c * 5L, 250, TimeUnit.MILLISECONDS);
    }
    assertOthersServedPromptly();
    assertOthersServedPromptly();
  }
}
