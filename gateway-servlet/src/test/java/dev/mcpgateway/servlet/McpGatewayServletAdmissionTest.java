package dev.mcpgateway.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.Admission;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.servlet.EmbeddedContainer.Deployment;
import dev.mcpgateway.servlet.EmbeddedContainer.Running;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a request costs before it is let in, on real Jetty 12 and Tomcat 11: the servlet asks
 * the gateway to admit each request from its head and reads no body of a request it refuses;
 * bodies it reads share a budget and a deadline.
 */
class McpGatewayServletAdmissionTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final long LIMIT = 1024;

  private final FakeMcpGateway fake = new FakeMcpGateway(LIMIT);
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private Running start(EmbeddedContainer container, McpGatewayServlet servlet) throws Exception {
    Running running = container.start(Deployment.of(servlet));
    cleanup.add(running);
    return running;
  }

  private RawHttp connect(Running running) throws Exception {
    RawHttp raw = new RawHttp(running.port());
    cleanup.add(raw);
    return raw;
  }

  private static String post(Running running, String path, long contentLength, String extraHeaders) {
    return "POST " + running.target(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + extraHeaders + "Content-Length: " + contentLength + "\r\n\r\n";
  }

  /** The real gateway, with one authenticator call counted per attempt; the key is "good". */
  private McpGateway realGateway(AtomicInteger attempts) {
    List<String> command = EchoBackend.commandLine();
    McpGateway gateway = McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.command(command.get(0), command.subList(1, command.size()).toArray(String[]::new))
                .build("echo"))
            .build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(request -> {
          attempts.incrementAndGet();
          return request.authorization().filter("good"::equals)
              .map(key -> AuthResult.success(Identity.of("tester", key)))
              .orElse(AuthResult.denied(401, "authentication failed: invalid API key"));
        })
        .build();
    cleanup.add(gateway);
    return gateway;
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void refusesAnUnauthenticatedCallerFromItsHeadersWithoutWaitingForItsBody(EmbeddedContainer container)
      throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Running running = start(container, new McpGatewayServlet(realGateway(attempts)));
    RawHttp raw = connect(running);

    // Headers announcing a body that never comes: the answer cannot wait for it.
    RawHttp.Response response = raw.send(post(running, "/mcp/echo", 1000, "Authorization: wrong\r\n")).readResponse();

    assertThat(response.status()).isEqualTo(401);
    assertThat(response.body()).isEqualTo("{\"error\":\"authentication failed: invalid API key\"}");
    assertThat(response.header("connection")).isEqualToIgnoringCase("close");
    assertThat(raw.closedByServer()).isTrue();
    assertThat(attempts).hasValue(1);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void refusesAnUnauthenticatedCallerBeforeLookingAtTheSizeOfItsBody(EmbeddedContainer container) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Running running = start(container, new McpGatewayServlet(realGateway(attempts)));
    RawHttp raw = connect(running);

    RawHttp.Response response = raw.send(post(running, "/mcp/echo", 100 * 1024 * 1024, "")).readResponse();

    assertThat(response.status()).isEqualTo(401);
    assertThat(response.body()).isEqualTo("{\"error\":\"authentication failed: invalid API key\"}");
    assertThat(attempts).hasValue(1);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void refusesTwoAuthorizationHeadersWith400AndTriesNeither(EmbeddedContainer container) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Running running = start(container, new McpGatewayServlet(realGateway(attempts)));
    RawHttp raw = connect(running);

    RawHttp.Response response = raw.send(post(running, "/mcp/echo", 2,
        "Authorization: wrong\r\nAuthorization: good\r\n") + "{}").readResponse();

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("{\"error\":\"the request has 2 Authorization headers; send exactly one\"}");
    assertThat(attempts).hasValue(0);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void refusesTwoSessionIdsOrTwoProtocolVersionsWith400(EmbeddedContainer container) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Running running = start(container, new McpGatewayServlet(realGateway(attempts)));

    RawHttp.Response sessions = connect(running).send(post(running, "/mcp/echo", 2,
        "Authorization: good\r\nMcp-Session-Id: a\r\nmcp-session-id: b\r\nConnection: close\r\n") + "{}").readResponse();
    RawHttp.Response versions = connect(running).send(post(running, "/mcp/echo", 2,
        "Authorization: good\r\nMCP-Protocol-Version: 2025-06-18\r\nMCP-Protocol-Version: 2025-03-26\r\n"
            + "Connection: close\r\n") + "{}").readResponse();

    assertThat(sessions.status()).isEqualTo(400);
    assertThat(sessions.body()).isEqualTo("{\"error\":\"the request has 2 Mcp-Session-Id headers; send exactly one\"}");
    assertThat(versions.status()).isEqualTo(400);
    assertThat(versions.body())
        .isEqualTo("{\"error\":\"the request has 2 MCP-Protocol-Version headers; send exactly one\"}");
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void answersHealthWithoutReadingABodySentWithIt(EmbeddedContainer container) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Running running = start(container, new McpGatewayServlet(realGateway(attempts)));
    RawHttp raw = connect(running);

    RawHttp.Response response = raw.send("GET " + running.target("/health") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Length: 100000\r\n\r\n").readResponse();

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"healthy\"");
    assertThat(raw.closedByServer()).isTrue();
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void handsTheGatewayTheAdmissionItGaveWithTheBodyAndTheSameHead(EmbeddedContainer container) throws Exception {
    Admission mine = Optional::empty;
    fake.admitWith(head -> mine);
    Running running = start(container, new McpGatewayServlet(fake));

    RawHttp.Response response = connect(running).send(post(running, "/mcp/github", 2, "Connection: close\r\n") + "{}")
        .readResponse();

    assertThat(response.status()).isEqualTo(200);
    GatewayRequest seen = fake.takeRequest();
    assertThat(new String(seen.body(), UTF_8)).isEqualTo("{}");
    assertThat(fake.admissionsHandedBack()).containsExactly(mine);
    assertThat(seen.headers()).isSameAs(fake.heads().get(0).headers());
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void readsExactlyEachBodyOfRequestsPipelinedInOneWrite(EmbeddedContainer container) throws Exception {
    // Bodies that arrive with their heads are read at once: never a byte of the next request.
    Running running = start(container, new McpGatewayServlet(fake));
    RawHttp raw = connect(running);

    raw.send(post(running, "/mcp/a", 7, "") + "{\"a\":1}" + post(running, "/mcp/b", 9, "") + "{\"bb\":22}"
        + post(running, "/mcp/c", 2, "Connection: close\r\n") + "{}");

    for (int i = 0; i < 3; i++) {
      assertThat(raw.readResponse().status()).isEqualTo(200);
    }
    assertThat(fake.requests()).extracting(request -> new String(request.body(), UTF_8))
        .containsExactly("{\"a\":1}", "{\"bb\":22}", "{}");
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void readsABodyWhoseRestArrivesAfterItsHeadAndPartOfIt(EmbeddedContainer container) throws Exception {
    McpGatewayServlet servlet = McpGatewayServlet.builder(fake).build();
    Running running = start(container, servlet);
    RawHttp raw = connect(running);

    raw.send(post(running, "/mcp/github", 16, "Connection: close\r\n") + "{\"long\":");
    Await.until(DEADLINE, "the body holds its bytes", () -> servlet.inFlightBodyBytes() == 16);
    assertThat(fake.requests()).isEmpty();
    raw.send("\"value\"}");

    assertThat(raw.readResponse().status()).isEqualTo(200);
    assertThat(new String(fake.takeRequest().body(), UTF_8)).isEqualTo("{\"long\":\"value\"}");
    Await.until(DEADLINE, "the body's bytes are given back", () -> servlet.inFlightBodyBytes() == 0);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void writesAnAnswerTheAdmissionGaveAndNeverHandsTheRequestOn(EmbeddedContainer container) throws Exception {
    fake.admitWith(head -> Admission.answered(GatewayResponse.json(429, "{\"error\":\"slow down\"}")
        .withHeader("Retry-After", "7")));
    Running running = start(container, new McpGatewayServlet(fake));
    RawHttp raw = connect(running);

    RawHttp.Response response = raw.send(post(running, "/mcp/github", LIMIT * 10, "")).readResponse();

    assertThat(response.status()).isEqualTo(429);
    assertThat(response.header("retry-after")).isEqualTo("7");
    assertThat(response.body()).isEqualTo("{\"error\":\"slow down\"}");
    assertThat(raw.closedByServer()).isTrue();
    assertThat(fake.requests()).isEmpty();
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void answers503WhileOtherBodiesHoldTheBudgetAndServesWhatStillFits(EmbeddedContainer container) throws Exception {
    McpGatewayServlet servlet = McpGatewayServlet.builder(fake).maxInFlightBodyBytes(1500).build();
    Running running = start(container, servlet);
    RawHttp holder = connect(running);
    holder.send(post(running, "/mcp/github", 1000, "") + "{\"pad\":\"");
    Await.until(DEADLINE, "the first body holds its 1000 bytes", () -> servlet.inFlightBodyBytes() == 1000);

    RawHttp.Response refused = connect(running).send(post(running, "/mcp/github", 1000, "") + "x".repeat(1000))
        .readResponse();
    RawHttp.Response small = connect(running).send(post(running, "/mcp/github", 2, "Connection: close\r\n") + "{}")
        .readResponse();

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header("retry-after")).isEqualTo("1");
    assertThat(refused.header("connection")).isEqualToIgnoringCase("close");
    assertThat(refused.body()).isEqualTo("{\"error\":\"the gateway is receiving too many request bodies at once; retry shortly\"}");
    assertThat(small.status()).isEqualTo(200);
    holder.send("y".repeat(1000 - 8 - 2) + "\"}");
    assertThat(holder.readResponse().status()).isEqualTo(200);
    Await.until(DEADLINE, "every body's bytes are given back", () -> servlet.inFlightBodyBytes() == 0);
    RawHttp.Response retried = connect(running).send(post(running, "/mcp/github", 1000, "Connection: close\r\n")
        + "x".repeat(1000)).readResponse();
    assertThat(retried.status()).isEqualTo(200);
    assertThat(fake.requests()).hasSize(3);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void chargesAChunkedBodyAsItArrives(EmbeddedContainer container) throws Exception {
    McpGatewayServlet servlet = McpGatewayServlet.builder(fake).maxInFlightBodyBytes(1500).build();
    Running running = start(container, servlet);
    String chunked = "POST " + running.target("/mcp/github") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    RawHttp holder = connect(running);
    holder.send(chunked + "3\r\n{\"a\r\n");
    Await.until(DEADLINE, "the chunked body holds part of the budget", () -> servlet.inFlightBodyBytes() > 0);

    RawHttp.Response refused = connect(running).send(chunked + "3e8\r\n" + "x".repeat(1000) + "\r\n").readResponse();

    assertThat(refused.status()).isEqualTo(503);
    holder.send("4\r\n\":1}\r\n0\r\n\r\n");
    assertThat(holder.readResponse().status()).isEqualTo(200);
    assertThat(new String(fake.takeRequest().body(), UTF_8)).isEqualTo("{\"a\":1}");
    Await.until(DEADLINE, "every body's bytes are given back", () -> servlet.inFlightBodyBytes() == 0);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(EmbeddedContainer.class)
  void answers408ToABodyThatTricklesInPastTheDeadlineAndFreesItsBytes(EmbeddedContainer container) throws Exception {
    McpGatewayServlet servlet = McpGatewayServlet.builder(fake).bodyTimeout(Duration.ofMillis(500)).build();
    Running running = start(container, servlet);
    RawHttp slow = connect(running);
    slow.send(post(running, "/mcp/github", 1000, "") + "{");
    Await.until(DEADLINE, "the body holds its bytes", () -> servlet.inFlightBodyBytes() == 1000);

    // A byte every 50 ms keeps every idle timeout happy; only the deadline ends it.
    RawHttp.Response response = null;
    for (int sent = 1; response == null && sent < 1000; sent++) {
      try {
        slow.send("x");
      } catch (java.io.IOException closed) {
        // answered and closed between two bytes: the answer is read below
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      if (servlet.inFlightBodyBytes() == 0) {
        response = slow.readResponse();
      }
    }

    assertThat(response).isNotNull();
    assertThat(response.status()).isEqualTo(408);
    assertThat(response.header("connection")).isEqualToIgnoringCase("close");
    assertThat(response.body()).isEqualTo("{\"error\":\"the request body did not arrive within 500 ms; send it at a steady pace\"}");
    assertThat(fake.requests()).isEmpty();
    servlet.destroy();
  }
}
