package dev.mcpgateway;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request as the gateway sees it, independent of any servlet or server API.
 *
 * <p>Transport adapters (the servlet in {@code gateway-servlet}, tests) build one per HTTP
 * request and pass it to {@link McpGateway#handle(GatewayRequest)}. Header names are
 * case-insensitive. Instances are immutable and thread-safe; the body array is owned by the
 * request and must not be changed after {@link Builder#body(byte[])}.
 *
 * <pre>{@code
 * GatewayRequest request = GatewayRequest.post("/mcp/github")
 *     .header("Authorization", apiKey)
 *     .header("Content-Type", "application/json")
 *     .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")
 *     .build();
 * }</pre>
 */
public final class GatewayRequest {
  private static final byte[] EMPTY = new byte[0];

  private final String method;
  private final String path;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final String remoteAddress;
  private final String localAddress;

  private GatewayRequest(Builder builder) {
    this.method = builder.method;
    this.path = builder.path;
    this.headers = Collections.unmodifiableMap(builder.handOverHeaders());
    this.body = builder.body;
    this.remoteAddress = builder.remoteAddress;
    this.localAddress = builder.localAddress;
  }

  private GatewayRequest(GatewayRequest head, byte[] body) {
    this.method = head.method;
    this.path = head.path;
    this.headers = head.headers;
    this.body = body;
    this.remoteAddress = head.remoteAddress;
    this.localAddress = head.localAddress;
  }

  /**
   * Starts a request with the given HTTP method and gateway-relative path (for example {@code /mcp/github}).
   *
   * @param method the HTTP method, in any case
   * @param path the path, starting with {@code /}
   * @return a builder for the request
   */
  public static Builder builder(String method, String path) {
    return new Builder(method, path);
  }

  /**
   * Starts a {@code POST} request to the given gateway-relative path.
   *
   * @param path the path, starting with {@code /}
   * @return a builder for the request
   */
  public static Builder post(String path) {
    return builder("POST", path);
  }

  /**
   * Starts a {@code GET} request to the given gateway-relative path.
   *
   * @param path the path, starting with {@code /}
   * @return a builder for the request
   */
  public static Builder get(String path) {
    return builder("GET", path);
  }

  /**
   * Starts a {@code DELETE} request to the given gateway-relative path.
   *
   * @param path the path, starting with {@code /}
   * @return a builder for the request
   */
  public static Builder delete(String path) {
    return builder("DELETE", path);
  }

  /** {@return the HTTP method, upper case} */
  public String method() {
    return method;
  }

  /** {@return the path relative to where the gateway is mounted, starting with {@code /}} */
  public String path() {
    return path;
  }

  /**
   * {@return the first value of a header, or empty when the request does not carry it}
   *
   * @param name the header name, in any case
   */
  public Optional<String> header(String name) {
    List<String> values = headers.get(headerKey(name));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * {@return every value of a header, in arrival order; empty when absent}
   *
   * @param name the header name, in any case
   */
  public List<String> headers(String name) {
    return headers.getOrDefault(headerKey(name), List.of());
  }

  /**
   * The key of a header name in {@link #headers()}: the name in lower case. The names MCP
   * clients and containers send most, in their usual spellings, come from a table, without a
   * new string each time.
   *
   * @param name a header name, in any case
   * @return the name in lower case ({@link Locale#ROOT})
   */
  public static String headerKey(String name) {
    String key = KNOWN_HEADER_KEYS.get(name);
    return key != null ? key : name.toLowerCase(Locale.ROOT);
  }

  private static final Map<String, String> KNOWN_HEADER_KEYS = knownHeaderKeys("Accept", "Accept-Encoding",
      "Authorization", "Cache-Control", "Connection", "Content-Length", "Content-Type", "Cookie", "Forwarded", "Host",
      "Last-Event-ID", "Last-Event-Id", "MCP-Protocol-Version", "Mcp-Protocol-Version", "Mcp-Session-Id",
      "MCP-Session-Id", "Mcp-Method", "Mcp-Name", "Origin", "Transfer-Encoding", "User-Agent", "X-Forwarded-For",
      "X-Forwarded-Proto");

  private static Map<String, String> knownHeaderKeys(String... names) {
    Map<String, String> keys = new HashMap<>();
    for (String name : names) {
      keys.put(name, name.toLowerCase(Locale.ROOT));
    }
    return Map.copyOf(keys);
  }

  /** {@return all headers, keyed by lower-case name} */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** {@return the request body; an empty array when there is none} Callers must not modify it. */
  public byte[] body() {
    return body;
  }

  /** {@return the remote address as {@code host:port}, for logs; {@code "unknown"} when not known} */
  public String remoteAddress() {
    return remoteAddress;
  }

  /**
   * {@return the local address the request arrived on, as an IP literal (IPv6 without brackets);
   * empty when the transport does not say} When it is a loopback address the gateway refuses
   * {@code Host} names that are not loopback (DNS rebinding protection).
   */
  public Optional<String> localAddress() {
    return Optional.ofNullable(localAddress);
  }

  /**
   * This request with another body. Cheap: the headers are shared, not copied. A transport
   * builds the head of a request once, asks {@link McpGateway#admit(GatewayRequest)} about it,
   * and hands {@code head.withBody(body)} to {@link McpGateway#handle(GatewayRequest, Admission)}.
   *
   * @param body the new body, kept, not copied
   * @return a request with this head and {@code body}
   */
  public GatewayRequest withBody(byte[] body) {
    return new GatewayRequest(this, Objects.requireNonNull(body, "body"));
  }

  /** {@return a builder that starts from this request} */
  public Builder toBuilder() {
    Builder builder = new Builder(method, path);
    builder.headers.putAll(headers);
    builder.body = body;
    builder.remoteAddress = remoteAddress;
    builder.localAddress = localAddress;
    return builder;
  }

  @Override
  public String toString() {
    // Header values are left out on purpose: Authorization carries a secret.
    return method + " " + path + " (" + body.length + " bytes from " + remoteAddress + ")";
  }

  /** Builds a {@link GatewayRequest}. Not thread-safe. */
  public static final class Builder {
    private final String method;
    private final String path;
    /**
     * By lower-case name; one value as an immutable list, more in an {@link ArrayList} until
     * {@link #build()} makes them immutable and hands the map to the request, which then owns it.
     */
    private Map<String, List<String>> headers = new HashMap<>();
    /** Whether {@link #headers} belongs to a built request: copied before the next change. */
    private boolean headersShared;
    /** Whether some header has more than one value (in a mutable list). */
    private boolean headersRepeated;
    private byte[] body = EMPTY;
    private String remoteAddress = "unknown";
    private String localAddress;

    private Builder(String method, String path) {
      this.method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
      Objects.requireNonNull(path, "path");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with '/': " + path);
      }
      this.path = path;
    }

    /**
     * Adds a header value; repeated calls with one name keep every value.
     *
     * @param name the header name, in any case
     * @param value the value
     * @return this builder
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (headersShared) {
        headers = new HashMap<>(headers);
        headersShared = false;
      }
      String key = headerKey(name);
      List<String> values = headers.putIfAbsent(key, List.of(value));
      if (values != null) {
        if (!(values instanceof ArrayList)) {
          values = new ArrayList<>(values);
          headers.put(key, values);
        }
        values.add(value);
        headersRepeated = true;
      }
      return this;
    }

    /** The headers, immutable, for a request built now; the builder copies them before changing them again. */
    private Map<String, List<String>> handOverHeaders() {
      if (headersRepeated) {
        headers.replaceAll((name, values) -> List.copyOf(values));
        headersRepeated = false;
      }
      headersShared = true;
      return headers;
    }

    /**
     * Sets the body; the array is kept, not copied.
     *
     * @param body the body
     * @return this builder
     */
    public Builder body(byte[] body) {
      this.body = Objects.requireNonNull(body, "body");
      return this;
    }

    /**
     * Sets the body to the UTF-8 bytes of a string.
     *
     * @param body the body, encoded as UTF-8
     * @return this builder
     */
    public Builder body(String body) {
      return body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Sets the remote address shown in logs, as {@code host:port}.
     *
     * @param remoteAddress the address as {@code host:port}
     * @return this builder
     */
    public Builder remoteAddress(String remoteAddress) {
      this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
      return this;
    }

    /**
     * Sets the local IP address the request arrived on (IPv6 without brackets).
     *
     * @param localAddress the IP literal
     * @return this builder
     */
    public Builder localAddress(String localAddress) {
      this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
      return this;
    }

    /**
     * Builds the immutable request.
     *
     * @return the request
     */
    public GatewayRequest build() {
      return new GatewayRequest(this);
    }
  }
}
