package dev.mcpgateway.internal.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.internal.connection.BackendUnavailableException;
import dev.mcpgateway.internal.connection.LogLevel;
import dev.mcpgateway.internal.http.Http;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.internal.session.SseStream;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP request of a stateless client and its answer: a single JSON object, or an SSE stream
 * that carries the request's notifications before the answer. The stream opens with the first
 * notification (or a keep-alive, for a long call) when the client accepts one; closing it early
 * is the client's cancellation.
 */
final class Leg {
  final JsonNode id;
  final Http.Accept accept;
  final LogLevel logLevel;
  final JsonNode progressToken;
  private final LiveSession session;
  /** The request's span, which the answer ends. */
  private final RoundSpan span;
  private final CompletableFuture<GatewayResponse> response = new CompletableFuture<>();
  private SseStream stream;
  private boolean done;
  private Runnable onDisconnect;

  Leg(JsonNode id, Http.Accept accept, LogLevel logLevel, JsonNode progressToken, LiveSession session, RoundSpan span) {
    this.span = span;
    span.answeredByLeg();
    this.id = id;
    this.accept = accept;
    this.logLevel = logLevel;
    this.progressToken = progressToken;
    this.session = session;
  }

  CompletableFuture<GatewayResponse> response() {
    return response;
  }

  /** Runs when the client closes the leg's stream before its answer. */
  synchronized void onDisconnect(Runnable listener) {
    this.onDisconnect = listener;
    if (stream != null) {
      stream.onDisconnect(listener);
    }
  }

  synchronized boolean isDone() {
    return done;
  }

  /** A notification of the request, on its stream; false when the client takes no stream or the leg ended. */
  boolean notify(byte[] json) {
    synchronized (this) {
      if (done || !accept.sse()) {
        return false;
      }
      openStream();
      return stream.send(json);
    }
  }

  /** A keep-alive comment, turning a still unanswered request into a stream. */
  void keepAlive() {
    synchronized (this) {
      if (done || !accept.sse()) {
        return;
      }
      openStream();
      stream.comment();
    }
  }

  /** The answer with HTTP status {@code status} (used only while nothing was streamed). */
  void answer(int status, byte[] json) {
    SseStream s;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      span.end(json);
      if (stream == null && !accept.json()) {
        openStream();
      }
      s = stream;
    }
    if (s == null) {
      response.complete(GatewayResponse.json(status, json));
    } else {
      s.send(json);
      s.close();
    }
  }

  /** HTTP 503 while nothing was streamed, else the JSON-RPC error {@code json} on the stream. */
  void unavailable(BackendUnavailableException e, byte[] json) {
    boolean streamed;
    synchronized (this) {
      streamed = stream != null;
      if (!streamed) {
        if (done) {
          return;
        }
        done = true;
        span.end(json);
      }
    }
    if (streamed) {
      answer(200, json);
    } else {
      // the revision's clients get the JSON-RPC error with their id; the status and Retry-After say "try again"
      response.complete(GatewayResponse.json(503, json).withHeader("Retry-After", "1"));
    }
  }

  private void openStream() {
    if (stream == null) {
      stream = session.newStream(false);
      if (onDisconnect != null) {
        stream.onDisconnect(onDisconnect);
      }
      response.complete(GatewayResponse.stream(200, stream.connect(-1)).withHeader("X-Accel-Buffering", "no"));
    }
  }
}
