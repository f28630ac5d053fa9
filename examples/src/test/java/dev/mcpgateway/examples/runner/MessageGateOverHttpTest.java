package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.examples.support.RecordingServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated message shapes against a recording backend, over HTTP through the runner's Jetty:
 * no message reaches the backend unless it is a request the interceptor chain allowed and the
 * audit trail recorded, or a notification the gateway knows. Every shape is tried alone, inside
 * a batch (a 2025-03-26 session), nested in a batch, and on the unified endpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageGateOverHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "gate-test-key-0123456789abcdefghijklmnopqrstuvwxyz";
  private static final String ABSENT = null;
  /** What a backend may receive without an id. */
  private static final Set<String> FORWARDED = Set.of("notifications/initialized", "notifications/cancelled",
      "notifications/progress", "notifications/roots/list_changed", "notifications/tasks/status");

  @TempDir
  static Path dir;
  private Path record;
  private Path audit;
  private GatewayRunner.Running running;
  private McpHttp http;
  private String routed;
  private String batched;
  private String unified;
  private int sync;

  @BeforeAll
  void start() throws Exception {
    record = dir.resolve("received.jsonl");
    audit = dir.resolve("audit.jsonl");
    GatewayConfig config = GatewayConfig.builder().apiKey(KEY).auditFile(audit)
        .server(RecordingServer.config("rec", record, List.of("allowed_echo"))).build();
    running = GatewayRunner.start(config, "127.0.0.1", 0, true);
    http = new McpHttp("http://127.0.0.1:" + running.port);
    routed = http.open("/mcp/rec", KEY).id;
    batched = open("/mcp/rec", "2025-03-26");
    unified = open("/mcp", "2025-06-18");
  }

  @AfterAll
  void stop() {
    if (running != null) {
      running.stop();
    }
  }

  private String open(String path, String version) {
    McpHttp.Answer init = http.send("POST", path, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"" + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
        "Content-Type", "application/json", "Accept", McpHttp.ACCEPT_BOTH, "Authorization", KEY);
    assertThat(init.status()).as(init.body()).isEqualTo(200);
    return init.header("Mcp-Session-Id");
  }

  /** One message shape and whether it is an allowed call that must reach the backend. */
  record Shape(String json, boolean reaches, boolean refused) {}

  /** Every combination of version, id, method and params; the expectations follow the gate's rules. */
  static List<Shape> shapes(String toolPrefix) {
    List<String> ids = List.of("ABSENT", "null", "true", "false", "{}", "[]", "[1]", "1.5", "\"s\"", "7", "-3",
        "\"" + "x".repeat(300) + "\"", "123456789012345678901234567890");
    List<String> methods = List.of("ABSENT", "\"tools/call\"", "\"tools/list\"", "\"ping\"", "\"notifications/progress\"",
        "\"notifications/message\"", "\"notifications/roots/list_changed\"", "\"notifications/tools/call\"", "\"x/unknown\"",
        "\"\"", "5", "null", "\"TOOLS/CALL\"", "\"tools/call \"");
    List<String> params = List.of("ABSENT", "{\"name\":\"" + toolPrefix + "allowed_echo\",\"arguments\":{\"text\":\"hi\"}}",
        "{\"name\":\"" + toolPrefix + "forbidden_tool\",\"arguments\":{\"text\":\"hi\"}}", "[\"" + toolPrefix + "allowed_echo\"]",
        "{\"name\":\"" + toolPrefix + "allowed_echo" + "y".repeat(300) + "\"}", "{\"name\":7}");
    List<String> versions = List.of("\"2.0\"", "\"1.0\"", "ABSENT");
    List<Shape> shapes = new ArrayList<>();
    for (String version : versions) {
      for (String id : ids) {
        for (String method : methods) {
          for (String param : params) {
            if (!version.equals("\"2.0\"") && !(id.equals("7") && method.equals("\"tools/call\""))) {
              continue; // a wrong version is tried on the one shape that would otherwise run
            }
            StringBuilder json = new StringBuilder("{");
            append(json, "jsonrpc", version);
            append(json, "id", id);
            append(json, "method", method);
            append(json, "params", param);
            json.setLength(json.length() - (json.length() > 1 ? 1 : 0));
            json.append('}');
            boolean validId = id.equals("\"s\"") || id.equals("7") || id.equals("-3") || id.startsWith("1234567890");
            boolean reaches = version.equals("\"2.0\"") && validId && method.equals("\"tools/call\"")
                && param.contains(toolPrefix + "allowed_echo\",");
            boolean notification = id.equals("ABSENT") && (method.equals("\"notifications/progress\"")
                || method.equals("\"notifications/roots/list_changed\"")) && (param.equals("ABSENT") || param.startsWith("{"));
            boolean badName = method.equals("\"tools/call\"")
                && (param.equals("ABSENT") || param.contains("yyyy") || param.equals("{\"name\":7}"));
            boolean request = validId && method.startsWith("\"") && !method.equals("\"\"")
                && (param.equals("ABSENT") || param.startsWith("{")) && !badName;
            boolean fine = version.equals("\"2.0\"") && (notification || request);
            shapes.add(new Shape(json.toString(), reaches, !fine));
          }
        }
      }
    }
    // responses with no server request waiting, and a few more odd envelopes
    shapes.add(new Shape("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", false, false));
    shapes.add(new Shape("{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}", false, true));
    shapes.add(new Shape("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{\"code\":1,\"message\":\"m\"}}", false, true));
    shapes.add(new Shape("{\"jsonrpc\":\"2.0\"}", false, true));
    shapes.add(new Shape("\"tools/call\"", false, true));
    shapes.add(new Shape("42", false, true));
    return shapes;
  }

  private static void append(StringBuilder json, String name, String value) {
    if (!"ABSENT".equals(value)) {
      json.append('"').append(name).append("\":").append(value).append(',');
    }
  }

  @Test
  void noMessageReachesTheBackendUnlessTheChainAllowedAndAuditedIt() throws Exception {
    int cases = 0;
    for (Shape shape : shapes("")) {
      check("routed " + shape.json, shape, routed, "/mcp/rec", null, shape.json);
      check("batch [" + shape.json + "]", shape, batched, "/mcp/rec", "2025-03-26", "[" + shape.json + "]");
      check("nested [[" + shape.json + "]]", new Shape(shape.json, false, true), batched, "/mcp/rec", "2025-03-26",
          "[[" + shape.json + "]]");
      cases += 3;
    }
    for (Shape shape : shapes("rec___")) {
      check("unified " + shape.json, shape, unified, "/mcp", null, shape.json);
      cases++;
    }
    assertThat(cases).isGreaterThan(4000);
  }

  private void check(String what, Shape shape, String session, String path, String version, String body) throws Exception {
    Counts before = counts();
    McpHttp.Answer answer = http.send("POST", path, body, "Content-Type", "application/json", "Accept", McpHttp.ACCEPT_BOTH,
        "Authorization", KEY, "Mcp-Session-Id", session, "MCP-Protocol-Version", version);
    assertThat(answer.status()).as("%s: %s", what, answer.body()).isIn(200, 202, 400);
    // A request of its own after the case: the backend reads in order, so what the case sent is recorded by now.
    McpHttp.Answer synced = http.send("POST", "/mcp/rec", "{\"jsonrpc\":\"2.0\",\"id\":\"sync-" + (sync++)
        + "\",\"method\":\"ping\"}", "Content-Type", "application/json", "Accept", "application/json", "Authorization", KEY,
        "Mcp-Session-Id", routed, "MCP-Protocol-Version", "2025-06-18");
    assertThat(synced.status()).isEqualTo(200);
    Counts after = counts();
    int calls = after.allowedCalls - before.allowedCalls;
    assertThat(after.forbiddenCalls).as("%s: a forbidden tool reached the backend", what).isZero();
    assertThat(after.oddNotifications).as("%s: a notification the gateway does not forward reached the backend", what)
        .isEqualTo(List.of());
    assertThat(calls).as("%s: allowed calls at the backend (answer %s)", what, answer.body()).isEqualTo(shape.reaches ? 1 : 0);
    assertThat(after.invocations - before.invocations).as("%s: every call that ran is audited", what).isEqualTo(calls);
    if (shape.refused) {
      assertThat(after.denials - before.denials).as("%s: the refusal is audited (answer %s)", what, answer.body())
          .isGreaterThanOrEqualTo(1);
      assertThat(answer.body()).as(what).contains("\"error\"");
    }
  }

  private record Counts(int allowedCalls, int forbiddenCalls, List<String> oddNotifications, int invocations, int denials) {}

  private Counts counts() throws Exception {
    int allowed = 0;
    int forbidden = 0;
    List<String> odd = new ArrayList<>();
    for (JsonNode message : RecordingServer.received(record)) {
      String method = message.path("method").asText(null);
      if (method == null) {
        continue;
      }
      if (!message.has("id")) {
        if (!FORWARDED.contains(method)) {
          odd.add(message.toString());
        }
        continue;
      }
      assertThat(message.get("id").isIntegralNumber()).as("the gateway's own ids reach the backend: %s", message).isTrue();
      if (method.equals("tools/call")) {
        String name = message.path("params").path("name").asText();
        if (name.equals("allowed_echo")) {
          allowed++;
        } else {
          forbidden++;
        }
      }
    }
    int invocations = 0;
    int denials = 0;
    if (Files.exists(audit)) {
      for (String line : Files.readAllLines(audit, StandardCharsets.UTF_8)) {
        if (line.contains("\"event\":\"mcp.tool.invocation\"")) {
          invocations++;
        } else if (line.contains("\"event\":\"access.denied\"")) {
          denials++;
        }
      }
    }
    return new Counts(allowed, forbidden, odd, invocations, denials);
  }
}
