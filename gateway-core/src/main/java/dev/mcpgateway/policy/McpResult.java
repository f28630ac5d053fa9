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

  /**
   * Whether the backend answered with a JSON-RPC error (rather than a result).
   *
   * @return {@code true} for an error answer
   */
  boolean isError();

  /** {@return the result object, mutable; empty for an error answer} */
  Optional<Map<String, Object>> result();

  /** {@return the error message of an error answer} */
  Optional<String> errorMessage();

  /**
   * {@return the error object of an error answer ({@code code}, {@code message}, optional {@code data}),
   * mutable; changes reach the client} Empty for a result answer.
   */
  default Optional<Map<String, Object>> error() {
    return Optional.empty();
  }

  /**
   * Whether any string of the answer (values and object keys, in the result or the error)
   * satisfies {@code test}. Read-only and cheap: a policy that changes only some answers checks
   * with it first and leaves the others unconverted.
   *
   * @param test the condition
   * @return {@code true} when some string satisfies it
   */
  default boolean anyString(java.util.function.Predicate<String> test) {
    return result().map(r -> anyString(r, test)).orElse(false) || error().map(e -> anyString(e, test)).orElse(false);
  }

  private static boolean anyString(Object value, java.util.function.Predicate<String> test) {
    if (value instanceof String) {
      return test.test((String) value);
    }
    if (value instanceof Map) {
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        if (test.test(String.valueOf(entry.getKey())) || anyString(entry.getValue(), test)) {
          return true;
        }
      }
    } else if (value instanceof java.util.Collection) {
      for (Object item : (java.util.Collection<?>) value) {
        if (anyString(item, test)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * For a {@code tools/call} result: whether the tool reported {@code isError: true}.
   *
   * @return {@code true} when the result has {@code isError: true}
   */
  default boolean isToolError() {
    return result().map(r -> Boolean.TRUE.equals(r.get("isError"))).orElse(false);
  }
}
