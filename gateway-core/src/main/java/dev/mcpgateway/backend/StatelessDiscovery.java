package dev.mcpgateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code server/discover} of revision 2026-07-28: the probe that tells a stateless server from a
 * session-based one, and the small request/answer exchange both the probe and
 * {@link StatelessHttpBackend} use to ask it.
 */
final class StatelessDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(StatelessDiscovery.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private StatelessDiscovery() {}

  /** What a {@code server/discover} POST said of a server. */
  enum Era {
    /** It answered as a server of revision 2026-07-28. */
    STATELESS,
    /** It answered, but not as one: a session-based server (or one of another stateless revision). */
    SESSION_BASED,
    /** No telling now (unreachable, timed out, 5xx, 401...): try the session-based way, ask again next time. */
    UNKNOWN
  }

  /** The outcome of a probe: the era, and for {@link Era#STATELESS} the discover result. */
  record Discovery(Era era, ObjectNode result) {}

  /** The HTTP status of an answer and the JSON-RPC message it carried for the request; null when none. */
  record Answer(int status, JsonNode message) {
    /** The message's result object; null for an error or no message. */
    ObjectNode result() {
      return message != null && message.path("result").isObject() ? (ObjectNode) message.get("result") : null;
    }
  }

  /** A {@code server/discover} request of revision 2026-07-28, declaring {@code capabilities} and {@code info}. */
  static ObjectNode request(String id, ObjectNode capabilities, ObjectNode info) {
    ObjectNode request = NODES.objectNode();
    request.put("jsonrpc", "2.0");
    request.put("id", id);
    request.put("method", "server/discover");
    ObjectNode meta = request.putObject("params").putObject("_meta");
    meta.put(StatelessHttpBackend.META_VERSION, StatelessHttpBackend.VERSION);
    meta.set(StatelessHttpBackend.META_CAPABILITIES, capabilities);
    meta.set(StatelessHttpBackend.META_CLIENT_INFO, info);
    return request;
  }

  /**
   * Asks {@code url} for {@code server/discover} (blocking, within {@code timeout}) and tells its
   * era: a result whose {@code supportedVersions} holds 2026-07-28 is {@link Era#STATELESS}; an
   * answer of another kind (400 without a modern error, 404, 405, an initialize-era error or
   * result) is {@link Era#SESSION_BASED}; no answer, or one that may change (5xx, 401, 403, 429,
   * a redirect), is {@link Era#UNKNOWN}. Never throws.
   */
  static Discovery probe(HttpClient client, URI url, Map<String, String> headers, Duration timeout, int maxBytes) {
    ObjectNode request = request("discover", NODES.objectNode(), gatewayInfo());
    HttpRequest.Builder post = HttpRequest.newBuilder(url).timeout(timeout);
    headers.forEach(post::header);
    post.setHeader("Content-Type", "application/json")
        .setHeader("Accept", "application/json, text/event-stream")
        .setHeader("MCP-Protocol-Version", StatelessHttpBackend.VERSION)
        .setHeader("Mcp-Method", "server/discover")
        .POST(HttpRequest.BodyPublishers.ofByteArray(StatelessHttpBackend.bytes(request)));
    CompletableFuture<Answer> asked = ask(client, post.build(), request.get("id"), maxBytes);
    try {
      Answer answer = asked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      int status = answer.status();
      if (status >= 500 || status == 401 || status == 403 || status == 407 || status == 408 || status == 429
          || status / 100 == 3 || status / 100 == 1) {
        return new Discovery(Era.UNKNOWN, null);
      }
      ObjectNode result = answer.result();
      return status / 100 == 2 && result != null && supports(result) ? new Discovery(Era.STATELESS, result)
          : new Discovery(Era.SESSION_BASED, null);
    } catch (ExecutionException | TimeoutException e) {
      asked.cancel(true);
      LOG.debug("Probing {} with server/discover failed: {}", StatelessHttpBackend.describe(url),
          e instanceof TimeoutException ? "no answer within " + timeout.toMillis() + " ms" : HttpBackend.describe(e.getCause()));
      return new Discovery(Era.UNKNOWN, null);
    } catch (InterruptedException e) {
      asked.cancel(true);
      Thread.currentThread().interrupt();
      return new Discovery(Era.UNKNOWN, null);
    }
  }

  /**
   * POSTs a request whose answer is small (a JSON body, or the one event of an SSE stream that
   * answers it, after which the stream is closed), reading at most {@code maxBytes}. Cancelling
   * the future closes the exchange.
   */
  static CompletableFuture<Answer> ask(HttpClient client, HttpRequest post, JsonNode id, int maxBytes) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    AtomicInteger status = new AtomicInteger();
    CompletableFuture<?> http = client.sendAsync(post, info -> {
      status.set(info.statusCode());
      String type = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
      if (!type.startsWith("text/event-stream")) {
        return new JsonBodySubscriber(Long.MAX_VALUE, maxBytes, () -> null,
            body -> answer.complete(new Answer(status.get(), StatelessHttpBackend.readTree(body))),
            () -> answer.complete(new Answer(status.get(), null)));
      }
      SseEventSubscriber[] events = new SseEventSubscriber[1];
      events[0] = new SseEventSubscriber("the answer to " + id, maxBytes, new SseEventSubscriber.Handler() {
        @Override
        public void onEvent(SseEventSubscriber.Event event) {
          JsonNode message = StatelessHttpBackend.readTree(event.data().getBytes(StandardCharsets.UTF_8));
          if (message != null && id.equals(message.get("id"))) {
            answer.complete(new Answer(status.get(), message));
            events[0].cancel();
          }
        }

        @Override
        public void onEnd(Throwable failure) {
          answer.complete(new Answer(status.get(), null));
        }
      });
      return new SseBodySubscriber(events[0], Long.MAX_VALUE, maxBytes, () -> null);
    });
    http.whenComplete((r, failure) -> {
      if (failure != null) {
        answer.completeExceptionally(failure);
      } else {
        answer.complete(new Answer(status.get(), null));
      }
    });
    answer.whenComplete((r, failure) -> {
      if (failure instanceof CancellationException) {
        http.cancel(true);
      }
    });
    return answer;
  }

  /** Whether a discover result names revision 2026-07-28 among its supported versions. */
  static boolean supports(JsonNode discoverResult) {
    for (JsonNode version : discoverResult.path("supportedVersions")) {
      if (StatelessHttpBackend.VERSION.equals(version.asText())) {
        return true;
      }
    }
    return false;
  }

  /** How the gateway names itself when no client's {@code clientInfo} is known yet. */
  static ObjectNode gatewayInfo() {
    String version = StatelessDiscovery.class.getPackage().getImplementationVersion();
    ObjectNode info = NODES.objectNode();
    info.put("name", "mcp-gateway");
    info.put("version", version == null ? "dev" : version);
    return info;
  }
}
