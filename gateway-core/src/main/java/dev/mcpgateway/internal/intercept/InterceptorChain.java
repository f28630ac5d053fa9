package dev.mcpgateway.internal.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayException;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.jsonrpc.RawAnswer;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import dev.mcpgateway.policy.McpResult;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the interceptors: requests first to last, answers last to first. A denial, or an
 * interceptor that throws (fails closed), stops the message and tells every interceptor through
 * {@link Interceptor#onDenied}, so that the audit log records it whichever phase it happened in.
 */
public final class InterceptorChain {
  private static final Logger LOG = LoggerFactory.getLogger(InterceptorChain.class);

  private static final String REFUSED = "request refused: a gateway policy check failed";
  private static final String WITHHELD = "answer withheld: a gateway policy check failed";

  private final List<Interceptor> interceptors;

  public InterceptorChain(List<Interceptor> interceptors) {
    this.interceptors = List.copyOf(interceptors);
  }

  public boolean isEmpty() {
    return interceptors.isEmpty();
  }

  /** Runs the request phase; returns the denial reason, or null to pass. Writes changed params back. */
  public String request(Call call) {
    for (Interceptor interceptor : interceptors) {
      Interceptor.Verdict verdict;
      try {
        verdict = interceptor.onRequest(call);
      } catch (RuntimeException | Error e) {
        LOG.error("Interceptor {} failed on {} to '{}'; the request is denied", interceptor, call.method(), call.server(), e);
        denied(call, REFUSED);
        return REFUSED;
      }
      if (verdict != null && verdict.isDenied()) {
        denied(call, verdict.reason());
        return verdict.reason();
      }
    }
    call.writeBack();
    return null;
  }

  /** Tells every interceptor of a message the gateway refused before the chain ran (the audit trail records it). */
  public void refused(Call call, String reason) {
    denied(call, reason);
  }

  private void denied(Call call, String reason) {
    for (Interceptor interceptor : interceptors) {
      try {
        interceptor.onDenied(call, reason);
      } catch (RuntimeException | Error e) {
        LOG.error("Interceptor {} failed while told of a denial", interceptor, e);
      }
    }
  }

  /** Runs the answer phase on a backend response; returns the response to send (possibly replaced). */
  public ObjectNode response(Call call, ObjectNode message) {
    Result result = new Result(message);
    ObjectNode refused = answerPhase(call, result, message.get("id"));
    if (refused != null) {
      return refused;
    }
    result.writeBack();
    return message;
  }

  /**
   * The answer phase on a backend response still in bytes: interceptors that only look (tool
   * error, a scan of the strings) never make it a tree. Returns null when the answer passes
   * unchanged, so the caller can send the original bytes; else the message to send instead
   * (whose id the caller sets).
   */
  public ObjectNode responseRaw(Call call, byte[] raw, boolean isError) {
    Result result = new Result(raw, isError);
    ObjectNode refused = answerPhase(call, result, null);
    if (refused != null) {
      return refused;
    }
    if (!result.converted()) {
      return null;
    }
    result.writeBack();
    return result.message();
  }

  /** Runs the interceptors last to first over an answer; the error to send instead when one denies or fails, else null. */
  private ObjectNode answerPhase(Call call, Result result, JsonNode id) {
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      Interceptor interceptor = interceptors.get(i);
      Interceptor.Verdict verdict;
      try {
        verdict = interceptor.onResponse(call, result);
      } catch (RuntimeException e) {
        LOG.error("Interceptor {} failed on the answer to {} from '{}'; the answer is withheld", interceptor, call.method(), call.server(), e);
        denied(call, WITHHELD);
        return Json.rpcError(id, GatewayException.INTERNAL_ERROR, WITHHELD);
      }
      if (verdict != null && verdict.isDenied()) {
        // The answer never reaches the client: interceptors hear of it as of a denied request.
        denied(call, verdict.reason());
        return Json.rpcError(id, GatewayException.DENIED, verdict.reason());
      }
    }
    return null;
  }

  /** The request view; params convert lazily to JDK types and back. */
  public static final class Call implements McpCall {
    private final String server;
    private final Identity identity;
    private final String method;
    private final ObjectNode message;
    private final Instant receivedAt = Instant.now();
    private final String requestId;
    private final String toolName;
    private ConcurrentHashMap<String, Object> attributes;
    private Map<String, Object> params;

    public Call(String server, Identity identity, String method, ObjectNode message) {
      this.server = server;
      this.identity = identity;
      this.method = method;
      this.message = message;
      JsonNode id = message.get("id"); // read now: the id is rewritten for the backend later
      this.requestId = id == null || id.isNull() ? null : Json.idText(id);
      // read now, while the tree is fresh: the policies and the audit line all ask for it
      JsonNode name = "tools/call".equals(method) ? message.path("params").path("name") : null;
      this.toolName = name != null && name.isTextual() ? name.textValue() : null;
    }

    @Override
    public Optional<String> requestId() {
      return Optional.ofNullable(requestId);
    }

    @Override
    public String server() {
      return server;
    }

    @Override
    public Identity identity() {
      return identity;
    }

    @Override
    public String method() {
      return method;
    }

    /**
     * The arguments of the call as the client's tree, for readers that only read them (the
     * audit trail), while nobody has asked for them as JDK maps, through which an interceptor
     * may have changed them; null once someone has. A node that is not an object stands for no
     * arguments, as {@link #arguments()} has it.
     */
    public JsonNode argumentsTree() {
      if (params != null) {
        return null;
      }
      JsonNode node = message.get("params");
      return node != null && node.isObject() ? node.path("arguments") : MissingNode.getInstance();
    }

    @Override
    public Map<String, Object> params() {
      if (params == null) {
        JsonNode node = message.get("params");
        params = node != null && node.isObject() ? Json.toMap((ObjectNode) node) : new LinkedHashMap<>();
      }
      return params;
    }

    @Override
    public Instant receivedAt() {
      return receivedAt;
    }

    @Override
    public synchronized ConcurrentHashMap<String, Object> attributes() {
      if (attributes == null) {
        attributes = new ConcurrentHashMap<>();
      }
      return attributes;
    }

    @Override
    public Optional<String> toolName() {
      if (params != null || !"tools/call".equals(method)) {
        return McpCall.super.toolName();
      }
      return Optional.ofNullable(toolName);
    }

    private boolean paramsWritten;

    public void writeBack() {
      if (params != null) {
        message.set("params", Json.mapper().valueToTree(params));
        paramsWritten = true;
      }
    }

    /** Whether {@link #writeBack} replaced the message's params with the interceptors' view of them. */
    public boolean paramsWritten() {
      return paramsWritten;
    }

    @Override
    public String toString() {
      return method + " to '" + server + "' by '" + identity.name() + "'";
    }
  }

  /** The answer view; the result converts lazily to JDK types and back. */
  private static final class Result implements McpResult {
    private ObjectNode message;
    private final byte[] raw;
    private final boolean rawIsError;
    private Map<String, Object> result;
    private Map<String, Object> error;

    public Result(ObjectNode message) {
      this.message = message;
      this.raw = null;
      this.rawIsError = false;
    }

    /** A view of a response still in bytes; it becomes a tree only when a map is asked for. */
    public Result(byte[] raw, boolean isError) {
      this.raw = raw;
      this.rawIsError = isError;
    }

    public ObjectNode message() {
      if (message == null) {
        try {
          message = (ObjectNode) Json.parse(raw);
        } catch (IOException e) {
          throw new IllegalStateException("a response that scanned as JSON did not parse", e);
        }
      }
      return message;
    }

    /** Whether an interceptor asked for a map (and so may have changed the answer). */
    public boolean converted() {
      return result != null || error != null;
    }

    @Override
    public boolean isError() {
      return message == null ? rawIsError : message.has("error");
    }

    @Override
    public Optional<Map<String, Object>> result() {
      if (result == null) {
        JsonNode node = message().get("result");
        if (node == null || !node.isObject()) {
          return Optional.empty();
        }
        result = Json.toMap((ObjectNode) node);
      }
      return Optional.of(result);
    }

    @Override
    public Optional<String> errorMessage() {
      JsonNode error = message().get("error");
      return error == null ? Optional.empty() : Optional.of(error.path("message").asText(""));
    }

    @Override
    public Optional<Map<String, Object>> error() {
      if (error == null) {
        JsonNode node = message().get("error");
        if (node == null || !node.isObject()) {
          return Optional.empty();
        }
        error = Json.toMap((ObjectNode) node);
      }
      return Optional.of(error);
    }

    @Override
    public boolean isToolError() {
      if (result != null) {
        return Boolean.TRUE.equals(result.get("isError"));
      }
      if (message == null) {
        return RawAnswer.toolError(raw);
      }
      JsonNode flag = message.path("result").path("isError");
      return flag.isBoolean() && flag.booleanValue();
    }

    @Override
    public boolean anyString(java.util.function.Predicate<String> test) {
      if (result != null || error != null) {
        return McpResult.super.anyString(test);
      }
      if (message == null) {
        return RawAnswer.anyString(raw, test);
      }
      return anyText(message.get("result"), test) || anyText(message.get("error"), test);
    }

    private static boolean anyText(JsonNode node, java.util.function.Predicate<String> test) {
      if (node == null) {
        return false;
      }
      if (node.isTextual()) {
        return test.test(node.textValue());
      }
      if (node.isObject()) {
        java.util.Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          if (test.test(field.getKey()) || anyText(field.getValue(), test)) {
            return true;
          }
        }
      } else if (node.isArray()) {
        for (JsonNode item : node) {
          if (anyText(item, test)) {
            return true;
          }
        }
      }
      return false;
    }

    public void writeBack() {
      if (result != null) {
        message.set("result", Json.mapper().valueToTree(result));
      }
      if (error != null) {
        message.set("error", Json.mapper().valueToTree(error));
      }
    }
  }
}
