package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.examples.support.DemoServer;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.testsupport.NodeCommand;
import dev.mcpgateway.testsupport.NodeProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runner as users run it, in its own JVM ({@code java -cp <this class path> GatewayRunner},
 * the same main class as the shaded jar): stdout, stderr, exit status, SIGTERM.
 */
class RunnerProcessTest {
  private static final String KEY = "runner-process-key-0123456789abcdefghijk";
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  /** What the runner's listening WARN says for each command server. */
  private static final String NO_ISOLATION = "runs '" + DemoServer.java() + "' as a host process, without container isolation";

  @TempDir
  Path dir;
  private final List<NodeProcess> runners = new ArrayList<>();

  @AfterEach
  void stop() {
    runners.forEach(NodeProcess::close);
    Children.await(DemoServer.MARKER, List::isEmpty, "no demo child left", DEADLINE);
  }

  /** The runner, in a new JVM with this class path, started with {@code args} (and {@code env} pairs). */
  private NodeProcess runner(List<String> env, String... args) throws Exception {
    List<String> line = new ArrayList<>(List.of(DemoServer.java(), "-cp", System.getProperty("java.class.path"),
        GatewayRunner.class.getName()));
    line.addAll(List.of(args));
    NodeCommand command = NodeCommand.of(line);
    for (int i = 0; i < env.size(); i += 2) {
      command = command.withEnv(env.get(i), env.get(i + 1));
    }
    NodeProcess runner = command.start(dir);
    runners.add(runner);
    return runner;
  }

  /** A config with the demo server under each of {@code names}, and the key when not null, as JSON. */
  private static String config(String apiKey, String... names) {
    StringBuilder servers = new StringBuilder();
    for (String name : names) {
      List<String> line = DemoServer.commandLine();
      StringBuilder args = new StringBuilder();
      for (String arg : line.subList(1, line.size())) {
        args.append(args.length() == 0 ? "" : ",").append(json(arg));
      }
      servers.append(servers.length() == 0 ? "" : ",").append('"').append(name).append("\":{\"type\":\"stdio\",\"command\":")
          .append(json(line.get(0))).append(",\"args\":[").append(args).append("]}");
    }
    return "{" + (apiKey == null ? "" : "\"gateway\":{\"apiKey\":\"" + apiKey + "\"},") + "\"mcpServers\":{" + servers + "}}";
  }

  private static String json(String text) {
    return McpHttp.JSON.getNodeFactory().textNode(text).toString();
  }

  private Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  /** Waits for the one line the runner prints on stdout and parses it. */
  private static JsonNode clientConfig(NodeProcess runner) throws Exception {
    return McpHttp.JSON.readTree(runner.awaitLine(line -> true, DEADLINE));
  }

  @Test
  void printsExactlyTheClientConfigWithTheKeyOnStdoutAndServesIt() throws Exception {
    NodeProcess runner = runner(List.of(), "--config", file("gateway.json", config(KEY, "demo")).toString(),
        "--listen", "127.0.0.1:0");

    JsonNode printed = clientConfig(runner);

    String url = printed.path("mcpServers").path("demo").path("url").asText();
    assertThat(url).matches("http://127\\.0\\.0\\.1:[1-9][0-9]*/mcp/demo");
    assertThat(printed.toString()).isEqualTo("{\"mcpServers\":{\"demo\":{\"type\":\"http\",\"url\":\"" + url
        + "\",\"headers\":{\"Authorization\":\"" + KEY + "\"}}}}");
    McpHttp http = new McpHttp(url.substring(0, url.indexOf("/mcp/")));
    McpHttp.Session session = http.open("/mcp/demo", printed.path("mcpServers").path("demo").path("headers").path("Authorization").asText());
    assertThat(session.callTool("echo", "{\"message\":\"via the runner\"}").path("result").path("content").get(0).path("text").asText())
        .isEqualTo("via the runner");
    assertThat(runner.stdoutLines()).hasSize(1);
    assertThat(runner.stderr()).contains("[WARN] [GatewayRunner] Server 'demo' " + NO_ISOLATION)
        .contains("[INFO]").doesNotContain(KEY);
  }

