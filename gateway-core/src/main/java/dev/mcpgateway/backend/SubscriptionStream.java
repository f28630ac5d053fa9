package dev.mcpgateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code subscriptions/listen} stream a {@link StatelessHttpBackend} keeps open to its
 * server, in place of the session-based revisions' {@code GET} stream and
 * {@code resources/subscribe}: its filter asks for the list changes the server announces and for
 * the resources the gateway subscribed to. A new filter opens a new stream; the one it replaces
 * closes once the server acknowledged the new one, so nothing is missed in between. What the
 * stream carries goes to the listener without its subscription id; the acknowledgment is not
 * passed on. A stream that drops is reopened, backing off; after five quick failures in a row
 * it is given up with a WARN.
 */
final class SubscriptionStream {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionStream.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int MAX_RETRIES = 5;

  private final StatelessHttpBackend backend;
  private final String server;
  private final AtomicInteger retries = new AtomicInteger();
  // guarded by this
  private ObjectNode capabilities;
  private final Set<String> subscribed = new LinkedHashSet<>();
  private Listen listen;

  SubscriptionStream(StatelessHttpBackend backend) {
    this.backend = backend;
    this.server = backend.server();
  }

  /**
   * Opens the stream the server's {@code capabilities} call for (none when it announces no list
   * changes and nothing is subscribed). Completes once it is acknowledged, or refused.
   */
  CompletableFuture<Void> start(ObjectNode capabilities) {
    synchronized (this) {
      this.capabilities = capabilities;
    }
    return relisten();
  }

  /** Whether the server offers resource subscriptions (known once it was discovered). */
  synchronized boolean offersSubscriptions() {
    return capabilities != null && capabilities.path("resources").path("subscribe").asBoolean(false);
  }

  /**
   * Subscribes to {@code uri} or unsubscribes from it. Completes once the server acknowledged the
   * new filter (at once when nothing changes); exceptionally when it refused it, and then the
   * subscription is as it was.
   */
  CompletableFuture<Void> change(String uri, boolean subscribe) {
    synchronized (this) {
      boolean changed = subscribe ? subscribed.add(uri) : subscribed.remove(uri);
      if (!changed) {
        return CompletableFuture.completedFuture(null);
      }
    }
    CompletableFuture<Void> acknowledged = relisten();
    if (!subscribe) {
      return acknowledged.exceptionally(failure -> null); // the server sends less either way
    }
    return acknowledged.whenComplete((ignored, failure) -> {
      if (failure != null) {
        synchronized (this) {
          subscribed.remove(uri);
        }
        relisten(); // back to the filter before
      }
    });
  }

  /** Closes the stream for good. */
  void stop() {
    Listen current;
    synchronized (this) {
      current = listen;
      listen = null;
      capabilities = null;
    }
    if (current != null) {
      current.stop();
    }
  }

  /** The filter needed now: list changes the server announces, the subscribed resources; null for none. */
  private ObjectNode wantedFilter() {
    if (capabilities == null) {
      return null;
    }
    ObjectNode filter = NODES.objectNode();
    if (capabilities.path("tools").path("listChanged").asBoolean(false)) {
      filter.put("toolsListChanged", true);
    }
    if (capabilities.path("prompts").path("listChanged").asBoolean(false)) {
      filter.put("promptsListChanged", true);
    }
    if (capabilities.path("resources").path("listChanged").asBoolean(false)) {
      filter.put("resourcesListChanged", true);
    }
    if (!subscribed.isEmpty()) {
      ArrayNode uris = filter.putArray("resourceSubscriptions");
      subscribed.forEach(uris::add);
    }
    return filter.isEmpty() ? null : filter;
  }

  /**
   * Opens a stream with the filter needed now; the one it replaces closes once the new one is
   * acknowledged or refused. Completes when it is acknowledged, exceptionally when the server
   * refused it; at once when no stream is needed.
   */
  private CompletableFuture<Void> relisten() {
    Listen next;
    Listen previous;
    synchronized (this) {
      if (!backend.isAlive()) {
        return CompletableFuture.completedFuture(null);
      }
      ObjectNode filter = wantedFilter();
      previous = listen;
      next = filter == null ? null : new Listen(filter);
      listen = next;
    }
    if (next == null) {
      if (previous != null) {
        previous.stop();
      }
      return CompletableFuture.completedFuture(null);
    }
    next.open();
    return next.acknowledged.whenComplete((ignored, failure) -> {
      if (previous != null) {
        previous.stop();
      }
    });
  }

  private synchronized boolean isCurrent(Listen candidate) {
    return listen == candidate;
  }

