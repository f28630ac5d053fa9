package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import dev.mcpgateway.testsupport.StdioJson;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on loopback: the JDK HTTP client, the runner's Jetty and servlet, the gateway
 * with API keys (the configured {@code gateway.apiKey} and a second key), and
 * {@code @modelcontextprotocol/server-everything} from npm, started by the process launcher.
 */
class EverythingThroughServletTest {
  private static final String KEY = "configured-key-0123456789-abcdefghijklmnop";
  /** A secret the server gets in its environment; it must never reach a client. */
  private static final String SERVER_SECRET = "e2e-server-secret-Zq8wX2vB7nK4";
  private static final String OTHER_KEY = "second-key-9876543210-ABCDEFGHIJKLMNOPQRS";
  private static final String PATH = "/mcp/everything";
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  /** Every server-everything child started by these tests runs this script. */
  private static final String MARKER = "server-everything";

  private static List<String> referenceTools;

  @TempDir
  Path payloads;
  private McpGateway gateway;
  private Server jetty;
  private McpHttp http;

  /** The tool names server-everything itself lists over stdio, without the gateway. */
  @BeforeAll
  static void askTheServerItself() throws Exception {
    NodeTools.assumeNode();
    try (NodeProcess server = NodeTools.serverEverything().start()) {
      StdioJson rpc = new StdioJson(server, DEADLINE);
      rpc.initialize();
      referenceTools = McpHttp.toolNames(rpc.request(2, "tools/list", StdioJson.object()).path("result"));
    }
    assertThat(referenceTools).contains("echo", "get-env", "trigger-long-running-operation");
  }

