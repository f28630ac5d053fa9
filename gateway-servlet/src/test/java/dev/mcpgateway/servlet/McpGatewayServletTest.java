package dev.mcpgateway.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.servlet.EmbeddedContainer.Deployment;
import dev.mcpgateway.servlet.EmbeddedContainer.Running;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The servlet on real Jetty 12 (ee10) and Tomcat 11, mounted at {@code /*} under the context path {@code /gw}. */
class McpGatewayServletTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final long LIMIT = 1024;

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final FakeMcpGateway gateway = new FakeMcpGateway(LIMIT);
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private Running start(EmbeddedContainer container, Deployment deployment) throws Exception {
    Running running = container.start(deployment);
    cleanup.add(running);
    return running;
  }

  private Running start(EmbeddedContainer container) throws Exception {
    return start(container, Deployment.of(new McpGatewayServlet(gateway)));
  }

  private RawHttp connect(Running running) throws Exception {
    RawHttp raw = new RawHttp(running.port());
    cleanup.add(raw);
    return raw;
  }

  private HttpRequest.Builder request(Running running, String path) {
    return HttpRequest.newBuilder(running.uri(path)).timeout(DEADLINE);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void passesAJsonResponseStatusHeadersAndBodyThroughExactly(EmbeddedContainer container) throws Exception {
    gateway.answer(GatewayResponse.json(201, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}")
        .withHeader("Mcp-Session-Id", "s-123"));
    Running running = start(container);

    HttpResponse<String> response = client.send(request(running, "/mcp/github")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}"))
        .header("Content-Type", "application/json")
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("Mcp-Session-Id")).hasValue("s-123");
    assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(response.body().length()));
    assertThat(response.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}");
    GatewayRequest seen = gateway.takeRequest();
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.path()).isEqualTo("/mcp/github");
    assertThat(new String(seen.body(), UTF_8)).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}");
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void answersAnEmptyResponseWithContentLengthZero(EmbeddedContainer container) throws Exception {
    gateway.answer(GatewayResponse.empty(202));
    Running running = start(container);

    HttpResponse<String> response = client.send(request(running, "/mcp/github")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.headers().firstValue("Content-Length")).hasValue("0");
    assertThat(response.body()).isEmpty();
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void passesTheGatewaysShutdownAnswerThrough(EmbeddedContainer container) throws Exception {
    gateway.answer(GatewayResponse.json(503, "{\"error\":\"gateway is shutting down\"}"));
    Running running = start(container);

    HttpResponse<String> response = client.send(request(running, "/health").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("{\"error\":\"gateway is shutting down\"}");
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void givesTheGatewayEveryValueOfARepeatedHeaderAndTheRemoteAddress(EmbeddedContainer container) throws Exception {
    Running running = start(container);
    RawHttp raw = connect(running);

    RawHttp.Response response = raw.send("GET " + running.target("/mcp/github") + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\n"
        + "X-Trace: first\r\n"
        + "Accept: application/json\r\n"
        + "X-Trace: second\r\n"
        + "Connection: close\r\n\r\n").readResponse();

    assertThat(response.status()).isEqualTo(200);
    GatewayRequest seen = gateway.takeRequest();
    assertThat(seen.method()).isEqualTo("GET");
    assertThat(seen.headers("X-Trace")).containsExactly("first", "second");
    assertThat(seen.header("accept")).hasValue("application/json");
    assertThat(seen.remoteAddress()).isEqualTo("127.0.0.1:" + raw.localPort());
    assertThat(seen.body()).isEmpty();
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void givesTheGatewayEveryOneOfManyHeadersOnceWhateverTheCaseOfTheirNames(EmbeddedContainer container)
      throws Exception {
    Running running = start(container);
    RawHttp raw = connect(running);
    StringBuilder head = new StringBuilder("GET " + running.target("/mcp/github") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (int i = 0; i < 40; i++) {
      head.append("X-Header-").append(i).append(": v").append(i).append("\r\n");
    }
    head.append("x-repeated: one\r\nX-REPEATED: two\r\nConnection: close\r\n\r\n");

    RawHttp.Response response = raw.send(head.toString()).readResponse();

    assertThat(response.status()).isEqualTo(200);
    GatewayRequest seen = gateway.takeRequest();
    for (int i = 0; i < 40; i++) {
      assertThat(seen.headers("x-header-" + i)).containsExactly("v" + i);
    }
    assertThat(seen.headers("X-Repeated")).containsExactly("one", "two");
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void givesTheGatewayAChunkedBodyWithinTheLimit(EmbeddedContainer container) throws Exception {
    Running running = start(container);
    RawHttp raw = connect(running);

    RawHttp.Response response = raw.send("POST " + running.target("/mcp/github") + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + "5\r\n{\"a\":\r\n3\r\n42}\r\n0\r\n\r\n").readResponse();

    assertThat(response.status()).isEqualTo(200);
    assertThat(new String(gateway.takeRequest().body(), UTF_8)).isEqualTo("{\"a\":42}");
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void givesTheGatewayThePathBelowAPrefixMapping(EmbeddedContainer container) throws Exception {
    Running running = start(container, Deployment.of(new McpGatewayServlet(gateway)).mapping("/gateway/*"));

    HttpResponse<String> prefixed = client.send(request(running, "/gateway/mcp/github").build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> bare = client.send(request(running, "/gateway").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(prefixed.statusCode()).isEqualTo(200);
    assertThat(bare.statusCode()).isEqualTo(200);
    assertThat(gateway.takeRequest().path()).isEqualTo("/mcp/github");
    assertThat(gateway.takeRequest().path()).isEqualTo("/");
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void givesTheGatewayTheWholePathInTheContextUnderTheDefaultMapping(EmbeddedContainer container) throws Exception {
    Running running = start(container, Deployment.of(new McpGatewayServlet(gateway)).mapping("/"));

    HttpResponse<String> response = client.send(request(running, "/mcp/github").build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(gateway.takeRequest().path()).isEqualTo("/mcp/github");
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void takesTheGatewayFromTheServletContextAttributeWhenConstructedWithoutOne(EmbeddedContainer container)
      throws Exception {
    Running running = start(container, Deployment.fromContextAttribute(gateway));

    HttpResponse<String> response = client.send(request(running, "/health").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(gateway.takeRequest().path()).isEqualTo("/health");
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void streamsEventsInOrderEachAsSoonAsItIsProducedAndEndsWithTheStream(EmbeddedContainer container)
      throws Exception {
    FakeEventStream stream = new FakeEventStream();
    gateway.answer(GatewayResponse.stream(200, stream));
    Running running = start(container);

    // send() returns once the headers arrived, before the stream produced anything.
    HttpResponse<InputStream> response = client.send(request(running, "/mcp/github")
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
    try (BufferedReader events = new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
      for (String data : List.of("one", "two", "three")) {
        stream.emit(data);
        assertThat(events.readLine()).isEqualTo("data: " + data);
        assertThat(events.readLine()).isEmpty();
      }
      stream.end();
      assertThat(events.readLine()).isNull();
    }
    assertThat(stream.cancelCount()).isZero();
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void cancelsTheStreamOnceWhenTheClientDisconnects(EmbeddedContainer container) throws Exception {
    FakeEventStream stream = new FakeEventStream();
    gateway.answer(GatewayResponse.stream(200, stream));
    Running running = start(container);
    RawHttp raw = connect(running);
    raw.send("GET " + running.target("/mcp/github") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    assertThat(raw.readHead().status()).isEqualTo(200);
    stream.emit("one");
    int size = raw.chunkSize();
    assertThat(raw.readLine()).isEqualTo("data: one");
    assertThat(size).isEqualTo("data: one\n\n".length());

    raw.close();

    // The gateway keeps writing (as its keep-alives do) until a write finds the client gone.
    Await.until(DEADLINE, "the stream is cancelled", () -> {
      stream.emit(": keep-alive");
      return stream.cancelCount() > 0;
    });
    for (int i = 0; i < 10; i++) {
      stream.emit(": keep-alive");
    }
    assertThat(stream.cancelCount()).isEqualTo(1);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void cancelsTheStreamOnceWhenAClientStopsReadingPastTheBufferLimit(EmbeddedContainer container) throws Exception {
    FakeEventStream stream = new FakeEventStream();
    gateway.answer(GatewayResponse.stream(200, stream));
    Running running = start(container,
        Deployment.of(McpGatewayServlet.builder(gateway).maxBufferedEventBytes(64 * 1024).build()));
    RawHttp raw = connect(running);
    raw.send("GET " + running.target("/mcp/github") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertThat(raw.readHead().status()).isEqualTo(200);
    byte[] event = ("data: " + "x".repeat(16 * 1024) + "\n\n").getBytes(UTF_8);

    // The client reads nothing more: socket buffers fill, then the servlet's queue.
    Await.until(DEADLINE, "the stream is cancelled", () -> {
      for (int i = 0; i < 64 && stream.cancelCount() == 0; i++) {
        stream.emit(event);
      }
      return stream.cancelCount() > 0;
    });
    stream.emit(event);
    assertThat(stream.cancelCount()).isEqualTo(1);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void cancelsAStreamThatArrivesAfterTheClientLeft(EmbeddedContainer container) throws Exception {
    CompletableFuture<GatewayResponse> answer = new CompletableFuture<>();
    gateway.answerWith(request -> answer);
    Running running = start(container);
    RawHttp raw = connect(running);
    raw.send("GET " + running.target("/mcp/github") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    gateway.takeRequest();

    raw.close();
    FakeEventStream stream = new FakeEventStream();
    answer.complete(GatewayResponse.stream(200, stream));

    Await.until(DEADLINE, "the stream is cancelled", () -> {
      if (stream.isOpened()) {
        stream.emit(": keep-alive");
      }
      return stream.cancelCount() > 0;
    });
    assertThat(stream.cancelCount()).isEqualTo(1);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void writesABodyLargerThanTheSocketBuffersCompletely(EmbeddedContainer container) throws Exception {
    String large = "{\"data\":\"" + "0123456789abcdef".repeat(512 * 1024) + "\"}";
    gateway.answer(GatewayResponse.json(200, large));
    Running running = start(container);

    HttpResponse<String> response = client.send(request(running, "/mcp/github").build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).hasSize(large.length()).isEqualTo(large);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void theThreadWithTheAnswerNeverWaitsForAClientThatDoesNotReadAndTheAnswerArrivesWhole(EmbeddedContainer container)
      throws Exception {
    java.util.Map<String, CompletableFuture<GatewayResponse>> pending = new java.util.concurrent.ConcurrentHashMap<>();
    gateway.answerWith(request -> pending.computeIfAbsent(request.path(), path -> new CompletableFuture<>()));
    Running running = start(container);
    // Alone, the answer is written by the thread that completes it; with more requests awaiting
    // the gateway, that thread hands the write to the container. Both ways must hold.
    answersWholeWithoutWaiting(running, pending, "alone", 0);
    answersWholeWithoutWaiting(running, pending, "busy", 4);
  }

  private void answersWholeWithoutWaiting(Running running, java.util.Map<String, CompletableFuture<GatewayResponse>> pending,
      String name, int othersAwaiting) throws Exception {
    String large = "{\"data\":\"" + "0123456789abcdef".repeat(512 * 1024) + "\"}";
    List<RawHttp> others = new ArrayList<>();
    try (RawHttp stalled = connect(running); RawHttp other = connect(running)) {
      for (int i = 0; i < othersAwaiting; i++) {
        RawHttp waiting = connect(running);
        others.add(waiting);
        waiting.send("POST " + running.target("/mcp/" + name + "-waiting-" + i)
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}");
      }
      stalled.send("POST " + running.target("/mcp/" + name + "-stalled")
          + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}");
      other.send("POST " + running.target("/mcp/" + name + "-other")
          + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}");
      Await.until(DEADLINE, "the requests reach the gateway",
          () -> pending.keySet().stream().filter(path -> path.startsWith("/mcp/" + name)).count() == othersAwaiting + 2);

      // What the socket does not take at once, the container writes as the client reads.
      // 8 MiB is far more than loopback buffers hold.
      long before = System.nanoTime();
      pending.get("/mcp/" + name + "-stalled").complete(GatewayResponse.json(200, large));
      pending.get("/mcp/" + name + "-other").complete(GatewayResponse.json(200, "{\"small\":true}"));
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));

      RawHttp.Response small = other.readResponse();
      assertThat(small.status()).isEqualTo(200);
      assertThat(small.body()).isEqualTo("{\"small\":true}");
      RawHttp.Response whole = stalled.readResponse();
      assertThat(whole.status()).isEqualTo(200);
      assertThat(whole.body()).hasSize(large.length());
      assertThat(whole.body().equals(large)).as("the large answer, byte for byte").isTrue();

      // the connection goes on serving: the exchange completed once its last byte went out
      stalled.send("POST " + running.target("/mcp/" + name + "-next")
          + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}");
      Await.until(DEADLINE, "the next request reaches the gateway", () -> pending.containsKey("/mcp/" + name + "-next"));
      pending.get("/mcp/" + name + "-next").complete(GatewayResponse.json(200, "{\"next\":true}"));
      assertThat(stalled.readResponse().body()).isEqualTo("{\"next\":true}");
      for (int i = 0; i < othersAwaiting; i++) {
        pending.get("/mcp/" + name + "-waiting-" + i).complete(GatewayResponse.json(200, "{\"i\":" + i + "}"));
        assertThat(others.get(i).readResponse().body()).isEqualTo("{\"i\":" + i + "}");
      }
    } finally {
      for (RawHttp waiting : others) {
        waiting.close();
      }
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void answers504WhenTheAsyncTimeoutPassesBeforeTheGatewayAnswersAndCancelsTheLateStream(EmbeddedContainer container)
      throws Exception {
    CompletableFuture<GatewayResponse> answer = new CompletableFuture<>();
    gateway.answerWith(request -> answer);
    Running running = start(container,
        Deployment.of(McpGatewayServlet.builder(gateway).asyncTimeout(Duration.ofMillis(300)).build()));

    HttpResponse<String> response = client.send(request(running, "/mcp/github").build(),
        HttpResponse.BodyHandlers.ofString());
    FakeEventStream late = new FakeEventStream();
    answer.complete(GatewayResponse.stream(200, late));

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).isEqualTo("{\"error\":\"gateway timed out after 300 ms\"}");
    assertThat(late.cancelCount()).isEqualTo(1);
    assertThat(late.isOpened()).isFalse();
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void answers413AtOnceWhenTheContentLengthIsOverTheLimit(EmbeddedContainer container) throws Exception {
    Running running = start(container);
    RawHttp raw = connect(running);

    // Only the headers are sent: the answer must not wait for the body.
    RawHttp.Response response = raw.send("POST " + running.target("/mcp/github") + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + (LIMIT + 1) + "\r\n\r\n")
        .readResponse();

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    assertThat(response.body()).isEqualTo("{\"error\":\"request body exceeds 1024 bytes\"}");
    assertThat(gateway.requests()).isEmpty();
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void answers413AsSoonAsAChunkedBodyCrossesTheLimit(EmbeddedContainer container) throws Exception {
    Running running = start(container);
    RawHttp raw = connect(running);
    raw.send("POST " + running.target("/mcp/github") + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    String chunk = "x".repeat(400);
    for (int i = 0; i < 3; i++) {
      raw.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
    }

    // The body never ends: the answer comes because 1200 bytes crossed the limit.
    RawHttp.Response response = raw.readResponse();

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    assertThat(response.body()).isEqualTo("{\"error\":\"request body exceeds 1024 bytes\"}");
    assertThat(gateway.requests()).isEmpty();
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void answers500WithoutAStackTraceWhenTheGatewayFails(EmbeddedContainer container) throws Exception {
    Running running = start(container);

    gateway.answerWith(request -> CompletableFuture.failedFuture(new IllegalStateException("secret detail")));
    HttpResponse<String> failedStage = client.send(request(running, "/mcp/github").build(),
        HttpResponse.BodyHandlers.ofString());
    gateway.answerWith(request -> {
      throw new IllegalStateException("secret detail");
    });
    HttpResponse<String> thrown = client.send(request(running, "/mcp/github").build(),
        HttpResponse.BodyHandlers.ofString());

    for (HttpResponse<String> response : List.of(failedStage, thrown)) {
      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(response.body()).isEqualTo("{\"error\":\"internal error\"}");
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void keepsAnsweringWhileManyRequestsWaitOnASlowBackendWithOnlyEightThreads(EmbeddedContainer container)
      throws Exception {
    List<CompletableFuture<GatewayResponse>> pending = new CopyOnWriteArrayList<>();
    gateway.answerWith(request -> {
      if (request.path().equals("/health")) {
        return CompletableFuture.completedFuture(GatewayResponse.json(200, "{\"status\":\"ok\"}"));
      }
      CompletableFuture<GatewayResponse> answer = new CompletableFuture<>();
      pending.add(answer);
      return answer;
    });
    Running running = start(container, Deployment.of(new McpGatewayServlet(gateway)).maxThreads(8));
    int waiting = 32;
    List<RawHttp> slow = new ArrayList<>();
    for (int i = 0; i < waiting; i++) {
      RawHttp raw = connect(running);
      raw.send("POST " + running.target("/mcp/slow") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
          + "Connection: close\r\n\r\n{}");
      slow.add(raw);
    }
    Await.until(DEADLINE, waiting + " requests wait on the backend", () -> pending.size() == waiting);

    HttpResponse<String> health = client.send(request(running, "/health").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
    byte[] answer = "{\"done\":true}".getBytes(UTF_8);
    pending.forEach(future -> future.complete(GatewayResponse.json(200, answer)));
    for (RawHttp raw : slow) {
      RawHttp.Response response = raw.readResponse();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("{\"done\":true}");
    }
  }
}
