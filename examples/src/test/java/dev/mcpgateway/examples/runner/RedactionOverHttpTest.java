package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real backend says the secret it was given through {@code env} on every channel it has, and
 * a client reads the runner's raw HTTP answers and the payload files: the secret is nowhere,
 * its redaction marker everywhere it was said.
 */
class RedactionOverHttpTest {
  private static final String KEY = "redaction-key-0123456789abcdefghijklmnopqrstuvwxyz";

  @TempDir
  Path dir;

  @Test
  void noChannelOfTheBackendShowsTheSecretItWasGiven() throws Exception {
    String secret = "s3cr3t-" + UUID.randomUUID().toString().replace("-", "");
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder().apiKey(KEY).payloadDir(dir.resolve("payloads")).payloadSizeThreshold(64 * 1024)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).env("LEAK_SECRET", secret)
            .build("test"))
        .build();
    GatewayRunner.Running running = GatewayRunner.start(config, "127.0.0.1", 0);
    List<String> seen = new ArrayList<>();
    try {
      GatewayHttp http = new GatewayHttp(running.port);
      HttpResponse<String> init = http.client.send(http.post(KEY, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
          + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"sampling\":{},\"elicitation\":{}},"
          + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(init.statusCode()).isEqualTo(200);
      seen.add("initialize " + init.body());
      assertThat(init.body()).contains("[REDACTED:secret]");
      String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();

      long id = 10;
      for (String via : List.of("message", "progress", "error", "result", "big")) {
        String arguments = "{\"via\":\"" + via + "\",\"chars\":600000}";
        HttpResponse<String> answer = http.client.send(http.post(KEY, session, GatewayHttp.toolCall(id++, "leak", arguments, true))
            .build(), HttpResponse.BodyHandlers.ofString());
        seen.add(via + " " + answer.body());
        assertThat(answer.body()).as(via).contains("[REDACTED:secret]");
      }

      // Requests to the client: read the stream, answer the request, then the call ends.
      for (String via : List.of("sample", "elicit")) {
        Iterator<String> lines = http.stream(KEY, session, id++, "leak", "{\"via\":\"" + via + "\"}");
        JsonNode request = GatewayHttp.nextEvent(lines);
        while (request != null && !request.has("method")) {
          request = GatewayHttp.nextEvent(lines);
        }
        assertThat(request).as(via).isNotNull();
        seen.add(via + " " + request);
        assertThat(request.toString()).as(via).contains("[REDACTED:secret]");
        String result = via.equals("sample")
            ? "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"ok\"},\"model\":\"m\"}"
            : "{\"action\":\"decline\"}";
        HttpResponse<String> answered = http.client.send(http.post(KEY, session, "{\"jsonrpc\":\"2.0\",\"id\":"
            + request.get("id") + ",\"result\":" + result + "}").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answered.statusCode()).isEqualTo(202);
        JsonNode end = GatewayHttp.nextEvent(lines);
        while (end != null && !end.has("result") && !end.has("error")) {
          end = GatewayHttp.nextEvent(lines);
        }
        seen.add(via + " end " + end);
      }

      HttpResponse<String> health = http.client.send(HttpRequest.newBuilder(URI.create(http.base + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      seen.add("health " + health.body());

      // The payload file, while the session that owns it lives.
      List<Path> payloads;
      try (Stream<Path> walk = Files.walk(dir.resolve("payloads"))) {
        payloads = walk.filter(Files::isRegularFile).toList();
      }
      assertThat(payloads).as("the big result was offloaded").isNotEmpty();
      for (Path file : payloads) {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text).as(file.toString()).doesNotContain(secret).contains("[REDACTED:secret]");
      }
    } finally {
      running.stop();
    }
    for (String answer : seen) {
      assertThat(answer).as("what the client received").doesNotContain(secret).doesNotContain(secret.substring(7, 19));
    }
  }
}
