package dev.mcpgateway.policy;

import dev.mcpgateway.auth.Identity;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client request as interceptors see it: who sends it to which server, the method and its
 * params, plus a scratch map for interceptors to keep per-call state.
 *
 * <p>{@link #params()} is a mutable view in plain JDK types ({@code Map}, {@code List},
 * {@code String}, {@code Number}, {@code Boolean}, {@code null}); changes reach the backend.
 * Not thread-safe beyond one request's path.
 */
public interface McpCall {

  /** {@return the server the request goes to} */
  String server();

  /** {@return who sends it} */
  Identity identity();

  /** {@return the JSON-RPC method, such as {@code tools/call}} */
  String method();

  /** {@return the request params, mutable; an empty map when the request has none} */
  Map<String, Object> params();

  /**
   * For {@code tools/call}: the tool's name.
   *
   * @return the tool's name; empty for other methods
   */
  default Optional<String> toolName() {
    Object name = "tools/call".equals(method()) ? params().get("name") : null;
    return name instanceof String ? Optional.of((String) name) : Optional.empty();
  }

  /**
   * For {@code tools/call}: the arguments, mutable; empty map when none.
   *
   * @return the arguments; an empty map for other methods
   */
  @SuppressWarnings("unchecked")
  default Map<String, Object> arguments() {
    Object arguments = params().get("arguments");
    return arguments instanceof Map ? (Map<String, Object>) arguments : Map.of();
  }

  /**
   * {@return the JSON-RPC id as the client sent it, in JSON text ({@code 7} or {@code "abc"}); empty
   * when the gateway cannot tell}
   */
  default Optional<String> requestId() {
    return Optional.empty();
  }

  /** {@return when the gateway received the request} */
  Instant receivedAt();

  /** {@return per-call state shared by interceptors (keys should be namespaced)} */
  ConcurrentHashMap<String, Object> attributes();
}