  /** One {@code subscriptions/listen} request and its stream. */
  private final class Listen implements SseEventSubscriber.Handler {
    final String id = backend.nextId("listen");
    final ObjectNode filter;
    final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    private volatile boolean stopped;
    private volatile SseEventSubscriber subscriber;
    private volatile CompletableFuture<?> http;
    private volatile long openedAt;

    Listen(ObjectNode filter) {
      this.filter = filter;
    }

    void open() {
      ObjectNode request = NODES.objectNode();
      request.put("jsonrpc", "2.0");
      request.put("id", id);
      request.put("method", "subscriptions/listen");
      ObjectNode params = request.putObject("params");
      backend.addRequestMeta(params.putObject("_meta"));
      params.set("notifications", filter);
      openedAt = System.nanoTime();
      boolean[] headersReceived = new boolean[1];
      CompletableFuture<?> exchange = backend.track(backend.client().sendAsync(
          backend.post(request, "subscriptions/listen", params, StatelessHttpBackend.VERSION), info -> {
            headersReceived[0] = true;
            String type = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
            if (info.statusCode() != 200 || !type.startsWith("text/event-stream")) {
              refused("HTTP " + info.statusCode() + (info.statusCode() == 200 ? " without a stream" : ""));
              return BodySubscribers.replacing(null);
            }
            SseEventSubscriber events = new SseEventSubscriber("server '" + server + "'", backend.maxMessageBytes(), this);
            subscriber = events;
            backend.opened(events);
            if (stopped || !backend.isAlive()) {
              events.cancel();
            }
            return new SseBodySubscriber(events, Long.MAX_VALUE, backend.maxMessageBytes(), () -> null);
          }));
      http = exchange;
      exchange.whenComplete((r, failure) -> {
        if (failure != null && !headersReceived[0] && !stopped) {
          onEnd(failure);
        }
      });
    }

    private void refused(String why) {
      LOG.warn("Server '{}' refused subscriptions/listen ({}): list changes and resource updates are not received", server, why);
      stopped = true;
      acknowledged.completeExceptionally(new IOException("it answered subscriptions/listen with " + why));
    }

    @Override
    public void onEvent(SseEventSubscriber.Event event) {
      if (stopped) {
        return;
      }
      JsonNode node = StatelessHttpBackend.readTree(event.data().getBytes(StandardCharsets.UTF_8));
      if (node == null || !node.isObject()) {
        return;
      }
      ObjectNode message = (ObjectNode) node;
      String method = message.path("method").asText(null);
      if (method == null) {
        return; // the server ended the subscription gracefully; the stream's end follows
      }
      if ("notifications/subscriptions/acknowledged".equals(method)) {
        retries.set(0);
        acknowledged.complete(null);
        return;
      }
      JsonNode meta = message.path("params").get("_meta");
      if (meta instanceof ObjectNode) {
        ((ObjectNode) meta).remove(StatelessHttpBackend.META_SUBSCRIPTION);
        if (meta.isEmpty()) {
          ((ObjectNode) message.get("params")).remove("_meta");
        }
      }
      backend.deliver(StatelessHttpBackend.bytes(message));
    }

    @Override
    public void onEnd(Throwable failure) {
      SseEventSubscriber events = subscriber;
      if (events != null) {
        backend.closed(events);
      }
      if (stopped || !backend.isAlive()) {
        return;
      }
      if (failure != null && HttpBackend.isConnectFailure(failure)) {
        acknowledged.completeExceptionally(failure);
        backend.end(backend.unreachable(failure), true);
        return;
      }
      acknowledged.completeExceptionally(new IOException("the stream ended before it was acknowledged"));
      if (!isCurrent(this)) {
        return;
      }
      if (System.nanoTime() - openedAt > TimeUnit.SECONDS.toNanos(10)) {
        retries.set(0);
      }
      int attempt = retries.incrementAndGet();
      if (attempt > MAX_RETRIES) {
        LOG.warn("Server '{}' keeps ending its subscriptions/listen stream; list changes and resource updates are no longer received",
            server);
        return;
      }
      CompletableFuture.delayedExecutor(100L << Math.min(attempt - 1, 6), TimeUnit.MILLISECONDS, backend.executor()).execute(() -> {
        if (isCurrent(this)) {
          relisten();
        }
      });
    }

    void stop() {
      stopped = true;
      SseEventSubscriber events = subscriber;
      if (events != null) {
        events.cancel();
        backend.closed(events);
      }
      CompletableFuture<?> exchange = http;
      if (exchange != null) {
        exchange.cancel(true);
      }
    }
  }
}
