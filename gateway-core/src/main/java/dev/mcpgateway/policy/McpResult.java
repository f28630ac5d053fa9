package dev.mcpgateway.policy;

import java.util.Map;
import java.util.Optional;

/**
 * The backend's answer to an {@link McpCall} as interceptors see it: a result or an error.
 *
 * <p>{@link #result()} and {@link #error()} are mutable views in plain JDK types; changes
 * reach the client. Not thread-safe beyond one answer's path.
 */
public interface McpResult {

  /** Whether the backend answered with a JSON-RPC error (rather than a result). */
  boolean isError();

  /** The result object, mutable; empty for an error answer. */
  Optional<Map<String, Object>> result();

  /** The error message of an error answer. */
  Optional<String> errorMessage();

  /**
   * The error object of an error answer ({@code code}, {@code message}, optional {@code data}),
   * mutable; changes reach the client. Empty for a result answer.
   */
  default Optional<Map<String, Object>> error() {
    return Optional.empty();
  }

  /** For a {@code tools/call} result: whether the tool reported {@code isError: true}. */
  default boolean isToolError() {
    return result().map(r -> Boolean.TRUE.equals(r.get("isError"))).orElse(false);
  }
}