  @Test
  void withoutAKeyTheClientConfigHasNoHeaders() throws Exception {
    NodeProcess runner = runner(List.of(), "--config", file("gateway.json", config(null, "a", "b")).toString(),
        "--listen", "127.0.0.1:0");

    JsonNode printed = clientConfig(runner);

    assertThat(printed.path("mcpServers").size()).isEqualTo(2);
    for (String name : List.of("a", "b")) {
      JsonNode server = printed.path("mcpServers").path(name);
      assertThat(server.path("type").asText()).isEqualTo("http");
      assertThat(server.path("url").asText()).endsWith("/mcp/" + name);
      assertThat(server.has("headers")).isFalse();
      assertThat(runner.stderr()).contains("Server '" + name + "' " + NO_ISOLATION);
    }
  }

  @Test
  void readsTheConfigFromStdinWithDash() throws Exception {
    NodeProcess runner = runner(List.of(), "--config", "-", "--listen", "127.0.0.1:0");
    runner.send(config(KEY, "demo"));
    runner.closeStdin();

    assertThat(clientConfig(runner).path("mcpServers").path("demo").path("headers").path("Authorization").asText())
        .isEqualTo(KEY);
  }

  @Test
  void readsTheConfigFromStdinWithoutConfigAndExpandsVariables() throws Exception {
    NodeProcess runner = runner(List.of("E2E_GATEWAY_KEY", KEY), "--listen", "127.0.0.1:0");
    runner.send(config("${E2E_GATEWAY_KEY}", "demo"));
    runner.closeStdin();

    JsonNode printed = clientConfig(runner);

    assertThat(printed.path("mcpServers").path("demo").path("headers").path("Authorization").asText()).isEqualTo(KEY);
    assertThat(runner.stderr()).contains("Reading the configuration from standard input");
  }