  @BeforeEach
  void start() throws Exception {
    GatewayConfig config = GatewayConfig.builder()
        .apiKey(KEY)
        .payloadDir(payloads)
        .server(NodeTools.serverEverything().serverConfig().env("E2E_SERVER_SECRET", SERVER_SECRET).build("everything"))
        .build();
    ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder()
        .key("configured", ApiKeyAuthenticator.configuredKey(config, name -> null).orElseThrow())
        .key("other", OTHER_KEY)
        .build();
    gateway = McpGateway.builder(config)
        .authenticator(keys)
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build();
    jetty = GatewayRunner.jetty(gateway, "127.0.0.1", 0);
    jetty.start();
    http = new McpHttp("http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort());
  }

  @AfterEach
  void stop() throws Exception {
    if (jetty != null) {
      jetty.stop();
    }
    if (gateway != null) {
      gateway.close();
    }
    Children.await(MARKER, List::isEmpty, "no server-everything child left", DEADLINE);
  }

  @Test
  void initializeGivesASessionAndListsEveryToolTheServerHasAndEchoAnswers() {
    McpHttp.Session session = http.open(PATH, KEY);

    assertThat(session.initializeResult.path("protocolVersion").asText()).isEqualTo(McpHttp.PROTOCOL_VERSION);
    assertThat(session.initializeResult.path("serverInfo").path("name").asText()).isEqualTo("mcp-servers/everything");
    List<String> tools = McpHttp.toolNames(session.call("tools/list", "{}").path("result"));
    assertThat(tools).containsExactlyInAnyOrderElementsOf(referenceTools);
    JsonNode echo = session.callTool("echo", "{\"message\":\"hello through the gateway\"}").path("result");
    assertThat(echo.path("content").get(0).path("text").asText()).isEqualTo("Echo: hello through the gateway");
    assertThat(echo.path("isError").asBoolean(false)).isFalse();
  }

  @Test
  void sessionsWithTheSameKeyShareOneChildAndAnotherKeyGetsItsOwn() {
    McpHttp.Session first = http.open(PATH, KEY);
    long firstPid = Children.await(MARKER, found -> found.size() == 1, "one child", DEADLINE).get(0).pid();

    McpHttp.Session second = http.open(PATH, KEY);
    assertThat(second.id).isNotEqualTo(first.id);
    assertThat(second.callTool("echo", "{\"message\":\"again\"}").path("result").path("content").get(0).path("text").asText())
        .isEqualTo("Echo: again");
    assertThat(Children.ofThisJvm(MARKER)).extracting(ProcessHandle::pid).containsExactly(firstPid);

    McpHttp.Session other = http.open(PATH, OTHER_KEY);
    assertThat(other.callTool("echo", "{\"message\":\"mine\"}").path("result").path("content").get(0).path("text").asText())
        .isEqualTo("Echo: mine");
    List<ProcessHandle> both = Children.await(MARKER, found -> found.size() == 2, "two children", DEADLINE);
    assertThat(both).extracting(ProcessHandle::pid).contains(firstPid);
  }

  @Test
  void theChildGetsACleanEnvironmentAndItsSecretsAreRedactedOnTheWayOut() {
    McpHttp.Session session = http.open(PATH, KEY);

    String env = session.callTool("get-env", "{}").path("result").path("content").get(0).path("text").asText();

    assertThat(env).contains("\"E2E_SERVER_SECRET\"").contains("[REDACTED:").doesNotContain(SERVER_SECRET)
        .doesNotContain(KEY).doesNotContain(OTHER_KEY);
    assertThat(env).as("only PATH, HOME, locale and the server's env are inherited").doesNotContain("MAVEN_");
  }

  @Test
  void aKeyCannotUseAnotherKeysSession() {
    McpHttp.Session mine = http.open(PATH, KEY);

    McpHttp.Answer foreign = http.post(PATH, OTHER_KEY, mine.id, McpHttp.request(7, "tools/list", "{}"));

    assertThat(foreign.status()).isEqualTo(404);
    assertThat(McpHttp.toolNames(mine.call("tools/list", "{}").path("result")))
        .containsExactlyInAnyOrderElementsOf(referenceTools);
  }

  @Test
  void deleteEndsTheSessionAndTheKeysLastSessionTakesTheChildAlong() {
    McpHttp.Session first = http.open(PATH, KEY);
    McpHttp.Session second = http.open(PATH, KEY);
    ProcessHandle child = Children.await(MARKER, found -> found.size() == 1, "one child", DEADLINE).get(0);

    assertThat(first.delete().status()).isEqualTo(200);
    assertThat(http.post(PATH, KEY, first.id, McpHttp.request(9, "tools/list", "{}")).status()).isEqualTo(404);
    assertThat(first.delete().status()).isEqualTo(404);
    assertThat(child.isAlive()).as("the key's other session still uses the child").isTrue();
    assertThat(McpHttp.toolNames(second.call("tools/list", "{}").path("result")))
        .containsExactlyInAnyOrderElementsOf(referenceTools);

    assertThat(second.delete().status()).isEqualTo(200);
    Await.until(DEADLINE, "child " + child.pid() + " ends with the key's last session", () -> !child.isAlive());
    assertThat(Children.ofThisJvm(MARKER)).isEmpty();
  }

  @Test
  void aNewSessionAfterTheLastOneEndedStartsAFreshChild() {
    McpHttp.Session first = http.open(PATH, KEY);
    ProcessHandle child = Children.await(MARKER, found -> found.size() == 1, "one child", DEADLINE).get(0);
    first.delete();
    Await.until(DEADLINE, "the first child ends", () -> !child.isAlive());

    McpHttp.Session again = http.open(PATH, KEY);

    assertThat(again.callTool("echo", "{\"message\":\"back\"}").path("result").path("content").get(0).path("text").asText())
        .isEqualTo("Echo: back");
    assertThat(Children.await(MARKER, found -> found.size() == 1, "a new child", DEADLINE))
        .extracting(ProcessHandle::pid).doesNotContain(child.pid());
  }

  @Test
  void closingTheGatewayEndsEveryChild() {
    http.open(PATH, KEY);
    http.open(PATH, OTHER_KEY);
    Children.await(MARKER, found -> found.size() == 2, "two children", DEADLINE);

    gateway.close();

    assertThat(Children.ofThisJvm(MARKER)).as("close() blocks until backends are gone").isEmpty();
    assertThat(http.post(PATH, KEY, null, McpHttp.initializeBody()).status()).isEqualTo(503);
  }
}
