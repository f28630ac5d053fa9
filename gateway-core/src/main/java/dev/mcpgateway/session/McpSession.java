package dev.mcpgateway.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Interner;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.config.ServerConfig;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One MCP session, as data: what a client gets from {@code initialize} as
 * {@code Mcp-Session-Id}, and what any gateway needs to serve it again.
 *
 * <p>A session holds no live resource: backend connections, open streams and pending requests
 * live on the node that serves them. So a {@link SessionStore} may keep sessions anywhere (the
 * heap, Redis) and return equal copies instead of the instances it was given; {@link #toJson()}
 * and {@link #fromJson(String)} are the form such a store keeps. Immutable.
 *
 * @param id the session id: unguessable, visible ASCII
 * @param callerDigest the caller's session key ({@link dev.mcpgateway.auth.Identity#sessionKey()}),
 *     a one-way digest of the credential, never the credential
 * @param server the server the session was initialized on; empty for the unified endpoint
 * @param protocolVersion the negotiated MCP revision, such as {@code 2025-06-18}
 * @param clientCapabilities the client's {@code initialize} capabilities, as JDK values
 *     ({@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean}, {@code null});
 *     sessions with equal values (in the same order) share one unmodifiable instance
 * @param clientInfo the client's {@code initialize} {@code clientInfo}, as JDK values, shared the same way
 * @param isolation whose backend serves the session: the caller's shared one, or its own
 * @param createdAt when the session was created
 */
public record McpSession(
    String id,
    String callerDigest,
    String server,
    String protocolVersion,
    Map<String, Object> clientCapabilities,
    Map<String, Object> clientInfo,
    ServerConfig.Isolation isolation,
    Instant createdAt) {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /**
   * The frozen capabilities and client infos in use: the sessions of one client send the same
   * ones, so they share one copy instead of holding one each. Weak: a value no session holds goes.
   */
  private static final Interner<Map<String, Object>> SHARED = Interner.newWeakInterner();

  /**
   * Validates; the JSON values are copied into unmodifiable maps and lists, or replaced by an
   * equal instance (same values, same order) that another session holds.
   *
   * @param id the session id: unguessable, visible ASCII
   * @param callerDigest the caller's session key ({@link
   *     dev.mcpgateway.auth.Identity#sessionKey()}), a one-way digest of the credential, never the
   *     credential
   * @param server the server the session was initialized on; empty for the unified endpoint
   * @param protocolVersion the negotiated MCP revision, such as {@code 2025-06-18}
   * @param clientCapabilities the client's {@code initialize} capabilities, as JDK values ({@code
   *     Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean}, {@code null})
   * @param clientInfo the client's {@code initialize} {@code clientInfo}, as JDK values
   * @param isolation whose backend serves the session: the caller's shared one, or its own
   * @param createdAt when the session was created
   */
  public McpSession {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(callerDigest, "callerDigest");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(protocolVersion, "protocolVersion");
    Objects.requireNonNull(isolation, "isolation");
    Objects.requireNonNull(createdAt, "createdAt");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id must not be empty");
    }
    clientCapabilities = shared(clientCapabilities);
    clientInfo = shared(clientInfo);
  }

  /** {@return a new session id: 24 random bytes, base64url} */
  public static String newId() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * A copy at another protocol version.
   *
   * @param version the negotiated protocol version
   * @return the copy
   */
  public McpSession withProtocolVersion(String version) {
    return new McpSession(id, callerDigest, server, version, clientCapabilities, clientInfo, isolation, createdAt);
  }

  /**
   * Whether the unified endpoint ({@code /mcp}) holds this session.
   *
   * @return {@code true} for a session of {@code /mcp}
   */
  public boolean isUnified() {
    return server.isEmpty();
  }

  /** {@return this session as one JSON object, the form {@link #fromJson(String)} reads} */
  public String toJson() {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", id);
    node.put("callerDigest", callerDigest);
    node.put("server", server);
    node.put("protocolVersion", protocolVersion);
    node.set("clientCapabilities", MAPPER.valueToTree(clientCapabilities));
    node.set("clientInfo", MAPPER.valueToTree(clientInfo));
    node.put("isolation", isolation.name());
    node.put("createdAt", createdAt.toString());
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a session's JSON values always serialize", e);
    }
  }

  /**
   * Reads what {@link #toJson()} wrote.
   *
   * @param json the JSON text
   * @return the session
   * @throws IllegalArgumentException when {@code json} is not such a session
   */
  public static McpSession fromJson(String json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("a session is a JSON object");
      }
      return new McpSession(text(node, "id"), text(node, "callerDigest"), text(node, "server"), text(node, "protocolVersion"),
          map(node.get("clientCapabilities")), map(node.get("clientInfo")),
          ServerConfig.Isolation.valueOf(text(node, "isolation")), Instant.parse(text(node, "createdAt")));
    } catch (JsonProcessingException | RuntimeException e) {
      if (e instanceof IllegalArgumentException && !(e instanceof NumberFormatException)) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("not a session: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("a session needs the string field '" + field + "'");
    }
    return value.asText();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(JsonNode node) {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("clientCapabilities and clientInfo are JSON objects");
    }
    return MAPPER.convertValue(node, LinkedHashMap.class);
  }

  /** {@code map} frozen, as the instance other sessions hold when one has the same values in the same order. */
  private static Map<String, Object> shared(Map<String, Object> map) {
    Map<String, Object> frozen = frozen(map);
    if (frozen.isEmpty()) {
      return frozen;
    }
    Map<String, Object> canonical = SHARED.intern(frozen);
    // Map equality ignores the order of keys, a JSON object's form keeps it: an equal map in another order is not shared.
    return sameOrder(canonical, frozen) ? canonical : frozen;
  }

  /** Whether two equal JSON values list their objects' keys in the same order, at every depth. */
  private static boolean sameOrder(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a instanceof Map && b instanceof Map) {
      Iterator<? extends Map.Entry<?, ?>> itA = ((Map<?, ?>) a).entrySet().iterator();
      Iterator<? extends Map.Entry<?, ?>> itB = ((Map<?, ?>) b).entrySet().iterator();
      while (itA.hasNext() && itB.hasNext()) {
        Map.Entry<?, ?> entryA = itA.next();
        Map.Entry<?, ?> entryB = itB.next();
        if (!entryA.getKey().equals(entryB.getKey()) || !sameOrder(entryA.getValue(), entryB.getValue())) {
          return false;
        }
      }
      return !itA.hasNext() && !itB.hasNext();
    }
    if (a instanceof List && b instanceof List) {
      Iterator<?> itA = ((List<?>) a).iterator();
      Iterator<?> itB = ((List<?>) b).iterator();
      while (itA.hasNext() && itB.hasNext()) {
        if (!sameOrder(itA.next(), itB.next())) {
          return false;
        }
      }
      return !itA.hasNext() && !itB.hasNext();
    }
    return true; // scalars: equal already
  }

  private static Map<String, Object> frozen(Map<String, Object> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : map.entrySet()) {
      copy.put(Objects.requireNonNull(entry.getKey(), "key"), frozenValue(entry.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }

  @SuppressWarnings("unchecked")
  private static Object frozenValue(Object value) {
    if (value instanceof Map) {
      return frozen((Map<String, Object>) value);
    }
    if (value instanceof List) {
      List<Object> copy = new ArrayList<>();
      for (Iterator<?> it = ((List<?>) value).iterator(); it.hasNext(); ) {
        copy.add(frozenValue(it.next()));
      }
      return Collections.unmodifiableList(copy);
    }
    if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
  }

  @Override
  public String toString() {
    return "McpSession{" + (server.isEmpty() ? "unified" : server) + ", " + protocolVersion + ", created " + createdAt + "}";
  }
}
