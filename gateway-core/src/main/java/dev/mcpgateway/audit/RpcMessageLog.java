package dev.mcpgateway.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import dev.mcpgateway.policy.McpResult;
import dev.mcpgateway.policy.Redaction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every client request and its answer as one JSON object per line through the SLF4J logger
 * {@code rpc} at INFO, which a logging configuration can route to a file of its own (the
 * standalone runner writes {@code rpc-messages.jsonl}).
 *
 * <p>Fields: {@code timestamp}, {@code direction} ({@code in}: client to server; {@code out}:
 * the answer to the client), {@code server}, {@code method}, {@code id} (as the client sent it,
 * in JSON text), {@code identity} (the credential's name, never the credential), {@code bytes}
 * (of the params or of the result or error), {@code duration_ms} (answers), {@code status}
 * ({@code ok}, {@code error}, {@code denied}) and {@code body}: the params or the answer with
 * credentials and the server's environment secrets redacted, strings cut at 256 characters
 * and the whole cut at {@code maxBodyChars}. Notifications and messages that servers start
 * are not logged.
 *
 * <p>Does nothing, at no cost, while the {@code rpc} logger is off. Thread-safe; add it with
 * {@code McpGateway.Builder#addOuterInterceptor} so that it sees what the client sends and the
 * final answer.
 */
public final class RpcMessageLog implements Interceptor {
  private static final Logger RPC = LoggerFactory.getLogger("rpc");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_STRING = 256;

  private final Redaction redaction = Redaction.builder().build();
  private final Map<String, List<String>> secrets;
  private final int maxBodyChars;
  private final Clock clock;

  private RpcMessageLog(Builder b) {
    this.secrets = Map.copyOf(b.secrets);
    this.maxBodyChars = b.maxBodyChars;
    this.clock = b.clock;
  }

  /**
   * Starts a builder: no environment secrets, bodies cut at 2,048 characters.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A log that knows the secrets each server of {@code config} gets in its environment ({@code env}
   * values, pass-through ones from {@code environment}, and {@code headers}), so it never writes them.
   *
   * @param config the configuration whose servers' secrets to hide
   * @param environment returns an environment variable's value, or null when it is not set
   * @return the log
   */
  public static RpcMessageLog forConfig(GatewayConfig config, Function<String, String> environment) {
    Builder builder = builder();
    for (ServerConfig server : config.servers().values()) {
      List<String> values = new ArrayList<>();
      server.env().forEach((name, value) -> {
        String resolved = value.isEmpty() ? environment.apply(name) : value;
        if (resolved != null && !resolved.isEmpty()) {
          values.add(resolved);
        }
      });
      values.addAll(server.headers().values());
      builder.secrets(server.name(), values);
    }
    return builder.build();
  }

  @Override
  public Verdict onRequest(McpCall call) {
    if (RPC.isInfoEnabled()) {
      ObjectNode line = line(call, "in");
      body(line, call.server(), call.params());
      line.put("status", "ok");
      RPC.info(line.toString());
    }
    return Verdict.pass();
  }

  @Override
  public Verdict onResponse(McpCall call, McpResult result) {
    if (RPC.isInfoEnabled()) {
      ObjectNode line = line(call, "out");
      line.put("duration_ms", Math.max(0, Duration.between(call.receivedAt(), clock.instant()).toMillis()));
      line.put("status", result.isError() ? "error" : "ok");
      if (result.isError()) {
        body(line, call.server(), Map.of("error", result.errorMessage().orElse("")));
      } else {
        body(line, call.server(), result.result().orElse(Map.of()));
      }
      RPC.info(line.toString());
    }
    return Verdict.pass();
  }

  @Override
  public void onDenied(McpCall call, String reason) {
    if (RPC.isInfoEnabled()) {
      ObjectNode line = line(call, "out");
      line.put("duration_ms", Math.max(0, Duration.between(call.receivedAt(), clock.instant()).toMillis()));
      line.put("status", "denied");
      body(line, call.server(), Map.of("error", reason));
      RPC.info(line.toString());
    }
  }

  private ObjectNode line(McpCall call, String direction) {
    ObjectNode line = JSON.createObjectNode();
    line.put("timestamp", clock.instant().toString());
    line.put("direction", direction);
    line.put("server", call.server());
    line.put("method", truncate(call.method()));
    call.requestId().ifPresent(id -> line.put("id", truncate(id)));
    line.put("identity", call.identity().name());
    return line;
  }

  private void body(ObjectNode line, String server, Object body) {
    try {
      line.put("bytes", JSON.writeValueAsBytes(body).length);
      String sanitized = JSON.writeValueAsString(sanitize(body, secrets.getOrDefault(server, List.of())));
      if (sanitized.length() <= maxBodyChars) {
        line.set("body", JSON.readTree(sanitized));
      } else {
        line.put("body", sanitized.substring(0, maxBodyChars) + "...(" + sanitized.length() + " chars)");
      }
    } catch (JsonProcessingException e) {
      line.put("body", "(not serializable)");
    }
  }

  private Object sanitize(Object value, List<String> serverSecrets) {
    if (value instanceof String) {
      return truncate(redaction.redact((String) value, serverSecrets, new HashMap<>()));
    }
    if (value instanceof Map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      ((Map<?, ?>) value).forEach((k, v) -> copy.put(truncate(String.valueOf(k)), sanitize(v, serverSecrets)));
      return copy;
    }
    if (value instanceof Collection) {
      List<Object> copy = new ArrayList<>();
      for (Object item : (Collection<?>) value) {
        copy.add(sanitize(item, serverSecrets));
      }
      return copy;
    }
    return value;
  }

  private static String truncate(String text) {
    return text.length() <= MAX_STRING ? text : text.substring(0, MAX_STRING) + "...(" + text.length() + " chars)";
  }

  @Override
  public String toString() {
    return "RpcMessageLog";
  }

  /** Builds an {@link RpcMessageLog}. */
  public static final class Builder {
    private final Map<String, List<String>> secrets = new HashMap<>();
    private int maxBodyChars = 2048;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Values never to write for {@code server} (the secrets passed to its environment).
     *
     * @param server the server's name
     * @param values the secret values, added to those given before
     * @return this builder
     */
    public Builder secrets(String server, Collection<String> values) {
      secrets.computeIfAbsent(Objects.requireNonNull(server, "server"), k -> new ArrayList<>()).addAll(values);
      return this;
    }

    /**
     * The longest body written, in characters of its sanitized JSON (default 2,048).
     *
     * @param chars the limit, at least 16
     * @return this builder
     */
    public Builder maxBodyChars(int chars) {
      if (chars < 16) {
        throw new IllegalArgumentException("maxBodyChars must be at least 16: " + chars);
      }
      this.maxBodyChars = chars;
      return this;
    }

    /**
     * The clock for timestamps and durations; for tests.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the log.
     *
     * @return the log
     */
    public RpcMessageLog build() {
      return new RpcMessageLog(this);
    }
  }
}
