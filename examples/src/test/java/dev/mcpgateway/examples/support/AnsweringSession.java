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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One MCP session over Streamable HTTP, with the JDK client, that reads a call's SSE answer as it
 * comes and answers the server requests on it (sampling, elicitation, roots) through an
 * {@link Answerer}: for tests where several sessions call at once and servers ask them things in
 * the middle of a call. Calls of one session may run concurrently, each on its caller's thread.
 */
public final class AnsweringSession implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();
  /** Capabilities that declare every kind of server request. */
  public static final String ALL_CAPABILITIES = "{\"sampling\":{},\"elicitation\":{},\"roots\":{\"listChanged\":true}}";
  private static final String VERSION = "2025-06-18";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /**
   * Answers one server request: returns the JSON text of its {@code result}, or null to leave it
   * unanswered. May block (to hold a call in flight).
   */
  @FunctionalInterface
  public interface Answerer {
    String answer(JsonNode request) throws Exception;
  }

  /** A call's JSON-RPC response and the server requests its stream carried, in order. */
  public record Call(JsonNode response, List<JsonNode> serverRequests) {
    /** The text of the result's first content item. */
    public String text() {
      return response.path("result").path("content").path(0).path("text").asText();
    }

    /** {@link #text()} as JSON (what {@link TaggedAskingServer} returns). */
    public JsonNode textJson() {
      try {
        return JSON.readTree(text());
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + response, e);
      }
    }
  }

  private final HttpClient http;
  private final String url;
  private final String authorization;
  private final String id;
  private final AtomicInteger ids = new AtomicInteger(1);
  private final List<JsonNode> getEvents = new CopyOnWriteArrayList<>();
  private volatile Stream<String> getStream;

  private AnsweringSession(HttpClient http, String url, String authorization, String id) {
    this.http = http;
    this.url = url;
    this.authorization = authorization;
    this.id = id;
  }

  /** An HTTP/1.1 client for several sessions. */
  public static HttpClient httpClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** Initializes a session on {@code url} declaring {@code capabilitiesJson}, and sends {@code notifications/initialized}. */
  public static AnsweringSession open(HttpClient http, String url, String authorization, String capabilitiesJson) {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + VERSION
        + "\",\"capabilities\":" + capabilitiesJson + ",\"clientInfo\":{\"name\":\"answering\",\"version\":\"1\"}}}";
    HttpResponse<String> init = send(http, builder(url, authorization, null).POST(HttpRequest.BodyPublishers.ofString(body)),
        HttpResponse.BodyHandlers.ofString());
    assertThat(init.statusCode()).as("initialize: %s", init.body()).isEqualTo(200);
    String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    AnsweringSession session = new AnsweringSession(http, url, authorization, id);
    assertThat(session.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")).isEqualTo(202);
    return session;
  }

  public String id() {
    return id;
  }

  /** Calls {@code tool}; every server request on the call's stream is answered by {@code answerer}. */
  public Call call(String tool, String argumentsJson, Answerer answerer) {
    return request("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + argumentsJson + "}", answerer);
  }

  /** Sends a request; every server request on its stream is answered by {@code answerer}. */
  public Call request(String method, String paramsJson, Answerer answerer) {
    int callId = ids.incrementAndGet();
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + callId + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}";
    HttpResponse<Stream<String>> response = send(http, builder(url, authorization, id)
        .POST(HttpRequest.BodyPublishers.ofString(body)), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).as("%s %s", method, paramsJson).isEqualTo(200);
    List<JsonNode> requests = new ArrayList<>();
    try (Stream<String> lines = response.body()) {
      if (!response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
        return new Call(parse(String.join("\n", (Iterable<String>) lines::iterator)), requests);
      }
      for (Iterator<String> it = events(lines.iterator()); it.hasNext();) {
        JsonNode message = parse(it.next());
        if (message.has("method") && message.has("id")) {
          requests.add(message);
          String result;
          try {
            result = answerer.answer(message);
          } catch (Exception e) {
            throw new AssertionError("answering " + message + " failed", e);
          }
          if (result != null) {
            int status = post("{\"jsonrpc\":\"2.0\",\"id\":" + message.get("id") + ",\"result\":" + result + "}");
            assertThat(status).as("the answer to %s", message).isEqualTo(202);
          }
        } else if (message.has("id") && message.get("id").asInt() == callId && !message.has("method")) {
          return new Call(message, requests);
        }
      }
    }
    throw new AssertionError("the stream of call " + callId + " ended without its answer; server requests seen: " + requests);
  }

  /** Opens the session's {@code GET} stream; what arrives there is in {@link #getEvents()}. */
  public void openGetStream() {
    HttpResponse<Stream<String>> response = send(http, builder(url, authorization, id).setHeader("Accept", "text/event-stream").GET(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).as("GET stream").isEqualTo(200);
    getStream = response.body();
    Thread reader = new Thread(() -> {
      try {
        for (Iterator<String> it = events(getStream.iterator()); it.hasNext();) {
          String data = it.next();
          if (!data.isEmpty()) {
            getEvents.add(parse(data));
          }
        }
      } catch (RuntimeException closed) {
        // the stream was closed
      }
    }, "get-stream-" + id);
    reader.setDaemon(true);
    reader.start();
  }

  /** The messages that arrived on the {@code GET} stream so far. */
  public List<JsonNode> getEvents() {
    return List.copyOf(getEvents);
  }

  /** POSTs one message in this session; returns the status. */
  public int post(String body) {
    return send(http, builder(url, authorization, id).POST(HttpRequest.BodyPublishers.ofString(body)),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** Ends the session with DELETE; returns the status. */
  public int delete() {
    return send(http, builder(url, authorization, id).DELETE(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Override
  public void close() {
    Stream<String> stream = getStream;
    if (stream != null) {
      stream.close();
    }
  }

  /** The data of each SSE event, as the lines arrive. */
  private static Iterator<String> events(Iterator<String> lines) {
    return new Iterator<>() {
      private String next;

      @Override
      public boolean hasNext() {
        if (next != null) {
          return true;
        }
        StringBuilder data = null;
        while (lines.hasNext()) {
          String line = lines.next();
          if (line.startsWith("data:")) {
            data = data == null ? new StringBuilder() : data.append('\n');
            data.append(line.substring(5).stripLeading());
          } else if (line.isEmpty() && data != null) {
            next = data.toString();
            return true;
          }
        }
        return false;
      }

      @Override
      public String next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        String data = next;
        next = null;
        return data;
      }
    };
  }

  private static HttpRequest.Builder builder(String url, String authorization, String session) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (session != null) {
      request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
    }
    return request;
  }

  private static <T> HttpResponse<T> send(HttpClient http, HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request.build(), handler);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
