package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link McpGateway#admit(GatewayRequest)}: what the gateway decides from a request's head
 * before a transport reads the body, and how {@code handle} trusts only its own admissions.
 */
class AdmissionTest {
  private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
  private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
      + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

  /** Accepts "good", counts every call, and can revoke "good" as a real authenticator would. */
  private static final class CountingAuthenticator implements Authenticator {
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean revoked;
    volatile RevocationListener listener;

    @Override
    public AuthResult authenticate(AuthRequest request) {
      calls.incrementAndGet();
      Optional<String> value = request.authorization();
      if (value.isEmpty()) {
        return AuthResult.denied(401, "authentication failed: missing API key");
      }
      if (value.get().equals("good") && !revoked) {
        return AuthResult.success(Identity.of("tester", "good"));
      }
      if (value.get().equals("throttle-me")) {
        return AuthResult.throttled(Duration.ofSeconds(42));
      }
      return AuthResult.denied(401, "authentication failed: invalid API key");
    }

    @Override
    public void onRevoked(RevocationListener listener) {
      this.listener = listener;
    }

    void revokeGood() {
      revoked = true;
      listener.revoked(Identity.of("tester", "good").sessionKey());
    }
  }

  private final CountingAuthenticator auth = new CountingAuthenticator();
  private final McpGateway gateway = gateway(auth);
  private McpGateway other;

