package dev.mcpgateway;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The gateway's answer to one {@link GatewayRequest}: a status, headers and either a complete
 * body or an {@link EventStream} of server-sent events.
 *
 * <p>Immutable. A transport writes {@link #status()} and {@link #headers()} first, then either
 * {@link #body()} or, for a streamed answer, opens {@link #stream()} and writes what it emits.
 */
public final class GatewayResponse {
  private static final byte[] EMPTY = new byte[0];

  private final int status;
  private final Map<String, String> headers;
  private final byte[] body;
  private final EventStream stream;

  private GatewayResponse(int status, Map<String, String> headers, byte[] body, EventStream stream) {
    this.status = status;
    this.headers = Map.copyOf(headers);
    this.body = body;
    this.stream = stream;
  }

  /**
   * A response with a JSON body.
   *
   * @param status the HTTP status
   * @param body the JSON bytes, kept, not copied
   * @return the response
   */
  public static GatewayResponse json(int status, byte[] body) {
    return new GatewayResponse(status, Map.of("Content-Type", "application/json"), body, null);
  }

  /**
   * A response with a JSON body given as a string.
   *
   * @param status the HTTP status
   * @param body the JSON text
   * @return the response
   */
  public static GatewayResponse json(int status, String body) {
    return json(status, body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A response with no body (for example 202 for a notification).
   *
   * @param status the HTTP status
   * @return the response
   */
  public static GatewayResponse empty(int status) {
    return new GatewayResponse(status, Map.of(), EMPTY, null);
  }

  /**
   * A {@code text/event-stream} response whose events come from {@code stream}.
   *
   * @param status the HTTP status
   * @param stream the events to send
   * @return the response
   */
  public static GatewayResponse stream(int status, EventStream stream) {
    Objects.requireNonNull(stream, "stream");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "text/event-stream");
    headers.put("Cache-Control", "no-cache");
    return new GatewayResponse(status, headers, EMPTY, stream);
  }

  /**
   * A copy of this response with one more header (replacing one of the same name).
   *
   * @param name the header name
   * @param value the header value
   * @return the new response
   */
  public GatewayResponse withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new GatewayResponse(status, copy, body, stream);
  }

  /** {@return the HTTP status code} */
  public int status() {
    return status;
  }

  /** {@return response headers; {@code Content-Type} is set whenever there is a body} */
  public Map<String, String> headers() {
    return headers;
  }

  /** {@return the complete body; empty for a streamed response} Callers must not modify it. */
  public byte[] body() {
    return body;
  }

  /** {@return the body as UTF-8 text, for tests and logs} */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** {@return the event stream of a {@code text/event-stream} response; empty for a complete body} */
  public Optional<EventStream> stream() {
    return Optional.ofNullable(stream);
  }

  @Override
  public String toString() {
    return "GatewayResponse{" + status + ", " + headers + (stream != null ? ", stream" : ", " + body.length + " bytes") + "}";
  }
}
