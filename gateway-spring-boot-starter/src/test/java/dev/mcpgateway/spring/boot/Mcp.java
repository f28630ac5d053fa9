package dev.mcpgateway.spring.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A minimal MCP client over Streamable HTTP for the tests: one session, JSON or SSE answers. */
final class Mcp {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final String url;
  private final String authorization;
  private String sessionId;

  String sessionId() {
    return sessionId;
  }

  Mcp(String url, String authorization) {
    this.url = url;
    this.authorization = authorization;
  }

  /** {@code initialize}, then {@code notifications/initialized}; returns the initialize answer. */
  Answer initialize() throws IOException, InterruptedException {
    Answer answer = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"spring-test\",\"version\":\"1\"}}}");
    sessionId = answer.response().headers().firstValue("Mcp-Session-Id").orElse(null);
    if (answer.status() == 200) {
      post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }
    return answer;
  }

  /** {@code tools/call} of {@code name} with {@code argumentsJson}. */
  Answer callTool(String name, String argumentsJson) throws IOException, InterruptedException {
    return post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"" + name
        + "\",\"arguments\":" + argumentsJson + "}}");
  }

  Answer post(String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (sessionId != null) {
      request.header("Mcp-Session-Id", sessionId);
      request.header("MCP-Protocol-Version", "2025-06-18");
    }
    return new Answer(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** GET {@code url}: status and body. */
  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** An HTTP answer; {@link #json()} is the JSON-RPC message, from a JSON body or the SSE event that holds it. */
  record Answer(HttpResponse<String> response) {
    int status() {
      return response.statusCode();
    }

    JsonNode json() throws IOException {
      String body = response.body();
      if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
        for (String line : body.split("\n")) {
          if (line.startsWith("data:") && line.contains("\"id\"")) {
            return JSON.readTree(line.substring("data:".length()));
          }
        }
        throw new IOException("no JSON-RPC answer in the event stream: " + body);
      }
      return JSON.readTree(body);
    }
  }
}