  private static McpGateway gateway(Authenticator authenticator) {
    List<String> command = StdioTestServer.commandLine();
    return McpGateway.builder(GatewayConfig.builder()
            .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
            .build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .authenticator(authenticator)
        .allowedOrigins(List.of("https://app.example.com"))
        .build();
  }

  @AfterEach
  void stop() {
    gateway.close();
    if (other != null) {
      other.close();
    }
  }

  private static GatewayRequest.Builder head(String path, String authorization) {
    GatewayRequest.Builder head = GatewayRequest.post(path).header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").remoteAddress("10.0.0.7:4242");
    return authorization == null ? head : head.header("Authorization", authorization);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private GatewayResponse handle(GatewayRequest request, Admission admission) {
    return Await.result(gateway.handle(request, admission));
  }

  private static String error(GatewayResponse response) {
    return TestClient.parse(response.bodyText()).path("error").asText();
  }

  @Test
  void letsAnAuthenticatedHeadInAndHandleDoesNotAuthenticateItAgain() {
    GatewayRequest head = head("/mcp/test", "good").build();

    Admission admission = gateway.admit(head);
    GatewayResponse response = handle(head.withBody(utf8(INITIALIZE)), admission);

    assertThat(admission.answer()).isEmpty();
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers()).containsKey("Mcp-Session-Id");
    assertThat(auth.calls).hasValue(1);
  }

  @Test
  void answersAHeadWithoutOrWithAWrongKeyAtOnceCountingOneAttemptEach() {
    Admission missing = gateway.admit(head("/mcp/test", null).build());
    Admission wrong = gateway.admit(head("/mcp/test", "bad").build());

    assertThat(missing.answer()).hasValueSatisfying(response -> {
      assertThat(response.status()).isEqualTo(401);
      assertThat(error(response)).isEqualTo("authentication failed: missing API key");
    });
    assertThat(wrong.answer()).hasValueSatisfying(response -> assertThat(response.status()).isEqualTo(401));
    assertThat(auth.calls).hasValue(2);
  }

  @Test
  void answersAThrottledHeadWith429AndRetryAfter() {
    Admission throttled = gateway.admit(head("/mcp/test", "throttle-me").build());

    assertThat(throttled.answer()).hasValueSatisfying(response -> {
      assertThat(response.status()).isEqualTo(429);
      assertThat(response.headers()).containsEntry("Retry-After", "42");
    });
  }

  @Test
  void answersUnknownPathsOnlyAfterAuthenticationSoAStrangerLearnsNothing() {
    assertThat(gateway.admit(head("/mcp/nope", null).build()).answer()).hasValueSatisfying(
        response -> assertThat(response.status()).isEqualTo(401));
    GatewayRequest head = head("/mcp/nope", "good").build();
    Admission admitted = gateway.admit(head);

    GatewayResponse response = handle(head.withBody(utf8(PING)), admitted);

    assertThat(admitted.answer()).isEmpty();
    assertThat(response.status()).isEqualTo(404);
    assertThat(error(response)).contains("unknown server 'nope'").contains("test");
  }

  @Test
  void answersHealthFromTheHeadWithoutAuthentication() {
    Admission health = gateway.admit(GatewayRequest.get("/health").build());
    Admission post = gateway.admit(GatewayRequest.post("/health").build());

    assertThat(health.answer()).hasValueSatisfying(response -> {
      assertThat(response.status()).isEqualTo(200);
      assertThat(TestClient.parse(response.bodyText()).path("status").asText()).isEqualTo("healthy");
    });
    assertThat(post.answer()).hasValueSatisfying(response -> assertThat(response.status()).isEqualTo(405));
    assertThat(auth.calls).hasValue(0);
  }

  @Test
  void refusesAForeignOriginFromTheHeadBeforeAuthenticating() {
    Admission foreign = gateway.admit(head("/mcp/test", "good").header("Origin", "https://evil.example").build());
    Admission allowed = gateway.admit(head("/mcp/test", "good").header("Origin", "https://app.example.com").build());

    assertThat(foreign.answer()).hasValueSatisfying(response -> {
      assertThat(response.status()).isEqualTo(403);
      assertThat(error(response)).isEqualTo("origin 'https://evil.example' is not allowed");
    });
    assertThat(allowed.answer()).isEmpty();
    assertThat(auth.calls).hasValue(1);
  }

  @Test
  void doesNotTrustItsAdmissionForAnotherRequest() {
    Admission admitted = gateway.admit(head("/mcp/test", "good").build());
    GatewayRequest stranger = head("/mcp/test", "bad").body(INITIALIZE).build();

    GatewayResponse response = handle(stranger, admitted);

    assertThat(response.status()).isEqualTo(401);
    assertThat(auth.calls).hasValue(2);
  }

  @Test
  void doesNotTrustARebuiltCopyOfTheAdmittedHead() {
    GatewayRequest head = head("/mcp/test", "good").build();
    Admission admitted = gateway.admit(head);

    handle(head.toBuilder().body(INITIALIZE).build(), admitted);

    assertThat(auth.calls).hasValue(2); // toBuilder() copies: checked again rather than trusted
  }

  @Test
  void doesNotTrustAdmissionsItDidNotIssue() {
    GatewayRequest head = head("/mcp/test", null).build();
    Admission madeUp = Optional::empty;

    assertThat(handle(head.withBody(utf8(INITIALIZE)), madeUp).status()).isEqualTo(401);
    assertThat(handle(head.withBody(utf8(INITIALIZE)), Admission.proceed()).status()).isEqualTo(401);
    other = gateway(request -> AuthResult.success(Identity.of("anyone", "x")));
    Admission fromAnotherGateway = other.admit(head);
    assertThat(fromAnotherGateway.answer()).isEmpty();
    assertThat(handle(head.withBody(utf8(INITIALIZE)), fromAnotherGateway).status()).isEqualTo(401);
  }

  @Test
  void checksAgainWhenACredentialWasRevokedBetweenAdmissionAndBody() {
    GatewayRequest head = head("/mcp/test", "good").build();
    Admission admitted = gateway.admit(head);

    auth.revokeGood();
    GatewayResponse response = handle(head.withBody(utf8(INITIALIZE)), admitted);

    assertThat(response.status()).isEqualTo(401);
    assertThat(auth.calls).hasValue(2);
  }

  @Test
  void aRefusingAdmissionAnswersTheSameWhenHandedBack() {
    GatewayRequest head = head("/mcp/test", null).build();
    Admission refused = gateway.admit(head);

    assertThat(handle(head.withBody(utf8(PING)), refused).status()).isEqualTo(401);
    assertThat(auth.calls).hasValue(1);
  }

  @Test
  void refusesTwoAuthorizationHeadersWith400WithoutTryingEither() {
    GatewayRequest twice = head("/mcp/test", "bad").header("Authorization", "good").build();

    Admission admission = gateway.admit(twice);
    GatewayResponse handled = Await.result(gateway.handle(twice.withBody(utf8(PING))));

    for (GatewayResponse response : List.of(admission.answer().orElseThrow(), handled)) {
      assertThat(response.status()).isEqualTo(400);
      assertThat(error(response)).isEqualTo("the request has 2 Authorization headers; send exactly one");
    }
    assertThat(auth.calls).hasValue(0);
  }

  @Test
  void refusesRepeatedSessionProtocolVersionOriginAndHostHeadersWith400() {
    List<String[]> repeated = List.of(
        new String[] {"Mcp-Session-Id", "Mcp-Session-Id", "a", "b"},
        new String[] {"mcp-protocol-version", "MCP-Protocol-Version", "2025-06-18", "2025-03-26"},
        new String[] {"Origin", "Origin", "http://localhost", "http://localhost"},
        new String[] {"Host", "Host", "localhost", "evil.example"});
    for (String[] header : repeated) {
      GatewayRequest request = head("/mcp/test", "good").header(header[0], header[2]).header(header[0], header[3])
          .body(PING).build();

      GatewayResponse response = Await.result(gateway.handle(request));

      assertThat(response.status()).as(header[1]).isEqualTo(400);
      assertThat(error(response)).isEqualTo("the request has 2 " + header[1] + " headers; send exactly one");
    }
  }

  @Test
  void gatewaysThatDoNotDecideEarlyLetEveryHeadInAndIgnoreTheAdmission() {
    McpGateway plain = new McpGateway() {
      @Override
      public java.util.concurrent.CompletionStage<GatewayResponse> handle(GatewayRequest request) {
        return java.util.concurrent.CompletableFuture.completedFuture(GatewayResponse.json(200, "{\"seen\":\""
            + request.path() + "\"}"));
      }

      @Override
      public GatewayConfig config() {
        return GatewayConfig.builder().build();
      }

      @Override
      public long maxRequestBytes() {
        return 1024;
      }

      @Override
      public String version() {
        return "test";
      }

      @Override
      public boolean isClosed() {
        return false;
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> closed() {
        return new java.util.concurrent.CompletableFuture<>();
      }

      @Override
      public void close() {}
    };
    GatewayRequest head = GatewayRequest.post("/anything").build();

    Admission admission = plain.admit(head);

    assertThat(admission.answer()).isEmpty();
    assertThat(Await.result(plain.handle(head.withBody(utf8(PING)), admission)).bodyText())
        .isEqualTo("{\"seen\":\"/anything\"}");
  }

  @Test
  void anAnsweringAdmissionTakesACompleteResponseOnly() {
    assertThat(Admission.answered(GatewayResponse.empty(204)).answer()).hasValueSatisfying(
        response -> assertThat(response.status()).isEqualTo(204));
    EventStream stream = new EventStream() {
      @Override
      public void open(EventSink sink) {}

      @Override
      public void cancel() {}
    };
    assertThatThrownBy(() -> Admission.answered(GatewayResponse.stream(200, stream)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a stream");
  }

  @Test
  void withBodySharesTheHeadersOfTheHead() {
    GatewayRequest head = head("/mcp/test", "good").header("X-Trace", "1").remoteAddress("10.0.0.1:1").build();

    GatewayRequest full = head.withBody(utf8(PING));

    assertThat(full.headers()).isSameAs(head.headers());
    assertThat(full.method()).isEqualTo("POST");
    assertThat(full.path()).isEqualTo("/mcp/test");
    assertThat(full.remoteAddress()).isEqualTo("10.0.0.1:1");
    assertThat(new String(full.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(PING);
  }
}
