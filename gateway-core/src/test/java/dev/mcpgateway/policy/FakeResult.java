package dev.mcpgateway.policy;

import java.util.Map;
import java.util.Optional;

/** An {@link McpResult} built from JSON, for unit tests of interceptors. */
final class FakeResult implements McpResult {
  private final Map<String, Object> result;
  private final Map<String, Object> error;

  private FakeResult(Map<String, Object> result, Map<String, Object> error) {
    this.result = result;
    this.error = error;
  }

  static FakeResult of(String resultJson) {
    return new FakeResult(FakeCall.parse(resultJson), null);
  }

  static FakeResult error(String errorJson) {
    return new FakeResult(null, FakeCall.parse(errorJson));
  }

  /** A tools/call result with one text item. */
  static FakeResult text(String text) {
    return of("{\"content\":[{\"type\":\"text\",\"text\":" + FakeCall.json(text) + "}]}");
  }

  /** The text of the first content item. */
  @SuppressWarnings("unchecked")
  String firstText() {
    return (String) ((Map<String, Object>) ((java.util.List<Object>) result.get("content")).get(0)).get("text");
  }

  /** The whole answer as JSON. */
  String json() {
    return FakeCall.json(result != null ? result : error);
  }

  @Override
  public boolean isError() {
    return error != null;
  }

  @Override
  public Optional<Map<String, Object>> result() {
    return Optional.ofNullable(result);
  }

  @Override
  public Optional<String> errorMessage() {
    return error == null ? Optional.empty() : Optional.of(String.valueOf(error.get("message")));
  }

  @Override
  public Optional<Map<String, Object>> error() {
    return Optional.ofNullable(error);
  }
}
