package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.examples.support.Children;
import dev.mcpgateway.examples.support.DemoServer;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.testsupport.NodeCommand;
import dev.mcpgateway.testsupport.NodeProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two standalone runners in cluster mode, each in its own JVM, on one {@code redis-server}: a
 * session opened on one is served by the other, and when one is killed with SIGKILL its callers
 * go on through the other; a host's failed authentications and a caller's sessions count on both.
 * Needs {@code redis-server} on the PATH (installed by {@code .ci/run}).
 */
@Tag("replicas")
class RunnerReplicasTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String SECRET = "replicas-test-secret-0123456789abcdef";
  private static final String API_KEY = "k7Qx9Lm2Vp4Rt8Wz3Ny6Bh1Jc5Fd0GsA";

  @TempDir
  Path dir;

  private Process redis;
  private int redisPort;
  private final List<NodeProcess> runners = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    boolean present = Files.isExecutable(Path.of("/usr/bin/redis-server")) || Files.isExecutable(Path.of("/usr/local/bin/redis-server"));
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("redis-server is missing: .ci/run installs it");
    }
    if (!present) {
      System.out.println("SKIPPED RunnerReplicasTest: no redis-server on this machine (Debian: apt-get install redis-server)");
    }
    Assumptions.assumeTrue(present, "redis-server is not installed");
    redisPort = freePort();
    redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    Await.until(DEADLINE, "redis-server starts", () -> Files.readString(dir.resolve("redis.log")),
        log -> log.contains("Ready to accept connections"));
  }

  @AfterEach
  void stop() throws Exception {
    runners.forEach(NodeProcess::close);
    if (redis != null) {
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
    Children.await(DemoServer.MARKER, List::isEmpty, "no demo child left", DEADLINE);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A runner replica in a JVM of its own; returns its base URL once it serves. */
  private String replica() throws Exception {
    return replica("");
  }

  /** As {@link #replica()}, with more {@code gateway} settings ({@code "name":value,}). */
  private String replica(String gatewaySettings) throws Exception {
    List<String> line = DemoServer.commandLine();
    StringBuilder args = new StringBuilder();
    for (String arg : line.subList(1, line.size())) {
      args.append(args.length() == 0 ? "" : ",").append(McpHttp.JSON.getNodeFactory().textNode(arg));
    }
    String config = "{\"gateway\":{" + gatewaySettings + "\"cluster\":{\"redis\":\"redis://127.0.0.1:" + redisPort + "\",\"secret\":\"${CLUSTER_SECRET}\"}},"
        + "\"mcpServers\":{\"demo\":{\"type\":\"stdio\",\"command\":" + McpHttp.JSON.getNodeFactory().textNode(line.get(0))
        + ",\"args\":[" + args + "]}}}";
    Path file = Files.writeString(dir.resolve("gateway-" + runners.size() + ".json"), config);
    NodeProcess runner = NodeCommand.of(List.of(DemoServer.java(), "-cp", System.getProperty("java.class.path"),
        GatewayRunner.class.getName(), "--config", file.toString(), "--listen", "127.0.0.1:0"))
        .withEnv("CLUSTER_SECRET", SECRET).withEnv("GATEWAY_KEY", API_KEY).start(dir);
    runners.add(runner);
    JsonNode printed = McpHttp.JSON.readTree(runner.awaitLine(l -> true, DEADLINE));
    String url = printed.path("mcpServers").path("demo").path("url").asText();
    return url.substring(0, url.indexOf("/mcp/"));
  }

  private static String echo(McpHttp http, String session, String message) {
    McpHttp.Answer answer = http.post("/mcp/demo", null, session, McpHttp.toolCall(7, "echo", "{\"message\":\"" + message + "\"}"));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json().path("result").path("content").path(0).path("text").asText();
  }

  @Test
  void aSessionOpenedOnOneReplicaIsServedByTheOtherEvenAfterTheFirstIsKilled() throws Exception {
    McpHttp a = new McpHttp(replica());
    McpHttp b = new McpHttp(replica());
    McpHttp.Session session = a.open("/mcp/demo", null);

    assertThat(echo(b, session.id, "served by b")).isEqualTo("served by b");
    assertThat(echo(a, session.id, "served by a")).isEqualTo("served by a");

    runners.get(0).process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no drain, no goodbye

    assertThat(echo(b, session.id, "after the kill")).isEqualTo("after the kill");
    McpHttp.Session fresh = b.open("/mcp/demo", null);
    assertThat(echo(b, fresh.id, "new on b")).isEqualTo("new on b");
    assertThat(b.post("/mcp/demo", null, session.id, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}").status()).isEqualTo(200);

    assertThat(b.send("DELETE", "/mcp/demo", null, "Mcp-Session-Id", session.id, "MCP-Protocol-Version", "2025-06-18").status())
        .isEqualTo(200);
    assertThat(b.post("/mcp/demo", null, session.id, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"ping\"}").status()).isEqualTo(404);
    assertThat(runners.get(1).stderr()).contains("Cluster mode").doesNotContain(SECRET);
  }

  @Test
  void aCallersSessionsAndAHostsFailedAuthenticationsCountOnBothReplicas() throws Exception {
    String settings = "\"apiKey\":\"${GATEWAY_KEY}\",\"maxSessionsPerCaller\":2,";
    McpHttp a = new McpHttp(replica(settings));
    McpHttp b = new McpHttp(replica(settings));

    McpHttp.Session onA = a.open("/mcp/demo", API_KEY);
    b.open("/mcp/demo", API_KEY);
    McpHttp.Answer third = a.post("/mcp/demo", API_KEY, null, McpHttp.initializeBody());
    assertThat(third.status()).as(third.body()).isEqualTo(429);
    assertThat(third.body()).contains("at most 2 at once");
    assertThat(onA.delete().status()).isEqualTo(200);
    McpHttp.Session again = b.open("/mcp/demo", API_KEY); // the place a's session held, taken on b
    assertThat(again.id).isNotEmpty();

    // the default throttle: 10 failures a minute per host, here 5 on each replica
    for (int i = 0; i < 5; i++) {
      assertThat(a.post("/mcp/demo", "wrong-" + i, null, McpHttp.initializeBody()).status()).isEqualTo(401);
      assertThat(b.post("/mcp/demo", "wrong-" + i, null, McpHttp.initializeBody()).status()).isEqualTo(401);
    }
    assertThat(a.post("/mcp/demo", API_KEY, again.id, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}").status())
        .as("locked out of a, which saw 5 failures").isEqualTo(429);
    assertThat(b.post("/mcp/demo", API_KEY, again.id, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}").status())
        .isEqualTo(429);
  }
}