  @Test
  void sigtermClosesEverySessionAndBackendBeforeTheProcessExits() throws Exception {
    NodeProcess runner = runner(List.of(), "--config", file("gateway.json", config(KEY, "one", "two")).toString(),
        "--listen", "127.0.0.1:0");
    JsonNode printed = clientConfig(runner);
    for (String name : List.of("one", "two")) {
      String url = printed.path("mcpServers").path(name).path("url").asText();
      new McpHttp(url.substring(0, url.indexOf("/mcp/"))).open("/mcp/" + name, KEY).callTool("echo", "{\"message\":\"x\"}");
    }
    ProcessHandle handle = runner.process().toHandle();
    List<ProcessHandle> children = Children.await(handle, DemoServer.MARKER, found -> found.size() == 2, "two demo children",
        DEADLINE);

    // SIGTERM through the handle: Process.destroy() also closes our ends of the runner's pipes,
    // which would lose what it logs while it shuts down
    assertThat(handle.destroy()).isTrue();
    int exit = runner.awaitExit(DEADLINE);

    // a JVM ended by SIGTERM reports 128 + 15 once its shutdown hooks have run
    assertThat(exit).as("stderr:%n%s", runner.stderr()).isEqualTo(143);
    assertThat(children).noneMatch(ProcessHandle::isAlive);
    assertThat(runner.stderr()).contains("Closing the MCP gateway: 2 session(s)")
        .contains("MCP gateway closed: 2 server process(es) terminated")
        .doesNotContain("[ERROR]").doesNotContain("Exception");
    assertThat(runner.stdoutLines()).hasSize(1);
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("unknown field", "{\"mcpServers\":{},\"extra\":1}", "$.extra: unknown field"),
        Arguments.of("undefined variable", "{\"gateway\":{\"apiKey\":\"${E2E_UNDEFINED_VARIABLE}\"},\"mcpServers\":{}}",
            "$.gateway.apiKey: environment variable 'E2E_UNDEFINED_VARIABLE' is not defined"),
        Arguments.of("not JSON", "{not json", "$: not valid JSON at line 1"),
        Arguments.of("empty", "", "$: "),
        Arguments.of("a server without command or container", "{\"mcpServers\":{\"a\":{}}}", "$.mcpServers.a: "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void aBadConfigFileIsReportedOnStderrWithExitStatus1(String name, String json, String message) throws Exception {
    NodeProcess runner = runner(List.of(), "--config", file("bad.json", json).toString(), "--listen", "127.0.0.1:0");

    assertThat(runner.awaitExit(DEADLINE)).isEqualTo(1);
    assertThat(runner.stderr()).contains("mcp-gateway: configuration error: " + message);
    assertThat(runner.stdoutLines()).isEmpty();
  }

  @Test
  void aBadConfigOnStdinIsReportedTheSameWay() throws Exception {
    NodeProcess runner = runner(List.of(), "--listen", "127.0.0.1:0");
    runner.send("{\"mcpServers\":{\"a\":{\"command\":\"x\",\"enviroment\":{}}}}");
    runner.closeStdin();

    assertThat(runner.awaitExit(DEADLINE)).isEqualTo(1);
    assertThat(runner.stderr()).contains("mcp-gateway: configuration error: $.mcpServers.a.enviroment: unknown field");
    assertThat(runner.stdoutLines()).isEmpty();
  }

  @Test
  void aPayloadDirectoryOthersMayWriteStopsTheStartNamingItsModeAndTheFix() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    String withDir = config(KEY, "demo").replace("\"gateway\":{", "\"gateway\":{\"payloadDir\":" + json(shared.toString()) + ",");
    NodeProcess runner = runner(List.of(), "--config", file("gateway.json", withDir).toString(), "--listen", "127.0.0.1:0");

    assertThat(runner.awaitExit(DEADLINE)).isEqualTo(1);
    assertThat(runner.stderr()).contains("mcp-gateway: configuration error: $.gateway.payloadDir: payload directory "
        + shared + " is owned by '" + System.getProperty("user.name") + "' with mode 0777 (rwxrwxrwx)")
        .contains("chmod 700 " + shared);
    assertThat(runner.stdoutLines()).isEmpty();
    try (Stream<Path> left = Files.list(shared)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aMissingConfigFileIsNamedWithExitStatus1() throws Exception {
    Path missing = dir.resolve("nowhere.json");
    NodeProcess runner = runner(List.of(), "--config", missing.toString());

    assertThat(runner.awaitExit(DEADLINE)).isEqualTo(1);
    assertThat(runner.stderr()).contains("mcp-gateway: configuration file not found: " + missing);
    assertThat(runner.stdoutLines()).isEmpty();
  }

  @Test
  void aPortInUseIsReportedWithExitStatus1AndNoChild() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      NodeProcess runner = runner(List.of(), "--config", file("gateway.json", config(KEY, "demo")).toString(),
          "--listen", "127.0.0.1:" + taken.getLocalPort());

      assertThat(runner.awaitExit(DEADLINE)).isEqualTo(1);
      assertThat(runner.stderr()).contains("mcp-gateway: failed to start: cannot listen on 127.0.0.1:" + taken.getLocalPort());
      assertThat(runner.stdoutLines()).isEmpty();
    }
  }

  static Stream<Arguments> badArguments() {
    return Stream.of(
        Arguments.of(List.of("--bogus"), "unknown argument '--bogus'"),
        Arguments.of(List.of("--config"), "--config needs a value"),
        Arguments.of(List.of("--listen", "8000"), "--listen needs HOST:PORT, got '8000'"),
        Arguments.of(List.of("--listen", "127.0.0.1:http"), "--listen port must be a number"),
        Arguments.of(List.of("--listen", "127.0.0.1:70000"), "--listen port must be 0-65535"),
        Arguments.of(List.of("--help"), "usage: java -jar mcp-gateway.jar"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badArguments")
  void badArgumentsPrintUsageWithExitStatus2(List<String> args, String message) throws Exception {
    NodeProcess runner = runner(List.of(), args.toArray(String[]::new));

    assertThat(runner.awaitExit(DEADLINE)).isEqualTo(2);
    assertThat(runner.stderr()).contains(message).contains(RunnerOptions.USAGE);
    assertThat(runner.stdoutLines()).isEmpty();
  }
}
