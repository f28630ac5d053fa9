package dev.mcpgateway.policy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.auth.Identity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** An {@link McpCall} built from JSON, for unit tests of interceptors. */
final class FakeCall implements McpCall {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String server;
  private final String method;
  private final Map<String, Object> params;
  private final ConcurrentHashMap<String, Object> attributes = new ConcurrentHashMap<>();

  FakeCall(String server, String method, String paramsJson) {
    this.server = server;
    this.method = method;
    this.params = parse(paramsJson);
  }

  /** A {@code tools/call} of {@code tool} with arguments as JSON. */
  static FakeCall tool(String server, String tool, String argumentsJson) {
    return new FakeCall(server, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + argumentsJson + "}");
  }

  static Map<String, Object> parse(String json) {
    try {
      return json == null ? new LinkedHashMap<>() : JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public String server() {
    return server;
  }

  @Override
  public Identity identity() {
    return Identity.of("tester", "credential");
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public Map<String, Object> params() {
    return params;
  }

  @Override
  public Instant receivedAt() {
    return Instant.now();
  }

  @Override
  public ConcurrentHashMap<String, Object> attributes() {
    return attributes;
  }
}
