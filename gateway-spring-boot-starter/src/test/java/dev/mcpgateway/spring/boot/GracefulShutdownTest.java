package dev.mcpgateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * When the application stops, the gateway closes while the web server still serves, before its
 * graceful shutdown: a lifecycle that stops just after the gateway's phase finds the gateway
 * closed and the gateway's {@code /health} still answered over HTTP ({@code closing}); one that stops just before
 * finds it open. Its backend process is gone when the context has closed, an open event stream
 * has ended, and the port no longer answers.
 */
class GracefulShutdownTest {
  @TempDir
  Path dir;
  private ConfigurableApplicationContext context;
  private static final List<String> EVENTS = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    if (context != null) {
      context.close();
    }
    EVENTS.clear();
  }

  /** Records, when stopped, whether the gateway is closed and what GET {path}/health answers. */
  static final class Observer implements SmartLifecycle {
    private final String name;
    private final int phase;
    private final ObjectProvider<McpGateway> gateway;
    private final ObjectProvider<WebServerApplicationContext> web;
    private volatile boolean running;

    Observer(String name, int phase, ObjectProvider<McpGateway> gateway, ObjectProvider<WebServerApplicationContext> web) {
      this.name = name;
      this.phase = phase;
      this.gateway = gateway;
      this.web = web;
    }

    @Override
    public void start() {
      running = true;
    }

    @Override
    public void stop() {
      running = false;
      String health;
      try {
        HttpResponse<String> answer = Mcp.get("http://127.0.0.1:" + web.getObject().getWebServer().getPort() + "/mcp-gateway/health");
        health = answer.statusCode() + " " + Mcp.JSON.readTree(answer.body()).path("status").asText();
      } catch (IOException | InterruptedException e) {
        health = "no answer: " + e;
      }
      EVENTS.add(name + ": gateway " + (gateway.getObject().isClosed() ? "closed" : "open") + ", health " + health);
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      return phase;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Observers {
    @Bean
    Observer beforeGateway(ObjectProvider<McpGateway> gateway, ObjectProvider<WebServerApplicationContext> web) {
      return new Observer("before", McpGatewayLifecycle.PHASE + 1, gateway, web);
    }

    @Bean
    Observer afterGateway(ObjectProvider<McpGateway> gateway, ObjectProvider<WebServerApplicationContext> web) {
      return new Observer("after", McpGatewayLifecycle.PHASE - 1, gateway, web);
    }
  }

  @Test
  void theGatewayClosesBeforeTheWebServerStops() throws Exception {
    assertThat(McpGatewayLifecycle.PHASE).isGreaterThan(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1)
        .isLessThan(SmartLifecycle.DEFAULT_PHASE);
    List<String> command = StdioTestServer.commandLine();
    ObjectNode config = Mcp.JSON.createObjectNode();
    config.putObject("gateway").put("payloadDir", dir.resolve("payloads").toString());
    ObjectNode server = config.putObject("mcpServers").putObject("test");
    server.put("type", "stdio").put("command", command.get(0));
    command.subList(1, command.size()).forEach(server.putArray("args")::add);
    Path file = dir.resolve("gateway.json");
    Files.writeString(file, config.toString());
    context = Apps.run(List.of(Observers.class), "mcp.gateway.config-file=" + file, "server.shutdown=graceful");
    String base = Apps.base(context);

    Mcp client = new Mcp(base + "/mcp-gateway/mcp/test", null);
    assertThat(client.initialize().status()).isEqualTo(200);
    Mcp.Answer pid = client.callTool("pid", "{}");
    long backendPid = Long.parseLong(pid.json().path("result").path("content").get(0).path("text").asText().trim());
    ProcessHandle backend = ProcessHandle.of(backendPid).orElseThrow();
    assertThat(backend.isAlive()).isTrue();
    CompletableFuture<Long> stream = openEventStream(base + "/mcp-gateway/mcp/test", client);

    context.close();

    assertThat(EVENTS).containsExactly("before: gateway open, health 200 healthy", "after: gateway closed, health 200 closing");
    assertThat(backend.isAlive()).as("backend process %d", backendPid).isFalse();
    assertThat(stream.get(30, TimeUnit.SECONDS)).isNotNegative(); // the stream ended, it was not cut off
    assertThat(catchThrowable(() -> Mcp.get(base + "/mcp-gateway/health"))).isInstanceOf(ConnectException.class);
  }

  /**
   * GET on the session's URL: the standalone event stream, open until the gateway ends it. The
   * future completes with the number of lines read when the stream ends, exceptionally when it
   * is cut off.
   */
  private static CompletableFuture<Long> openEventStream(String url, Mcp client) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    CompletableFuture<HttpResponse<Stream<String>>> response = http.sendAsync(HttpRequest.newBuilder(URI.create(url))
        .header("Accept", "text/event-stream").header("Mcp-Session-Id", client.sessionId())
        .header("MCP-Protocol-Version", "2025-06-18").GET().build(), HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> open = response.get(30, TimeUnit.SECONDS);
    assertThat(open.statusCode()).isEqualTo(200);
    return CompletableFuture.supplyAsync(() -> open.body().count());
  }
}
