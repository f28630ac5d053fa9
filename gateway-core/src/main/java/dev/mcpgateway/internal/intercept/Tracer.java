package dev.mcpgateway.internal.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.jsonrpc.RawAnswer;
import dev.mcpgateway.trace.RequestTracing;
import dev.mcpgateway.trace.TraceOutcome;
import dev.mcpgateway.trace.TraceSpan;
import dev.mcpgateway.trace.TracedCall;
import dev.mcpgateway.trace.TracedRequest;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of {@link RequestTracing}: what a span is told, taken from the messages,
 * and the propagation fields written into {@code params._meta}. A tracing or span that throws is
 * logged and the message goes on untraced.
 */
public final class Tracer {
  private static final Logger LOG = LoggerFactory.getLogger(Tracer.class);
  /** Traces nothing. */
  public static final Tracer OFF = new Tracer(null);

  private final RequestTracing tracing;
  private final List<String> fields;

  /** @param tracing null for none */
  public Tracer(RequestTracing tracing) {
    this.tracing = tracing;
    this.fields = tracing == null ? List.of() : List.copyOf(tracing.fields());
  }

  /** Whether spans are made at all. */
  public boolean isOn() {
    return tracing != null;
  }

  /**
   * Starts the span of a client's request {@code message}.
   *
   * @param sessionId null for {@code initialize}
   */
  public TraceSpan clientRequest(GatewayRequest http, String server, ObjectNode message, String method, String sessionId,
      String protocolVersion) {
    if (tracing == null) {
      return TraceSpan.NONE;
    }
    try {
      Map<String, String> headers = new LinkedHashMap<>();
      for (String field : fields) {
        http.header(field).ifPresent(value -> headers.put(field.toLowerCase(Locale.ROOT), value));
      }
      JsonNode id = message.get("id");
      TraceSpan span = tracing.clientRequest(new TracedRequest(server, method, id == null || id.isNull() ? null : Json.idText(id),
          target(method, message), sessionId, protocolVersion, http.remoteAddress(), headers, meta(message)));
      return span == null ? TraceSpan.NONE : span;
    } catch (RuntimeException e) {
      LOG.warn("Tracing failed to start the span of {} to '{}'; the request goes on untraced", method, server, e);
      return TraceSpan.NONE;
    }
  }

  /**
   * Starts the span of the call to a backend of {@code server} made for {@code parent}, and
   * writes its propagation fields into {@code message}'s {@code params._meta}.
   */
  public static TraceSpan backendCall(TraceSpan parent, ServerConfig server, ObjectNode message, String method, long backendId) {
    if (parent == TraceSpan.NONE) {
      return TraceSpan.NONE;
    }
    try {
      URI url = server.kind() == BackendKind.HTTP ? server.url().map(URI::create).orElse(null) : null;
      int port = url == null ? 0 : url.getPort() >= 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
      TraceSpan span = parent.backendCall(new TracedCall(server.name(), method, Long.toString(backendId), target(method, message),
          server.kind() == BackendKind.HTTP ? "tcp" : "pipe", url == null ? null : url.getHost(), port, Map.of()));
      span = span == null ? TraceSpan.NONE : span;
      inject(message, span);
      return span;
    } catch (RuntimeException e) {
      LOG.warn("Tracing failed to start the span of {} to '{}'", method, server.name(), e);
      return TraceSpan.NONE;
    }
  }

  /**
   * Starts the span of a backend's request {@code message} to the client during the backend call
   * {@code parent}, and writes its propagation fields into the message's {@code params._meta}.
   */
  public TraceSpan serverRequest(TraceSpan parent, String server, ObjectNode message, String method, long clientId) {
    if (parent == TraceSpan.NONE) {
      return TraceSpan.NONE;
    }
    try {
      TraceSpan span = parent.serverRequest(new TracedCall(server, method, Long.toString(clientId), null, "tcp", null, 0,
          meta(message)));
      span = span == null ? TraceSpan.NONE : span;
      inject(message, span);
      return span;
    } catch (RuntimeException e) {
      LOG.warn("Tracing failed to start the span of {} of '{}'", method, server, e);
      return TraceSpan.NONE;
    }
  }

