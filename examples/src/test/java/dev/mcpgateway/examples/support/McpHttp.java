package dev.mcpgateway.examples.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Raw MCP over Streamable HTTP with the JDK client, for tests that check status codes and
 * headers themselves: one request at a time, JSON or single-event SSE answers both parsed.
 */
public final class McpHttp {
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final String ACCEPT_BOTH = "application/json, text/event-stream";
  public static final String PROTOCOL_VERSION = "2025-06-18";

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  private final String base;

  /** A client for {@code base}, such as {@code http://127.0.0.1:8000} or {@code http://127.0.0.1:8080/tools}. */
  public McpHttp(String base) {
    this.base = base;
  }

  /** An HTTP answer: status, headers (first value of each, lower-case names), body text. */
  public record Answer(int status, Map<String, String> headers, String body) {
    /** The body as JSON; for an SSE body, the data of its last event. */
    public JsonNode json() {
      String text = body;
      if (headers.getOrDefault("content-type", "").startsWith("text/event-stream")) {
        String last = null;
        for (String line : body.split("\n")) {
          if (line.startsWith("data:")) {
            last = line.substring("data:".length()).trim();
          }
        }
        assertThat(last).as("an SSE body with a data line: %s", body).isNotNull();
        text = last;
      }
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new AssertionError("not JSON (status " + status + "): " + body, e);
      }
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** Sends {@code method path} with {@code headers} (name, value, name, value...) and {@code body} (null: none). */
  public Answer send(String method, String path, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i + 1] != null) {
        request.header(headers[i], headers[i + 1]);
      }
    }
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    try {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      Map<String, String> first = new LinkedHashMap<>();
      response.headers().map().forEach((name, values) -> first.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0)));
      return new Answer(response.statusCode(), first, response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + base + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** POSTs JSON-RPC {@code body} to {@code path} as an MCP client does, in {@code session} (null: none). */
  public Answer post(String path, String authorization, String session, String body) {
    return send("POST", path, body, "Content-Type", "application/json", "Accept", ACCEPT_BOTH,
        "Authorization", authorization, "Mcp-Session-Id", session,
        "MCP-Protocol-Version", session == null ? null : PROTOCOL_VERSION);
  }

  /** The names of the tools in a {@code tools/list} result, in order. */
  public static java.util.List<String> toolNames(JsonNode listToolsResult) {
    java.util.List<String> names = new java.util.ArrayList<>();
    listToolsResult.path("tools").forEach(tool -> names.add(tool.path("name").asText()));
    return names;
  }

  /** An {@code initialize} request body with id 1. */
  public static String initializeBody() {
    return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
        + PROTOCOL_VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"e2e-test\",\"version\":\"1.0\"}}}";
  }

  /** A JSON-RPC request body. */
  public static String request(int id, String method, String paramsJson) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\""
        + (paramsJson == null ? "" : ",\"params\":" + paramsJson) + "}";
  }

  /** A {@code tools/call} request body. */
  public static String toolCall(int id, String tool, String argumentsJson) {
    return request(id, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + argumentsJson + "}");
  }

  /**
   * Initializes an MCP session on {@code path} and sends {@code notifications/initialized};
   * returns the session.
   */
  public Session open(String path, String authorization) {
    Answer init = post(path, authorization, null, initializeBody());
    assertThat(init.status()).as("initialize: %s", init.body()).isEqualTo(200);
    String id = init.header("Mcp-Session-Id");
    assertThat(id).as("Mcp-Session-Id of %s", init).isNotBlank();
    Answer initialized = post(path, authorization, id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    assertThat(initialized.status()).as("notifications/initialized: %s", initialized.body()).isEqualTo(202);
    return new Session(path, authorization, id, init.json().path("result"));
  }

  /** An initialized MCP session. */
  public final class Session {
    public final String path;
    public final String authorization;
    public final String id;
    public final JsonNode initializeResult;
    private int nextId = 2;

    Session(String path, String authorization, String id, JsonNode initializeResult) {
      this.path = path;
      this.authorization = authorization;
      this.id = id;
      this.initializeResult = initializeResult;
    }

    /** Sends a request in this session; asserts 200 and returns the JSON-RPC response. */
    public JsonNode call(String method, String paramsJson) {
      Answer answer = post(path, authorization, id, request(nextId++, method, paramsJson));
      assertThat(answer.status()).as("%s: %s", method, answer.body()).isEqualTo(200);
      return answer.json();
    }

    /** Calls a tool; returns the JSON-RPC response. */
    public JsonNode callTool(String tool, String argumentsJson) {
      return call("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + argumentsJson + "}");
    }

    /** Ends the session with DELETE; returns the answer. */
    public Answer delete() {
      return send("DELETE", path, null, "Authorization", authorization, "Mcp-Session-Id", id,
          "MCP-Protocol-Version", PROTOCOL_VERSION);
    }
  }
}
