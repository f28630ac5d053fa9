package dev.mcpgateway.examples.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A client of MCP protocol revision 2026-07-28 over Streamable HTTP, written by hand on the JDK
 * HTTP client: no {@code initialize}, no session; every request carries the revision, the
 * client's identity and its capabilities in {@code params._meta} and mirrors its method (and
 * name or URI) in the {@code MCP-Protocol-Version}, {@code Mcp-Method} and {@code Mcp-Name}
 * headers. Answers come as one JSON object or as an SSE stream whose notifications precede the
 * response; {@link #call} runs the multi-round-trip loop, answering input requests through an
 * {@link InputHandler} and retrying until the result is complete.
 *
 * <pre>{@code
 * StatelessClient client = new StatelessClient(url).withCapabilities(StatelessClient.json("{\"elicitation\":{}}"));
 * StatelessClient.Outcome outcome = client.call("tools/call", params,
 *     (key, method, request) -> StatelessClient.json("{\"action\":\"decline\"}"));
 * JsonNode result = outcome.last().result();
 * }</pre>
 *
 * <p>Thread-safe: one instance may send several requests at once; each blocks its caller until
 * its response arrived. HTTP/1.1 on loopback.
 */
public final class StatelessClient {
  /** The protocol revision this client speaks. */
  public static final String VERSION = "2026-07-28";
  public static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
  public static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  public static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
  public static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";
  /** How many rounds {@link #call} runs before it gives up on a server that keeps asking. */
  public static final int MAX_ROUNDS = 8;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient http;
  private final String url;
  private final ObjectNode capabilities;
  private final ObjectNode clientInfo;
  private final AtomicLong ids;

  /** A client of the MCP endpoint {@code url} declaring no capabilities. */
  public StatelessClient(String url) {
    this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build(), url,
        JSON.createObjectNode(), (ObjectNode) json("{\"name\":\"gateway-stateless-client\",\"version\":\"1.0.0\"}"),
        new AtomicLong());
  }

  private StatelessClient(HttpClient http, String url, ObjectNode capabilities, ObjectNode clientInfo, AtomicLong ids) {
    this.http = http;
    this.url = url;
    this.capabilities = capabilities;
    this.clientInfo = clientInfo;
    this.ids = ids;
  }

  /** This client declaring {@code capabilities} (a {@code ClientCapabilities} object) on its requests; ids stay shared. */
  public StatelessClient withCapabilities(JsonNode capabilities) {
    return new StatelessClient(http, url, (ObjectNode) capabilities.deepCopy(), clientInfo, ids);
  }

  /** Answers an input request of an {@code input_required} result. */
  @FunctionalInterface
  public interface InputHandler {
    /**
     * The result for the input request {@code key} ({@code method} with {@code params}), such
     * as an {@code ElicitResult}; null leaves it unanswered (the server may ask again).
     */
    JsonNode answer(String key, String method, JsonNode params);
  }

  /**
   * One HTTP answer: the id of the request it answers, status, headers (first value, lower-case
   * names), whether it was an SSE stream, the notifications the stream carried before the
   * response, and the JSON-RPC response (null when the body held none, e.g. an empty 202 or a
   * stream that ended early).
   */
  public record Answer(long requestId, int status, Map<String, String> headers, boolean streamed, List<JsonNode> notifications,
      JsonNode message) {
    public JsonNode result() {
      return message == null ? null : message.get("result");
    }

    public JsonNode error() {
      return message == null ? null : message.get("error");
    }

    /** The result's {@code resultType}, or null for an error (or no response). */
    public String resultType() {
      JsonNode result = result();
      return result == null ? null : result.path("resultType").asText(null);
    }

    public boolean inputRequired() {
      return "input_required".equals(resultType());
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** What a multi-round-trip call came to: every answer in order, the last one holding the outcome. */
  public record Outcome(List<Answer> rounds) {
    public Answer last() {
      return rounds.get(rounds.size() - 1);
    }

    /** The {@code input_required} answers, in order. */
    public List<Answer> inputRounds() {
      return rounds.stream().filter(Answer::inputRequired).toList();
    }
  }

  /** {@code server/discover}: the server's revisions, capabilities and identity. */
  public Answer discover() {
    return request("server/discover", JSON.createObjectNode());
  }

  /** Sends one request; see {@link #request(String, JsonNode, Consumer)}. */
  public Answer request(String method, JsonNode params) {
    return request(method, params, notification -> { });
  }

  /**
   * Sends one request with a new id: {@code params} (not changed) plus this client's
   * {@code _meta} fields (those of {@code params._meta}, such as {@code progressToken}, are
   * kept). Blocks until the response arrived; each notification on an SSE answer goes to
   * {@code onNotification} as it arrives, on the caller's thread.
   */
  public Answer request(String method, JsonNode params, Consumer<JsonNode> onNotification) {
    long id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode();
    message.put("jsonrpc", "2.0");
    message.put("id", id);
    message.put("method", method);
    ObjectNode p = params == null ? JSON.createObjectNode() : (ObjectNode) params.deepCopy();
    JsonNode given = p.get("_meta");
    ObjectNode meta = given != null && given.isObject() ? (ObjectNode) given : p.putObject("_meta");
    meta.put(META_VERSION, VERSION);
    meta.set(META_CLIENT_INFO, clientInfo);
    meta.set(META_CAPABILITIES, capabilities);
    message.set("params", p);

    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", VERSION)
        .header("Mcp-Method", method)
        .POST(HttpRequest.BodyPublishers.ofString(message.toString(), StandardCharsets.UTF_8));
    JsonNode name = "resources/read".equals(method) ? p.get("uri")
        : "tools/call".equals(method) || "prompts/get".equals(method) ? p.get("name") : null;
    if (name != null && name.isTextual()) {
      request.header("Mcp-Name", headerValue(name.asText()));
    }
    try {
      HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      Map<String, String> headers = new LinkedHashMap<>();
      response.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
      String type = headers.getOrDefault("content-type", "");
      try (InputStream body = response.body()) {
        if (type.startsWith("text/event-stream")) {
          List<JsonNode> notifications = new ArrayList<>();
          JsonNode answer = readStream(body, id, notification -> {
            notifications.add(notification);
            onNotification.accept(notification);
          });
          return new Answer(id, response.statusCode(), headers, true, List.copyOf(notifications), answer);
        }
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        return new Answer(id, response.statusCode(), headers, false, List.of(), text.isBlank() ? null : json(text));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Runs {@code method} to its end: while the server answers {@code input_required}, asks
   * {@code inputs} for each input request and retries the same method and params with a new id,
   * the {@code inputResponses} and the {@code requestState} it was given (none when it was given
   * none). Stops at a complete result, an error, or after {@link #MAX_ROUNDS} answers.
   */
  public Outcome call(String method, JsonNode params, InputHandler inputs) {
    return call(method, params, inputs, notification -> { });
  }

  /** Like {@link #call(String, JsonNode, InputHandler)}, with each round's notifications to {@code onNotification}. */
  public Outcome call(String method, JsonNode params, InputHandler inputs, Consumer<JsonNode> onNotification) {
    List<Answer> rounds = new ArrayList<>();
    JsonNode next = params;
    while (true) {
      Answer answer = request(method, next, onNotification);
      rounds.add(answer);
      if (!answer.inputRequired()) {
        return new Outcome(List.copyOf(rounds));
      }
      if (rounds.size() >= MAX_ROUNDS) {
        throw new IllegalStateException(method + " still asked for input after " + MAX_ROUNDS + " rounds: " + answer.message());
      }
      next = retryParams(params, answer.result(), inputs);
    }
  }

  /**
   * The params of the retry of a request whose params were {@code params} and whose answer was
   * the {@code input_required} result {@code inputRequired}: the same params, with
   * {@code inputResponses} holding what {@code inputs} answered to each input request, and the
   * {@code requestState} echoed exactly (none when the result carried none).
   */
  public static ObjectNode retryParams(JsonNode params, JsonNode inputRequired, InputHandler inputs) {
    ObjectNode next = params == null ? JSON.createObjectNode() : (ObjectNode) params.deepCopy();
    next.remove("inputResponses");
    next.remove("requestState");
    JsonNode requests = inputRequired.get("inputRequests");
    if (requests != null && requests.isObject()) {
      ObjectNode responses = next.putObject("inputResponses");
      for (Iterator<Map.Entry<String, JsonNode>> it = requests.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> request = it.next();
        JsonNode response = inputs.answer(request.getKey(), request.getValue().path("method").asText(),
            request.getValue().path("params"));
        if (response != null) {
          responses.set(request.getKey(), response);
        }
      }
    }
    JsonNode state = inputRequired.get("requestState");
    if (state != null) {
      next.set("requestState", state);
    }
    return next;
  }

  /** Reads SSE events until the response to {@code id}; the events before it that are notifications go to {@code sink}. */
  private static JsonNode readStream(InputStream body, long id, Consumer<JsonNode> sink) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    StringBuilder data = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) {
        if (data.length() > 0) {
          JsonNode message = json(data.toString());
          data.setLength(0);
          if (message.has("method") && !message.has("id")) {
            sink.accept(message);
          } else if (message.path("id").asLong(-1) == id && (message.has("result") || message.has("error"))) {
            return message;
          }
        }
      } else if (line.startsWith("data:")) {
        String value = line.substring("data:".length());
        if (data.length() > 0) {
          data.append('\n');
        }
        data.append(value.startsWith(" ") ? value.substring(1) : value);
      }
      // comments (keep-alives), event names and ids carry nothing this client needs
    }
    return null;
  }

  /**
   * A header value as the revision carries it: as is when it is plain printable ASCII without
   * surrounding blanks, else (or when it looks like the sentinel) {@code =?base64?...?=}.
   */
  static String headerValue(String value) {
    boolean plain = !value.isEmpty() && value.strip().equals(value)
        && !(value.startsWith("=?base64?") && value.endsWith("?="));
    for (int i = 0; plain && i < value.length(); i++) {
      char c = value.charAt(i);
      plain = c >= 0x20 && c <= 0x7e;
    }
    return plain ? value : "=?base64?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
  }

  /** Parses JSON text. */
  public static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + text, e);
    }
  }
}
