package dev.mcpgateway.backend;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP+SSE transport of protocol revision 2024-11-05, for remotes that refuse Streamable
 * HTTP: a GET on the server's URL opens an event stream whose first event, {@code endpoint},
 * names the URL to POST messages to; every answer comes on that stream. The remote session
 * lives as long as the stream: when it ends, the backend ends.
 */
final class LegacySseTransport {
  private final HttpBackend backend;
  private final URI url;
  private final int maxMessageBytes;
  private final CompletableFuture<URI> endpoint = new CompletableFuture<>();
  private volatile SseEventSubscriber events;
  private volatile CompletableFuture<?> get;

  LegacySseTransport(HttpBackend backend, URI url, int maxMessageBytes) {
    this.backend = backend;
    this.url = url;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Opens the stream and, once the remote named its endpoint, posts {@code initialize} there. */
  void start(byte[] initialize, JsonRpcPeek peek) {
    HttpRequest request = backend.request(url).header("Accept", "text/event-stream").GET().build();
    boolean[] opened = new boolean[1];
    get = backend.client().sendAsync(request, info -> {
      opened[0] = true;
      String type = info.headers().firstValue("content-type").orElse("");
      if (info.statusCode() != 200 || !type.startsWith("text/event-stream")) {
        String reason = "the remote refused Streamable HTTP and answered the HTTP+SSE GET with HTTP " + info.statusCode()
            + (info.statusCode() == 200 ? " and " + (type.isEmpty() ? "no content type" : type) : "")
            + "; check the url";
        endpoint.completeExceptionally(new IllegalStateException(reason));
        backend.end(reason, false);
        return BodySubscribers.replacing(null);
      }
      events = new SseEventSubscriber("server '" + backend.server() + "'", maxMessageBytes, new SseEventSubscriber.Handler() {
        @Override
        public void onEvent(SseEventSubscriber.Event event) {
          if ("endpoint".equals(event.type())) {
            learnEndpoint(event.data().trim());
          } else if ("message".equals(event.type())) {
            backend.deliver(event.data().getBytes(StandardCharsets.UTF_8));
          }
        }

        @Override
        public void onEnd(Throwable failure) {
          backend.forget(events);
          endpoint.completeExceptionally(new IllegalStateException("stream ended"));
          if (failure != null && HttpBackend.isConnectFailure(failure)) {
            backend.end(backend.unreachable(failure), true);
          } else {
            backend.end("the remote ended its HTTP+SSE stream" + (failure == null ? "" : ": " + HttpBackend.describe(failure)), false);
          }
        }
      });
      return backend.stream(events);
    });
    get.whenComplete((r, failure) -> {
      if (failure != null && !opened[0]) {
        endpoint.completeExceptionally(failure);
        if (HttpBackend.isConnectFailure(failure)) {
          backend.end(backend.unreachable(failure), true);
        } else {
          backend.end("the HTTP+SSE stream could not be opened: " + HttpBackend.describe(failure), false);
        }
      }
    });
    post(initialize, peek);
  }

  private void learnEndpoint(String data) {
    URI resolved;
    try {
      resolved = url.resolve(data);
    } catch (IllegalArgumentException e) {
      backend.end("the remote named an endpoint that is not a URI", false);
      return;
    }
    // Headers carry credentials: they only go back to the origin they were configured for.
    if (!Objects.equals(resolved.getScheme(), url.getScheme()) || !Objects.equals(resolved.getHost(), url.getHost())
        || resolved.getPort() != url.getPort()) {
      backend.end("the remote named an endpoint on another origin; refused", false);
      return;
    }
    endpoint.complete(resolved);
  }

  /** POSTs one message to the endpoint once it is known; answers come on the stream. */
  void post(byte[] message, JsonRpcPeek peek) {
    endpoint.thenAccept(uri -> {
      HttpRequest request = backend.request(uri)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(message))
          .build();
      backend.client().sendAsync(request, info -> {
        int status = info.statusCode();
        if (status / 100 != 2 && peek.isRequest()) {
          backend.deliverError(peek, "server '" + backend.server() + "' answered HTTP " + status);
        }
        return BodySubscribers.replacing(null);
      }).whenComplete((r, failure) -> {
        if (failure != null && peek.isRequest() && backend.isAlive()) {
          if (HttpBackend.isConnectFailure(failure)) {
            backend.end(backend.unreachable(failure), true);
          } else {
            backend.deliverError(peek, "server '" + backend.server() + "' could not be asked: " + HttpBackend.describe(failure));
          }
        }
      });
    });
  }

  /** Closes the stream, which ends the remote session. */
  void cancel() {
    SseEventSubscriber e = events;
    if (e != null) {
      e.cancel();
    }
    CompletableFuture<?> g = get;
    if (g != null) {
      g.cancel(true);
    }
  }
}
