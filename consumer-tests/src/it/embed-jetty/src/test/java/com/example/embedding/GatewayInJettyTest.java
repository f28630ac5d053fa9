package com.example.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.example.mcp.EchoMcpServer;
import com.example.mcp.McpHttpClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Jetty application, over real HTTP on loopback, in front of a real stdio MCP server. */
class GatewayInJettyTest {
  @TempDir
  Path dir;

  @Test
  void callsAToolOfAStdioServerThroughTheGateway() throws Exception {
    String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    Path configFile = EchoMcpServer.writeGatewayConfig(dir, "echo", key);
    try (GatewayInJetty app = new GatewayInJetty(configFile, 0)) {
      URI endpoint = URI.create("http://127.0.0.1:" + app.port() + "/tools/mcp/echo");

      assertEquals(401, new McpHttpClient(endpoint, key).statusWithoutKey());

      McpHttpClient client = new McpHttpClient(endpoint, key);
      JsonNode initialized = client.initialize();
      assertEquals(McpHttpClient.VERSION, initialized.path("protocolVersion").asText());
      assertEquals("echo", initialized.path("serverInfo").path("name").asText());
      JsonNode result = client.callTool("echo", Map.of("text", "hello from Jetty"));
      assertEquals("hello from Jetty", result.path("content").path(0).path("text").asText(), result.toString());
    }
  }
}
