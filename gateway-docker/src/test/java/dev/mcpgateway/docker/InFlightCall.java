package dev.mcpgateway.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.EventStream;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.testsupport.TestClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code trigger-long-running-operation} call of server-everything through the gateway, with a
 * progress token so that its answer streams: {@link #atBackend()} completes with the first
 * progress event, {@link #answer()} with the JSON-RPC answer, stamped with {@link #answeredNanos()}.
 */
final class InFlightCall {
  private final CompletableFuture<Void> atBackend = new CompletableFuture<>();
  private final CompletableFuture<JsonNode> answer = new CompletableFuture<>();
  private final StringBuilder pending = new StringBuilder();
  private volatile long answeredNanos;

  private InFlightCall() {}

  /** Sends the call on {@code sessionId}; {@code authorization} may be null. */
  static InFlightCall start(McpGateway gateway, String server, String authorization, String sessionId, long id,
      double seconds, int steps) {
    InFlightCall call = new InFlightCall();
    GatewayRequest.Builder request = GatewayRequest.post("/mcp/" + server)
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .header("Mcp-Session-Id", sessionId)
        .body("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":"
            + "\"trigger-long-running-operation\",\"arguments\":{\"duration\":" + seconds + ",\"steps\":" + steps + "},"
            + "\"_meta\":{\"progressToken\":\"p" + id + "\"}}}")
        .remoteAddress("127.0.0.1:40000");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    gateway.handle(request.build()).whenComplete((response, failure) -> {
      if (failure != null) {
        call.answer.completeExceptionally(failure);
      } else {
        call.read(response);
      }
    });
    return call;
  }

  CompletableFuture<Void> atBackend() {
    return atBackend;
  }

  CompletableFuture<JsonNode> answer() {
    return answer;
  }

  /** When the answer arrived, as {@link System#nanoTime()}. */
  long answeredNanos() {
    return answeredNanos;
  }

  private void read(GatewayResponse response) {
    if (response.stream().isEmpty()) {
      answered(TestClient.parse(response.bodyText()));
      return;
    }
    response.stream().get().open(new EventStream.EventSink() {
      @Override
      public void write(byte[] sseBytes) {
        events(new String(sseBytes, StandardCharsets.UTF_8));
      }

      @Override
      public void close() {
        answer.completeExceptionally(new AssertionError("the stream ended without an answer"));
      }
    });
  }

  private synchronized void events(String text) {
    pending.append(text);
    for (int end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
      String event = pending.substring(0, end);
      pending.delete(0, end + 2);
      for (String line : event.split("\n")) {
        if (line.startsWith("data: ")) {
          JsonNode message = TestClient.parse(line.substring(6));
          if (message.has("method")) {
            atBackend.complete(null);
          } else {
            answered(message);
          }
        }
      }
    }
  }

  private void answered(JsonNode message) {
    if (!answer.isDone()) {
      answeredNanos = System.nanoTime();
      answer.complete(message);
    }
  }
}
