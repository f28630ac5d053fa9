package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.backend.Backend;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.backend.LaunchRequest;
import dev.mcpgateway.config.ServerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link BackendLauncher} keeps, as JUnit 5 tests run against real MCP
 * servers the launcher starts or reaches: extend it and say which servers to use.
 *
 * <p>What it checks: a launched backend takes JSON-RPC messages and delivers the server's
 * answers to the listener, each one complete JSON text; {@code initialize} and {@code ping} are
 * answered; {@link Backend#describe()} says something and holds no secret (no environment or
 * header value); {@link Backend#close()} ends the backend, is idempotent (also when two threads
 * close at once), and the listener hears {@code onExit} exactly once, before {@code close}
 * returns; a server that exits on its own is reported through {@code onExit}, once; a launch
 * that cannot start fails with an {@link IOException} naming the server and holding no secret,
 * within the launch's start-up timeout; environment values reach the server; backends of one
 * launcher are independent. Every launch carries the environment variable
 * {@link #SECRET_VARIABLE} with a random value.
 *
 * <p>The launcher is made (with {@link #newLauncher()}) on a test's first launch, so a subclass
 * may skip a test in its own {@code @BeforeEach} when what the launcher needs is missing. The
 * backends a test launched are closed after it, then the launcher.
 *
 * <pre>{@code
 * class MyLauncherTest extends BackendLauncherContract {
 *   protected BackendLauncher newLauncher() { return new MyLauncher(); }
 *   protected ServerConfig server() { return ServerConfig.command("my-mcp-server").build("mine"); }
 *   protected ServerConfig exitingServer() { return ServerConfig.command("sh", "-c", "read l; exit 3").build("exits"); }
 *   protected ServerConfig unstartableServer() { return ServerConfig.command("/nonexistent").build("absent"); }
 * }
 * }</pre>
 *
 * <p>Launchers that give their servers an environment (processes, containers) extend
 * {@link StdioLauncherContract}, which adds that check.
 */
public abstract class BackendLauncherContract {
  /** The environment variable every launch of the contract carries; its value is a secret. */
  protected static final String SECRET_VARIABLE = "MCP_CONTRACT_SECRET";

  private final String secret = "contract-secret-" + UUID.randomUUID();
  private final List<Backend> launched = new CopyOnWriteArrayList<>();
  private BackendLauncher launcher;

  /** For subclasses, one per launcher implementation. */
  protected BackendLauncherContract() {
  }

  /**
   * A new launcher; the contract closes it after each test.
   *
   * @return the launcher under test
   * @throws Exception when it cannot be made, which fails the test
   */
  protected abstract BackendLauncher newLauncher() throws Exception;

  /**
   * A real MCP server this launcher runs or reaches: it answers {@code initialize},
   * {@code ping} and {@code tools/call}, and runs until it is closed.
   *
   * @return the server's configuration
   */
  protected abstract ServerConfig server();

  /**
   * A server that starts, then exits (or, for a remote, ends) on its own, at the latest once it
   * has read its first message, without being closed: for example a command
   * {@code sh -c 'read line; exit 3'}, or for a remote launcher a URL where nothing listens.
   *
   * @return the server's configuration
   */
  protected abstract ServerConfig exitingServer();

  /**
   * A server this launcher cannot start: a command or image that does not exist, a URL it cannot use.
   *
   * @return the server's configuration
   */
  protected abstract ServerConfig unstartableServer();

  /**
   * How long starting, an answer or an exit may take before a test fails; 60 seconds unless overridden.
   *
   * @return the time allowed
   */
  protected Duration timeout() {
    return Duration.ofSeconds(60);
  }

  private BackendLauncher launcher() throws Exception {
    if (launcher == null) {
      launcher = newLauncher();
    }
    return launcher;
  }

  /** Launches with a fresh session key and {@link #SECRET_VARIABLE} in the environment. */
  private Backend launch(ServerConfig server, RecordingBackendListener listener) throws Exception {
    Backend backend = launcher().launch(request(server, listener));
    launched.add(backend);
    return backend;
  }

  private LaunchRequest request(ServerConfig server, RecordingBackendListener listener) {
    return LaunchRequest.builder(server, listener)
        .sessionKey(Identity.digest("contract-" + UUID.randomUUID()))
        .environment(Map.of(SECRET_VARIABLE, secret))
        .startupTimeout(timeout())
        .build();
  }

  private JsonNode initialize(Backend backend, RecordingBackendListener listener) throws Exception {
    backend.send(JsonRpcLines.initialize(1));
    JsonNode answer = JsonRpcLines.parse(listener.response(1, timeout()));
    backend.send(JsonRpcLines.notification("notifications/initialized"));
    return answer;
  }

  /** The values the server or its environment hold that no description or error may show. */
  private List<String> secrets(ServerConfig server) {
    List<String> secrets = new ArrayList<>();
    secrets.add(secret);
    server.headers().values().stream().filter(v -> v.length() >= 6).forEach(secrets::add);
    server.env().values().stream().filter(v -> v.length() >= 6).forEach(secrets::add);
    return secrets;
  }

  @AfterEach
  void closeEverything() {
    for (Backend backend : launched) {
      backend.close();
    }
    if (launcher != null) {
      launcher.close();
    }
  }

  @Test
  void aLaunchedBackendAnswersInitializeAndPingThroughTheListener() throws Exception {
    RecordingBackendListener listener = new RecordingBackendListener();
    Backend backend = launch(server(), listener);

    assertThat(backend.isAlive()).isTrue();
    JsonNode initialized = initialize(backend, listener);
    backend.send(JsonRpcLines.request(2, "ping", null));
    JsonNode ping = JsonRpcLines.parse(listener.response(2, timeout()));

    assertThat(initialized.path("result").path("protocolVersion").asText()).as(initialized.toString()).isNotEmpty();
    assertThat(initialized.path("result").path("serverInfo").path("name").asText()).as(initialized.toString()).isNotEmpty();
    assertThat(ping.has("result")).as(ping.toString()).isTrue();
    assertThat(listener.messages()).as("every message is one complete JSON text without a line end")
        .allSatisfy(message -> assertThat(JsonRpcLines.isJsonObject(message)).as(message).isTrue());
    assertThat(listener.exits()).isEmpty();
    assertThat(backend.isAlive()).isTrue();
  }

  @Test
  void describeSaysSomethingAndHoldsNoSecret() throws Exception {
    ServerConfig server = server();
    Backend backend = launch(server, new RecordingBackendListener());

    String description = backend.describe();

    assertThat(description).isNotBlank();
    assertThat(secrets(server)).allSatisfy(secret -> assertThat(description).doesNotContain(secret));
  }

  @Test
  void closeEndsTheBackendReportsOneExitAndIsIdempotent() throws Exception {
    RecordingBackendListener listener = new RecordingBackendListener();
    Backend backend = launch(server(), listener);
    initialize(backend, listener);

    CompletableFuture<Void> other = CompletableFuture.runAsync(backend::close);
    backend.close();
    other.get();
    backend.close();

    assertThat(listener.exits()).as("onExit, heard before close returned").hasSize(1);
    assertThat(listener.exits().get(0)).isNotBlank();
    assertThat(backend.isAlive()).isFalse();
    assertThatThrownBy(() -> backend.send(JsonRpcLines.request(3, "ping", null))).isInstanceOf(IOException.class);
    assertThat(listener.exits()).hasSize(1);
  }

  @Test
  void aServerThatExitsOnItsOwnIsReportedOnce() throws Exception {
    RecordingBackendListener listener = new RecordingBackendListener();
    Backend backend = launch(exitingServer(), listener);
    try {
      backend.send(JsonRpcLines.initialize(1));
    } catch (IOException alreadyGone) {
      // the server may have exited before its first message
    }

    String reason = listener.awaitExit(timeout());

    assertThat(reason).isNotBlank();
    assertThat(backend.isAlive()).isFalse();
    assertThatThrownBy(() -> backend.send(JsonRpcLines.request(2, "ping", null))).isInstanceOf(IOException.class);
    backend.close();
    assertThat(listener.exits()).as("exits heard, also after close").containsExactly(reason);
  }

  @Test
  void aLaunchThatCannotStartFailsWithAnExceptionNamingTheServer() throws Exception {
    ServerConfig server = unstartableServer();
    RecordingBackendListener listener = new RecordingBackendListener();
    BackendLauncher launcher = launcher();

    // bounded: a launch that cannot start must fail, not hang
    Throwable failure = assertTimeoutPreemptively(timeout().multipliedBy(2), () -> {
      try {
        launched.add(launcher.launch(request(server, listener)));
        return null;
      } catch (IOException e) {
        return e;
      }
    });

    assertThat(failure).as("the launch of '%s' failed", server.name()).isInstanceOf(IOException.class);
    assertThat(failure.getMessage()).contains("'" + server.name() + "'");
    assertThat(secrets(server)).allSatisfy(secret -> assertThat(failure.getMessage()).doesNotContain(secret));
  }

  /**
   * Checks that the value of {@link #SECRET_VARIABLE} reaches the server: {@code probeParams}
   * are the params of a {@code tools/call} that makes {@link #server()} say it in its result.
   * {@link StdioLauncherContract} runs it as a test, for launchers that give servers an environment.
   *
   * @param probeParams the {@code tools/call} params, as JSON text
   * @throws Exception when the launch or a call fails, which fails the test
   */
  protected final void checkEnvironmentValuesReachTheServer(String probeParams) throws Exception {
    RecordingBackendListener listener = new RecordingBackendListener();
    Backend backend = launch(server(), listener);
    initialize(backend, listener);

    backend.send(JsonRpcLines.request(2, "tools/call", probeParams));

    JsonNode answer = JsonRpcLines.parse(listener.response(2, timeout()));
    assertThat(answer.path("result").toString()).as(answer.toString()).contains(secret);
  }

  @Test
  void backendsOfOneLauncherAreIndependent() throws Exception {
    RecordingBackendListener firstListener = new RecordingBackendListener();
    RecordingBackendListener secondListener = new RecordingBackendListener();
    Backend first = launch(server(), firstListener);
    Backend second = launch(server(), secondListener);
    initialize(first, firstListener);
    initialize(second, secondListener);

    first.close();
    second.send(JsonRpcLines.request(2, "ping", null));

    assertThat(JsonRpcLines.parse(secondListener.response(2, timeout())).has("result")).isTrue();
    assertThat(second.isAlive()).isTrue();
    assertThat(firstListener.exits()).hasSize(1);
    assertThat(secondListener.exits()).isEmpty();
  }
}
