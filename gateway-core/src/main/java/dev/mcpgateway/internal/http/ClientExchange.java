package dev.mcpgateway.internal.http;

import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.internal.connection.BackendCall;
import dev.mcpgateway.internal.connection.BackendUnavailableException;
import dev.mcpgateway.internal.session.LiveSession;
import dev.mcpgateway.internal.session.SseStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * The client side of one request: shapes what its {@link BackendCall} hands over into the
 * HTTP answer.
 *
 * <p>The shape is decided late: a request whose response arrives before any related message
 * is answered as {@code application/json} when the client accepts it; the first related
 * message (progress, a sampling request...) turns the answer into an SSE stream when the
 * client accepts that, or goes to the session's {@code GET} stream otherwise (an element of a
 * batch, a client that accepts only JSON); with no {@code GET} stream open it is not delivered,
 * and {@link #related} says so. A request still unanswered after one keep-alive interval turns into a stream too (when the client accepts
 * one), so that keep-alive comments flow while a silent tool call runs.
 */
public final class ClientExchange implements BackendCall.Client {
  private final LiveSession session;
  private final boolean acceptsJson;
  private final boolean acceptsSse;
  private final Map<String, String> extraHeaders;
  private final CompletableFuture<GatewayResponse> response = new CompletableFuture<>();
  private volatile ScheduledFuture<?> streamTimer;
  private SseStream stream;
  private boolean done;

  public ClientExchange(LiveSession session, boolean acceptsJson, boolean acceptsSse, Map<String, String> extraHeaders) {
    this.session = session;
    this.acceptsJson = acceptsJson;
    this.acceptsSse = acceptsSse;
    this.extraHeaders = extraHeaders;
  }

  public CompletableFuture<GatewayResponse> response() {
    return response;
  }

  /** The timer that runs {@link #streamIfPending()}; cancelled when the answer comes. */
  public void streamTimer(ScheduledFuture<?> timer) {
    this.streamTimer = timer;
  }

  /**
   * Turns a still unanswered request into an SSE stream that starts with a keep-alive comment,
   * so that the client, the HTTP server and proxies in between see bytes while it runs.
   */
  public void streamIfPending() {
    synchronized (this) {
      if (done || stream != null || !acceptsSse) {
        return;
      }
      openStream();
      stream.comment();
    }
  }

  /**
   * On the request's own stream when its answer can be one (opening it if need be), else on
   * the session's {@code GET} stream; {@code false} when neither is there, so that a backend's
   * request is answered with an error at once instead of waiting for nobody.
   */
  @Override
  public boolean related(byte[] json) {
    synchronized (this) {
      if (!done) {
        if (stream == null && acceptsSse) {
          openStream();
        }
        if (stream != null && stream.send(json)) {
          return true;
        }
      }
    }
    return session.sendStandalone(json);
  }

  @Override
  public void answer(byte[] json) {
    cancelStreamTimer();
    SseStream s;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      if (stream == null && !acceptsJson) {
        openStream();
      }
      s = stream;
    }
    if (s == null) {
      response.complete(withHeaders(GatewayResponse.json(200, json)));
    } else {
      s.send(json);
      s.close();
    }
  }

  /** HTTP 503 {@code backend_unavailable} while nothing was sent to the client yet, else the JSON-RPC error on the stream. */
  @Override
  public void unavailable(BackendUnavailableException e, byte[] json) {
    boolean onStream;
    synchronized (this) {
      if (done) {
        return;
      }
      onStream = stream != null;
      done = !onStream;
    }
    if (onStream) {
      answer(json);
      return;
    }
    cancelStreamTimer();
    response.complete(withHeaders(Http.backendUnavailable(e)));
  }

  private void cancelStreamTimer() {
    ScheduledFuture<?> st = streamTimer;
    if (st != null) {
      st.cancel(false);
    }
  }

  private void openStream() {
    stream = session.newStream();
    response.complete(withHeaders(GatewayResponse.stream(200, stream.connect(-1))));
  }

  private GatewayResponse withHeaders(GatewayResponse r) {
    for (Map.Entry<String, String> header : extraHeaders.entrySet()) {
      r = r.withHeader(header.getKey(), header.getValue());
    }
    return r;
  }
}
