package dev.mcpgateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.config.ServerConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sessions of one client share its capabilities and client info, which stay exactly what the client sent. */
class McpSessionSharingTest {
  private static McpSession session(Map<String, Object> capabilities, Map<String, Object> clientInfo) {
    return new McpSession(McpSession.newId(), "digest", "echo", "2025-06-18", capabilities, clientInfo,
        ServerConfig.Isolation.KEY, Instant.parse("2026-12-07T10:00:00Z"));
  }

  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  @Test
  void sessionsWithEqualValuesShareOneCopy() {
    McpSession a = session(ordered("sampling", Map.of(), "roots", ordered("listChanged", true)), ordered("name", "c", "version", "1"));
    McpSession b = session(ordered("sampling", Map.of(), "roots", ordered("listChanged", true)), ordered("name", "c", "version", "1"));

    assertThat(b.clientCapabilities()).isSameAs(a.clientCapabilities());
    assertThat(b.clientInfo()).isSameAs(a.clientInfo());
    assertThat(McpSession.fromJson(b.toJson()).clientInfo()).isSameAs(a.clientInfo());
  }

  @Test
  void anotherOrderOrAnotherTypeIsKeptAsSent() {
    McpSession a = session(ordered("sampling", Map.of(), "roots", Map.of()), ordered("name", "c", "version", "1"));
    McpSession b = session(ordered("roots", Map.of(), "sampling", Map.of()), ordered("version", "1", "name", "c"));
    McpSession decimal = session(ordered("x", new BigDecimal("1.10")), Map.of());
    McpSession plain = session(ordered("x", new BigDecimal("1.1")), Map.of());
    McpSession longs = session(ordered("x", List.of(1L)), Map.of());
    McpSession ints = session(ordered("x", List.of(1)), Map.of());

    assertThat(b.clientCapabilities()).isEqualTo(a.clientCapabilities()).isNotSameAs(a.clientCapabilities());
    assertThat(b.clientCapabilities().keySet()).containsExactly("roots", "sampling");
    assertThat(b.toJson()).contains("\"clientInfo\":{\"version\":\"1\",\"name\":\"c\"}");
    assertThat(decimal.clientCapabilities().get("x")).isEqualTo(new BigDecimal("1.10"));
    assertThat(plain.clientCapabilities().get("x")).isEqualTo(new BigDecimal("1.1"));
    assertThat(((List<?>) longs.clientCapabilities().get("x")).get(0)).isEqualTo(1L);
    assertThat(((List<?>) ints.clientCapabilities().get("x")).get(0)).isEqualTo(1);
  }
}
