package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link GatewayRequest}: case-insensitive, immutable headers, and a builder that can go on after {@code build()}. */
class GatewayRequestTest {
  @Test
  void findsHeadersWhateverTheirCase() {
    GatewayRequest request = GatewayRequest.post("/mcp/echo").header("Content-Type", "application/json").build();

    assertThat(request.header("content-type")).contains("application/json");
    assertThat(request.header("CONTENT-TYPE")).contains("application/json");
    assertThat(request.headers("Accept")).isEmpty();
    assertThat(request.header("Accept")).isEmpty();
  }

  @Test
  void keepsEveryValueOfARepeatedHeaderInOrder() {
    GatewayRequest request = GatewayRequest.post("/mcp/echo").header("Accept", "application/json")
        .header("accept", "text/event-stream").header("ACCEPT", "*/*").build();

    assertThat(request.headers("Accept")).containsExactly("application/json", "text/event-stream", "*/*");
    assertThat(request.header("Accept")).contains("application/json");
  }

  @Test
  void headersCannotBeChangedThroughTheRequest() {
    GatewayRequest request = GatewayRequest.post("/mcp/echo").header("A", "1").header("B", "1").header("B", "2").build();

    assertThatThrownBy(() -> request.headers().put("c", List.of("1"))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> request.headers("a").add("2")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> request.headers("b").add("3")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aBuilderUsedAgainLeavesTheRequestsItBuiltAlone() {
    GatewayRequest.Builder builder = GatewayRequest.post("/mcp/echo").header("A", "1").header("B", "1");
    GatewayRequest first = builder.build();
    builder.header("A", "2").header("C", "1");
    GatewayRequest second = builder.build();
    builder.header("B", "2");
    GatewayRequest third = builder.build();

    assertThat(first.headers()).containsOnlyKeys("a", "b");
    assertThat(first.headers("a")).containsExactly("1");
    assertThat(second.headers("a")).containsExactly("1", "2");
    assertThat(second.headers("b")).containsExactly("1");
    assertThat(second.headers("c")).containsExactly("1");
    assertThat(third.headers("b")).containsExactly("1", "2");
    assertThat(third.headers("a")).containsExactly("1", "2");
  }

  @Test
  void toBuilderStartsFromTheRequestWithoutChangingIt() {
    GatewayRequest original = GatewayRequest.post("/mcp/echo").header("A", "1").body("{}").remoteAddress("10.0.0.1:5")
        .build();
    GatewayRequest changed = original.toBuilder().header("A", "2").header("B", "1").build();

    assertThat(original.headers("a")).containsExactly("1");
    assertThat(original.headers()).containsOnlyKeys("a");
    assertThat(changed.headers("a")).containsExactly("1", "2");
    assertThat(changed.headers("b")).containsExactly("1");
    assertThat(changed.body()).isSameAs(original.body());
    assertThat(changed.remoteAddress()).isEqualTo("10.0.0.1:5");
  }

  @Test
  void keysEveryHeaderNameByItsLowerCaseWhateverItsSpelling() {
    for (String name : List.of("Content-Type", "content-type", "CONTENT-TYPE", "Mcp-Session-Id", "MCP-Session-Id",
        "mCp-SeSsIoN-iD", "MCP-Protocol-Version", "Last-Event-ID", "Authorization", "X-Custom", "traceparent", "\u212a-Kelvin",
        "ÄÖÜ-Header", "")) {
      assertThat(GatewayRequest.headerKey(name)).as(name).isEqualTo(name.toLowerCase(java.util.Locale.ROOT));
    }
    GatewayRequest request = GatewayRequest.post("/mcp").header("MCP-Session-Id", "a").header("mcp-session-id", "b")
        .header("Mcp-Session-Id", "c").build();
    assertThat(request.headers("MCP-SESSION-ID")).containsExactly("a", "b", "c");
    assertThat(request.headers().keySet()).containsExactly("mcp-session-id");
  }
}
