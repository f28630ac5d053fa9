package com.example.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A minimal MCP client over Streamable HTTP (protocol revision 2025-06-18) for one server
 * endpoint: {@link #initialize()} opens a session, {@link #callTool} calls a tool in it. Asks for
 * JSON answers; throws {@link IllegalStateException} with the status and body on anything else.
 */
public final class McpHttpClient {
  /** The protocol revision this client speaks. */
  public static final String VERSION = "2025-06-18";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  private final URI endpoint;
  private final String apiKey;
  private String session;
  private int nextId = 1;

  /** A client of {@code endpoint} (such as {@code http://127.0.0.1:8000/tools/mcp/echo}) sending {@code apiKey}. */
  public McpHttpClient(URI endpoint, String apiKey) {
    this.endpoint = endpoint;
    this.apiKey = apiKey;
  }

  /** Sends {@code initialize} and {@code notifications/initialized}; returns the initialize result. */
  public JsonNode initialize() throws IOException, InterruptedException {
    ObjectNode params = JSON.createObjectNode().put("protocolVersion", VERSION);
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "consumer-test").put("version", "1.0");
    HttpResponse<String> response = post(request("initialize", params));
    session = response.headers().firstValue("Mcp-Session-Id")
        .orElseThrow(() -> new IllegalStateException("initialize answered without Mcp-Session-Id"));
    JsonNode result = result(response);
    HttpResponse<String> initialized = post(JSON.createObjectNode().put("jsonrpc", "2.0")
        .put("method", "notifications/initialized"));
    expect(initialized, 202);
    return result;
  }

  /** Calls tool {@code name} with {@code arguments} in the session; returns the JSON-RPC result. */
  public JsonNode callTool(String name, Map<String, ?> arguments) throws IOException, InterruptedException {
    ObjectNode params = JSON.createObjectNode().put("name", name);
    params.set("arguments", JSON.valueToTree(arguments));
    return result(post(request("tools/call", params)));
  }

  /** The HTTP status of a bare POST of {@code initialize} without {@code Authorization}. */
  public int statusWithoutKey() throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(endpoint)
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
            request("initialize", JSON.createObjectNode().put("protocolVersion", VERSION)))))
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private ObjectNode request(String method, ObjectNode params) {
    ObjectNode request = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", nextId++).put("method", method);
    request.set("params", params);
    return request;
  }

  private HttpResponse<String> post(JsonNode message) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", apiKey)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(message)));
    if (session != null) {
      request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode result(HttpResponse<String> response) throws IOException {
    expect(response, 200);
    JsonNode answer = JSON.readTree(response.body());
    if (!answer.has("result")) {
      throw new IllegalStateException("no result: " + response.body());
    }
    return answer.get("result");
  }

  private static void expect(HttpResponse<String> response, int status) {
    if (response.statusCode() != status) {
      throw new IllegalStateException("expected HTTP " + status + ", got " + response.statusCode() + ": " + response.body());
    }
  }
}
