package dev.mcpgateway.examples.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw Streamable HTTP client for tests that need what SDK clients hide: exact headers, SSE
 * event ids, dropping a stream's connection and resuming it with {@code Last-Event-ID}.
 * One probe is one MCP session after {@link #initialize}. HTTP/1.1 on loopback.
 */
final class StreamableHttpProbe implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(WAIT).build();
  private final String url;
  private final List<SseConnection> connections = new ArrayList<>();
  private String sessionId;
  private String protocolVersion;

  StreamableHttpProbe(String url) {
    this.url = url;
  }

  /** Initializes a session asking for {@code version}, declaring sampling and elicitation; returns the initialize result. */
  JsonNode initialize(String version) {
    return initialize(version, "{\"sampling\":{},\"elicitation\":{}}");
  }

  /** Initializes a session asking for {@code version}, declaring {@code capabilities} (a JSON object); returns the initialize result. */
  JsonNode initialize(String version, String capabilities) {
    HttpResponse<String> response = post(null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
        + "{\"protocolVersion\":\"" + version + "\",\"capabilities\":" + capabilities + ","
        + "\"clientInfo\":{\"name\":\"gateway-http-probe\",\"version\":\"1.0.0\"}}}", "application/json, text/event-stream");
    if (response.statusCode() != 200) {
      throw new AssertionError("initialize answered " + response.statusCode() + ": " + response.body());
    }
    sessionId = response.headers().firstValue("Mcp-Session-Id")
        .orElseThrow(() -> new AssertionError("initialize answered without Mcp-Session-Id"));
    JsonNode result = parse(response.body()).path("result");
    protocolVersion = result.path("protocolVersion").asText();
    HttpResponse<String> initialized = post(protocolVersion, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
        "application/json, text/event-stream");
    if (initialized.statusCode() != 202) {
      throw new AssertionError("notifications/initialized answered " + initialized.statusCode());
    }
    return result;
  }

  String sessionId() {
    return sessionId;
  }

  String protocolVersion() {
    return protocolVersion;
  }

  /** POSTs {@code body} with this session's id and protocol version header; waits for the whole answer. */
  HttpResponse<String> post(String body) {
    return post(protocolVersion, body, "application/json, text/event-stream");
  }

  /** POSTs {@code body} with {@code versionHeader} (none when null) and {@code accept}; waits for the whole answer. */
  HttpResponse<String> post(String versionHeader, String body, String accept) {
    try {
      return http.send(request(versionHeader, accept, Map.of()).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** POSTs {@code body} accepting only SSE and returns its stream as it arrives. */
  SseConnection postStream(String body) {
    return open(request(protocolVersion, "text/event-stream", Map.of())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** Opens the session's GET stream, resuming after {@code lastEventId} when it is not null. */
  SseConnection get(String lastEventId) {
    Map<String, String> extra = lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId);
    return open(request(protocolVersion, "text/event-stream", extra).GET().build());
  }

  /** The status of a GET with these headers, without reading the stream. */
  int getStatus(Map<String, String> headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).GET();
    headers.forEach(builder::header);
    try {
      HttpResponse<InputStream> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
      response.body().close();
      return response.statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Ends the session with DELETE; returns the status. */
  int delete() {
    try {
      return http.send(request(protocolVersion, "application/json", Map.of()).DELETE().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest.Builder request(String versionHeader, String accept, Map<String, String> extra) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
        .header("Content-Type", "application/json").header("Accept", accept);
    if (sessionId != null) {
      builder.header("Mcp-Session-Id", sessionId);
    }
    if (versionHeader != null) {
      builder.header("MCP-Protocol-Version", versionHeader);
    }
    extra.forEach(builder::header);
    return builder;
  }

  private SseConnection open(HttpRequest request) {
    try {
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      SseConnection connection = new SseConnection(response);
      synchronized (connections) {
        connections.add(connection);
      }
      return connection;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Closes every stream this probe opened (the session stays; {@link #delete()} ends it). */
  @Override
  public void close() {
    synchronized (connections) {
      connections.forEach(SseConnection::close);
    }
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  /** One SSE event: id (null if none), data (null if none), or a comment line such as keep-alive. */
  record Event(String id, String data, String comment) {
    JsonNode json() {
      return parse(data);
    }

    boolean isPriming() {
      return id != null && (data == null || data.isEmpty());
    }
  }

  /** One HTTP response read as SSE on a daemon thread; {@link #close()} drops the connection. */
  static final class SseConnection implements AutoCloseable {
    private static final Event END = new Event(null, null, "<end of stream>");

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    private SseConnection(HttpResponse<InputStream> response) {
      this.response = response;
      Thread reader = new Thread(this::read, "sse-probe-reader");
      reader.setDaemon(true);
      reader.start();
    }

    int status() {
      return response.statusCode();
    }

    Optional<String> contentType() {
      return response.headers().firstValue("Content-Type");
    }

    private void read() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        Map<String, String> fields = new LinkedHashMap<>();
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isEmpty()) {
            if (!fields.isEmpty()) {
              events.add(new Event(fields.get("id"), fields.get("data"), fields.get(":")));
              fields.clear();
            }
          } else if (line.startsWith(":")) {
            fields.put(":", line.substring(1).trim());
          } else {
            int colon = line.indexOf(':');
            String name = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            fields.merge(name, value.startsWith(" ") ? value.substring(1) : value, (a, b) -> a + "\n" + b);
          }
        }
      } catch (IOException closed) {
        // dropped by close() or by the server
      } finally {
        ended = true;
        events.add(END);
      }
    }

    /** The next event that is not a comment, waiting at most {@code timeout}; fails at the end of the stream. */
    Event next(Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        Event event = poll(deadline);
        if (event == END) {
          events.add(END);
          throw new AssertionError("the stream ended while an event was expected");
        }
        if (event.id() != null || event.data() != null) {
          return event;
        }
      }
    }

    /** The next event or comment (keep-alives included), waiting at most {@code timeout}. */
    Event nextOrComment(Duration timeout) {
      Event event = poll(System.nanoTime() + timeout.toNanos());
      if (event == END) {
        events.add(END);
      }
      return event;
    }

    /** Waits until the server ends the stream; returns the events (not comments) still unread. */
    List<Event> awaitEnd(Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<Event> rest = new ArrayList<>();
      while (true) {
        Event event = poll(deadline);
        if (event == END) {
          events.add(END);
          return rest;
        }
        if (event.id() != null || event.data() != null) {
          rest.add(event);
        }
      }
    }

    private Event poll(long deadline) {
      try {
        Event event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (event == null) {
          throw new AssertionError("no SSE event within the deadline");
        }
        return event;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    boolean ended() {
      return ended;
    }

    /** Drops the connection, as a client whose network went away would. */
    @Override
    public void close() {
      try {
        response.body().close();
      } catch (IOException e) {
        // already gone
      }
    }
  }
}
