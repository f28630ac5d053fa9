package dev.mcpgateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The metadata Spring Boot's annotation processors write into the jar: every {@code mcp.gateway.*}
 * setting with its description for IDE completion, and the auto-configurations' conditions.
 */
class ConfigurationMetadataTest {
  @Test
  void describesEverySetting() throws Exception {
    JsonNode metadata;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json").isNotNull();
      metadata = Mcp.JSON.readTree(in);
    }
    List<String> names = new ArrayList<>();
    for (JsonNode property : metadata.path("properties")) {
      names.add(property.path("name").asText());
      assertThat(property.path("description").asText()).as(property.path("name").asText()).isNotBlank();
    }
    assertThat(names).containsExactlyInAnyOrder("mcp.gateway.enabled", "mcp.gateway.config-file", "mcp.gateway.path",
        "mcp.gateway.unified-endpoint", "mcp.gateway.servlet.max-buffered-event-bytes", "mcp.gateway.servlet.async-timeout",
        "mcp.gateway.servlet.max-in-flight-body-bytes", "mcp.gateway.servlet.body-timeout",
        "management.health.mcpgateway.enabled");
    assertThat(metadata.path("properties").findValues("defaultValue")).extracting(JsonNode::asText)
        .contains("/mcp-gateway");
  }

  @Test
  void listsTheAutoConfigurations() throws Exception {
    Properties conditions = new Properties();
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-autoconfigure-metadata.properties")) {
      assertThat(in).isNotNull();
      conditions.load(in);
    }
    assertThat(conditions.stringPropertyNames()).contains(
        McpGatewayAutoConfiguration.class.getName() + ".ConditionalOnClass",
        McpGatewayHealthAutoConfiguration.class.getName() + ".AutoConfigureAfter");
  }
}
