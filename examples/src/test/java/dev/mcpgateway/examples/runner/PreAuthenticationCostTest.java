package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.servlet.McpGatewayServlet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What clients that are not (yet) let in cost the gateway, over real HTTP against the runner's
 * Jetty with the gateway in this JVM: hundreds of unauthenticated uploads that trickle their
 * bodies, and authenticated ones that outrun the body budget or the body deadline, while a
 * well-behaved client keeps calling tools.
 */
class PreAuthenticationCostTest {
  private static final String KEY = "pre-authentication-cost-test-key-0123456789abcdef";
  private static final int ATTACKERS = 300;
  /** Announced by every unauthenticated upload: just under the gateway's 4 MiB body limit. */
  private static final long ANNOUNCED = 4_000_000;
  /** What every unauthenticated upload sends at once after its headers, before it trickles. */
  private static final byte[] FIRST_PART = filled(256 * 1024);

  @TempDir Path payloads;
  private McpGateway gateway;
  private McpGatewayServlet servlet;
  private Server server;
  private GatewayHttp http;
  private int port;
  private final ExecutorService clients = Executors.newFixedThreadPool(24);
  private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
  private final List<Socket> trickling = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private void start(Function<McpGateway, McpGatewayServlet> servletFor) throws Exception {
    gateway = McpGateway.builder(GatewayHttp.config(payloads, Duration.ofSeconds(30)))
        .authenticator(ApiKeyAuthenticator.builder().key("client", KEY).build()) // 10 failures a minute per host
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build();
    servlet = servletFor.apply(gateway);
    server = GatewayRunner.jetty(gateway, "127.0.0.1", 0, GatewayRunner.IDLE_TIMEOUT, servlet);
    server.start();
    port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    http = new GatewayHttp(port);
    // A byte now and then on every upload still open: enough to keep any idle timeout away.
    trickle.scheduleWithFixedDelay(() -> {
      for (Socket socket : trickling) {
        try {
          socket.getOutputStream().write('x');
          socket.getOutputStream().flush();
        } catch (IOException closed) {
          trickling.remove(socket);
        }
      }
    }, 100, 100, TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    trickle.shutdownNow();
    clients.shutdownNow();
    for (Socket socket : sockets) {
      socket.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private static byte[] filled(int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'x');
    return bytes;
  }

  /** What an upload got back: the status and Retry-After of the answer; status -1 when none came. */
  private record Answer(int status, String retryAfter) {}

  /**
   * Opens a connection from {@code from}, sends {@code head} and {@code body}, then trickles
   * until the server closes; returns the answer's head (read with a 20 s bound).
   */
  private Answer upload(String from, String head, byte[] body) throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(20_000);
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    try {
      out.write(body);
      out.flush();
    } catch (IOException e) {
      // answered and closed before the body went out: the answer is read below
    }
    trickling.add(socket);
    return readAnswerHead(socket.getInputStream());
  }

  private static Answer readAnswerHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
      }
    } catch (IOException e) {
      // no (complete) answer; reported as status -1
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    if (!text.startsWith("HTTP/1.1 ") || !text.endsWith("\r\n\r\n")) {
      return new Answer(-1, null);
    }
    String retryAfter = null;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("retry-after:")) {
        retryAfter = line.substring("retry-after:".length()).trim();
      }
    }
    return new Answer(Integer.parseInt(text.substring(9, 12)), retryAfter);
  }

  private static String post(String authorization, long contentLength) {
    return "POST /mcp/test HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Accept: application/json, text/event-stream\r\n"
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
        + "Content-Length: " + contentLength + "\r\n\r\n";
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      memory.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static Map<Integer, Integer> countByStatus(List<Answer> answers) {
    Map<Integer, Integer> counts = new TreeMap<>();
    answers.forEach(answer -> counts.merge(answer.status(), 1, Integer::sum));
    return counts;
  }

  @Test
  void hundredsOfTricklingUnauthenticatedUploadsHoldNoHeapAndGetThrottledWhileAClientIsServed() throws Exception {
    start(McpGatewayServlet::new);
    String session = http.initialize(KEY);
    for (int i = 0; i < 5; i++) {
      http.call(KEY, session, 100 + i, "echo", "{\"message\":\"warm-up\"}");
    }
    long before = usedHeapAfterGc();

    // From 127.0.0.2, so that throttling that host leaves the client on 127.0.0.1 alone.
    List<Future<Answer>> pending = new ArrayList<>();
    for (int i = 0; i < ATTACKERS; i++) {
      pending.add(clients.submit(() -> upload("127.0.0.2", post(null, ANNOUNCED), FIRST_PART)));
    }
    int calls = 0;
    while (calls < 40 || pending.stream().anyMatch(future -> !future.isDone())) {
      assertThat(http.call(KEY, session, calls + 1, "echo", "{\"message\":\"m" + calls + "\"}")
          .path("result").path("content").path(0).path("text").asText()).isEqualTo("m" + calls);
      calls++;
    }
    List<Answer> answers = new ArrayList<>();
    for (Future<Answer> future : pending) {
      answers.add(future.get(30, TimeUnit.SECONDS));
    }
    long during = usedHeapAfterGc();
    Map<Integer, Integer> statuses = countByStatus(answers);
    System.out.printf("[pre-auth] %d trickling unauthenticated uploads of %d announced bytes (%d KiB sent at once): "
        + "answers %s; %d tool calls served meanwhile; heap after GC %d KiB before, %d KiB with them open "
        + "(+%d KiB); body bytes in flight %d%n", ATTACKERS, ANNOUNCED, FIRST_PART.length / 1024, statuses, calls,
        before / 1024, during / 1024, (during - before) / 1024, servlet.inFlightBodyBytes());

    assertThat(statuses.keySet()).containsOnly(401, 429);
    assertThat(statuses.get(401)).isGreaterThanOrEqualTo(ApiKeyAuthenticator.DEFAULT_MAX_FAILURES);
    assertThat(statuses.get(429)).isGreaterThan(ATTACKERS / 2);
    assertThat(answers.stream().filter(answer -> answer.status() == 429).map(Answer::retryAfter))
        .allSatisfy(retryAfter -> assertThat(Integer.parseInt(retryAfter)).isBetween(1, 60));
    assertThat(servlet.inFlightBodyBytes()).isZero();
    // Buffering what was sent (256 KiB each) would hold over 75 MiB; nothing of it may stay.
    assertThat(during - before).isLessThan(24L * 1024 * 1024);
  }

  @Test
  void slowAuthenticatedUploadsBeyondTheBudgetGet503Or408AndOthersAreServedMeanwhile() throws Exception {
    long budget = 4L * 1024 * 1024 + 512 * 1024;
    long size = 1024 * 1024;
    start(gatewayToServe -> McpGatewayServlet.builder(gatewayToServe)
        .maxInFlightBodyBytes(budget)
        .bodyTimeout(Duration.ofSeconds(5))
        .build());
    String session = http.initialize(KEY);

    List<Future<Answer>> pending = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pending.add(clients.submit(() -> upload("127.0.0.1", post(KEY, size), "{".getBytes(StandardCharsets.US_ASCII))));
    }
    Await.until(Duration.ofSeconds(20), "the slow uploads hold their bytes", servlet::inFlightBodyBytes, bytes -> bytes >= 4 * size);
    // Four slow uploads hold 4 MiB of the 4.5 MiB budget; small calls fit in the rest.
    for (int i = 0; i < 20; i++) {
      assertThat(http.call(KEY, session, i + 1, "echo", "{\"message\":\"m" + i + "\"}")
          .path("result").path("content").path(0).path("text").asText()).isEqualTo("m" + i);
    }
    List<Answer> answers = new ArrayList<>();
    for (Future<Answer> future : pending) {
      answers.add(future.get(30, TimeUnit.SECONDS));
    }
    Map<Integer, Integer> statuses = countByStatus(answers);
    System.out.printf("[pre-auth] 20 slow authenticated uploads of 1 MiB against a budget of %d KiB and a 5 s deadline:"
        + " answers %s; 20 tool calls served meanwhile%n", budget / 1024, statuses);

    assertThat(statuses.keySet()).containsOnly(408, 503);
    assertThat(statuses.get(408)).isGreaterThanOrEqualTo(4);
    assertThat(statuses.get(503)).isGreaterThanOrEqualTo(1);
    assertThat(answers.stream().filter(answer -> answer.status() == 503).map(Answer::retryAfter)).containsOnly("1");
    Await.until(Duration.ofSeconds(10), "every body's bytes are given back", servlet::inFlightBodyBytes, bytes -> bytes == 0);
    assertThat(http.call(KEY, session, 99, "echo", "{\"message\":\"after\"}").path("result").isObject()).isTrue();
  }
}
