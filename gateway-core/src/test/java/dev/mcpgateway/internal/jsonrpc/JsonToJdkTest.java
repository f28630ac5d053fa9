package dev.mcpgateway.internal.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The walk from a tree to JDK types gives what Jackson's own conversion gives, types included. */
class JsonToJdkTest {
  @Test
  void givesWhatConvertValueGives() throws Exception {
    String json = "{\"s\":\"text é \\u0000\",\"i\":1,\"neg\":-2147483648,\"l\":2147483648,\"big\":123456789012345678901234567890,"
        + "\"d\":1.5,\"e\":1e400,\"tiny\":-0.0,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"two\",[3],{\"four\":4}],"
        + "\"o\":{\"nested\":{\"deep\":[null,{}]}},\"empty\":{},\"none\":[],\"dup\":1,\"dup\":2}";
    JsonNode tree = Json.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Object expected = Json.mapper().convertValue(tree, Object.class);
    Object actual = Json.toJdk(tree);
    assertThat(actual).isEqualTo(expected);
    assertThat(types(actual)).isEqualTo(types(expected));
    assertThat(actual).isInstanceOf(java.util.LinkedHashMap.class);
    assertThat(new java.util.ArrayList<Object>(((java.util.Map<?, ?>) actual).keySet()))
        .isEqualTo(new java.util.ArrayList<Object>(((java.util.Map<?, ?>) expected).keySet()));
  }

  private static String types(Object value) {
    if (value instanceof java.util.Map) {
      StringBuilder out = new StringBuilder("{");
      ((java.util.Map<?, ?>) value).forEach((k, v) -> out.append(k).append('=').append(types(v)).append(','));
      return out.append('}').toString();
    }
    if (value instanceof java.util.List) {
      StringBuilder out = new StringBuilder("[");
      ((java.util.List<?>) value).forEach(v -> out.append(types(v)).append(','));
      return out.append(']').toString();
    }
    return value == null ? "null" : value.getClass().getSimpleName();
  }
}