  /**
   * A view of {@code span} that starts its children and propagates as it does, but whose end
   * does nothing: for a backend call that must not end the client request's span (one of several
   * calls of a fan-out, or a call that outlives the HTTP request that started it).
   */
  public static TraceSpan parentOnly(TraceSpan span) {
    if (span == TraceSpan.NONE || span == null) {
      return TraceSpan.NONE;
    }
    return new TraceSpan() {
      @Override
      public TraceSpan backendCall(TracedCall call) {
        return span.backendCall(call);
      }

      @Override
      public TraceSpan serverRequest(TracedCall call) {
        return span.serverRequest(call);
      }

      @Override
      public Map<String, String> propagation() {
        return span.propagation();
      }
    };
  }

  /** Ends {@code span}; a span that throws is logged. */
  public static void end(TraceSpan span, TraceOutcome outcome) {
    if (span == TraceSpan.NONE || span == null) {
      return;
    }
    try {
      span.end(outcome);
    } catch (RuntimeException e) {
      LOG.warn("Tracing failed to end a span", e);
    }
  }

  /** The outcome of a JSON-RPC answer. */
  public static TraceOutcome outcome(JsonNode answer) {
    JsonNode error = answer.get("error");
    if (error != null) {
      return TraceOutcome.error(error.path("code").asInt(dev.mcpgateway.GatewayException.INTERNAL_ERROR));
    }
    JsonNode flag = answer.path("result").path("isError");
    return flag.isBoolean() && flag.booleanValue() ? TraceOutcome.toolFailed() : TraceOutcome.success();
  }

  /** The outcome of a JSON-RPC answer still in bytes: an error is small and parsed, a result only scanned. */
  public static TraceOutcome outcome(byte[] raw, boolean isError) {
    if (!isError) {
      return RawAnswer.toolError(raw) ? TraceOutcome.toolFailed() : TraceOutcome.success();
    }
    try {
      return outcome(Json.parse(raw));
    } catch (IOException | RuntimeException e) {
      return TraceOutcome.error(dev.mcpgateway.GatewayException.INTERNAL_ERROR);
    }
  }

  /**
   * The outcome of a JSON-RPC answer in bytes, of any size: only the top level is scanned, and
   * only an error (small) is read.
   */
  public static TraceOutcome outcome(byte[] json) {
    try (com.fasterxml.jackson.core.JsonParser parser = Json.mapper().getFactory().createParser(json)) {
      if (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
          String field = parser.currentName();
          parser.nextToken();
          if ("error".equals(field)) {
            JsonNode error = parser.readValueAsTree();
            return TraceOutcome.error(error == null ? dev.mcpgateway.GatewayException.INTERNAL_ERROR
                : error.path("code").asInt(dev.mcpgateway.GatewayException.INTERNAL_ERROR));
          }
          parser.skipChildren();
        }
      }
    } catch (IOException | RuntimeException e) {
      return TraceOutcome.error(dev.mcpgateway.GatewayException.INTERNAL_ERROR);
    }
    return RawAnswer.toolError(json) ? TraceOutcome.toolFailed() : TraceOutcome.success();
  }

  private Map<String, String> meta(ObjectNode message) {
    JsonNode meta = message.path("params").path("_meta");
    if (!meta.isObject()) {
      return Map.of();
    }
    Map<String, String> found = new LinkedHashMap<>();
    for (String field : fields) {
      JsonNode value = meta.get(field);
      if (value != null && value.isTextual()) {
        found.put(field, value.textValue());
      }
    }
    return found;
  }

  private static void inject(ObjectNode message, TraceSpan span) {
    Map<String, String> propagation = span.propagation();
    if (propagation == null || propagation.isEmpty()) {
      return;
    }
    JsonNode params = message.get("params");
    if (params == null || !params.isObject()) {
      params = message.putObject("params");
    }
    JsonNode meta = params.get("_meta");
    ObjectNode target = meta != null && meta.isObject() ? (ObjectNode) meta : ((ObjectNode) params).putObject("_meta");
    propagation.forEach(target::put);
  }

  private static String target(String method, ObjectNode message) {
    JsonNode name = "tools/call".equals(method) || "prompts/get".equals(method) ? message.path("params").path("name") : null;
    return name != null && name.isTextual() ? name.textValue() : null;
  }
}
