package dev.mcpgateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.GatewayListener;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.internal.intercept.InterceptorChain;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import dev.mcpgateway.policy.McpResult;
import dev.mcpgateway.policy.Redaction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an audit trail: one JSON object per line, through the SLF4J logger {@code audit} and
 * optionally to a file of its own.
 *
 * <p>Every line has {@code timestamp} and {@code event}: {@code mcp.server.start},
 * {@code mcp.server.stop}, {@code mcp.tool.invocation}, {@code auth.success},
 * {@code auth.failure}, {@code access.denied}, {@code config.loaded} or {@code error}; and as
 * they apply {@code server}, {@code tool}, sanitized {@code parameters}, {@code result},
 * {@code duration_ms}, {@code identity} (the credential's name, never the credential),
 * {@code redactions} and {@code reason}. Parameters pass the same redaction as answers and long
 * strings are cut, so no secret reaches the trail. Thread-safe; put it first in the chain so
 * that it sees the final answer.
 */
public final class AuditLog implements Interceptor, GatewayListener, AutoCloseable {
  private static final Logger AUDIT = LoggerFactory.getLogger("audit");
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_STRING = 256;
  /** The most characters of parameters one audit line holds; beyond it the line says how many there were. */
  static final int MAX_PARAMETERS = 8192;
  private static final com.fasterxml.jackson.core.io.JsonStringEncoder QUOTER = com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance();

  private final Timestamps timestamps = new Timestamps();

  /** Credentials and each server's secrets, prepared once: every string of every line passes it. */
  private final Redaction redaction;
  private final Clock clock;
  private final BufferedWriter file;

  private AuditLog(Builder b) throws IOException {
    // Every secret, however short: a trail shows none of them.
    Redaction.Builder redaction = Redaction.builder().minSecretLength(1);
    b.secrets.forEach(redaction::secrets);
    this.redaction = redaction.build();
    this.clock = b.clock;
    this.file = b.file == null ? null : open(b.file);
  }

  /** Opens the file for appending; a new file is readable by its owner only, where the file system supports that. */
  private static BufferedWriter open(Path path) throws IOException {
    if (!Files.exists(path) && path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      try {
        Files.createFile(path, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // created meanwhile: append to it
      }
    }
    return Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
  }

  /**
   * Starts a builder: SLF4J logger {@code audit} only, system clock.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private ObjectNode event(String event) {
    ObjectNode line = JSON.createObjectNode();
    line.put("timestamp", clock.instant().toString());
    line.put("event", event);
    return line;
  }

  private void write(ObjectNode line) {
    write(line.toString());
  }

  private void write(String text) {
    AUDIT.info(text);
    if (file != null) {
      synchronized (file) {
        try {
          file.write(text);
          file.newLine();
          file.flush();
        } catch (IOException e) {
          LOG.error("Could not write the audit file", e);
        }
      }
    }
  }

  @Override
  public Verdict onResponse(McpCall call, McpResult result) {
    if (!"tools/call".equals(call.method())) {
      return Verdict.pass();
    }
    // The line of every tool call, appended straight to text: no tree, no generator, no copy.
    StringBuilder line = new StringBuilder(256);
    line.append("{\"timestamp\":\"");
    timestamps.append(line, clock.instant());
    line.append("\",\"event\":\"mcp.tool.invocation\",\"server\":");
    quote(line, call.server());
    line.append(",\"tool\":");
    quote(line, truncate(call.toolName().orElse("")));
    line.append(",\"parameters\":");
    JsonNode tree = call instanceof InterceptorChain.Call c ? c.argumentsTree() : null;
    // read from the client's tree when nobody made maps of it: the same text, without the maps
    appendParameters(line, tree != null ? tree : call.arguments(), call.server());
    line.append(",\"result\":\"").append(result.isError() ? "error" : result.isToolError() ? "tool_error" : "success");
    line.append("\",\"duration_ms\":").append(Math.max(0, Duration.between(call.receivedAt(), clock.instant()).toMillis()));
    line.append(",\"identity\":");
    quote(line, call.identity().name());
    Object redactions = call.attributes().get(Redaction.ATTRIBUTE);
    if (redactions != null) {
      line.append(",\"redactions\":");
      appendJson(line, redactions);
    }
    write(line.append('}').toString());
    return Verdict.pass();
  }

  private static void quote(StringBuilder out, String text) {
    out.append('"');
    QUOTER.quoteAsString(text, out);
    out.append('"');
  }

  /**
   * Appends the parameters as {@link #appendSanitized} does, or, when they take more than
   * {@value #MAX_PARAMETERS} characters, {@code {"truncated": <characters>}}: an audit line stays bounded.
   */
  private void appendParameters(StringBuilder out, Object value, String server) {
    int start = out.length();
    appendSanitized(out, value, server);
    int written = out.length() - start;
    if (written > MAX_PARAMETERS) {
      out.setLength(start);
      out.append("{\"truncated\":").append(written).append('}');
    }
  }

  /** Appends {@code value} as JSON with credentials redacted and long strings cut. */
  private void appendSanitized(StringBuilder out, Object value, String server) {
    if (value instanceof JsonNode) {
      appendSanitizedTree(out, (JsonNode) value, server, true);
    } else if (value instanceof String) {
      quote(out, clean((String) value, server));
    } else if (value instanceof Map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quote(out, clean(String.valueOf(entry.getKey()), server));
        out.append(':');
        appendSanitized(out, entry.getValue(), server);
      }
      out.append('}');
    } else if (value instanceof Collection) {
      out.append('[');
      boolean first = true;
      for (Object item : (Collection<?>) value) {
        if (!first) {
          out.append(',');
        }
        first = false;
        appendSanitized(out, item, server);
      }
      out.append(']');
    } else {
      appendJson(out, value);
    }
  }

  /**
   * As {@link #appendSanitized} on {@code Json.toJdk(node)}, character for character, without
   * making the maps; {@code top}: the arguments themselves, where anything but an object is none.
   */
  private void appendSanitizedTree(StringBuilder out, JsonNode node, String server, boolean top) {
    if (top && !node.isObject()) {
      out.append("{}");
      return;
    }
    switch (node.getNodeType()) {
      case OBJECT: {
        out.append('{');
        boolean first = true;
        for (java.util.Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
          Map.Entry<String, JsonNode> field = fields.next();
          if (!first) {
            out.append(',');
          }
          first = false;
          quote(out, clean(field.getKey(), server));
          out.append(':');
          appendSanitizedTree(out, field.getValue(), server, false);
        }
        out.append('}');
        return;
      }
      case ARRAY: {
        out.append('[');
        boolean first = true;
        for (JsonNode item : node) {
          if (!first) {
            out.append(',');
          }
          first = false;
          appendSanitizedTree(out, item, server, false);
        }
        out.append(']');
        return;
      }
      case STRING:
        quote(out, clean(node.textValue(), server));
        return;
      case BOOLEAN:
        out.append(node.booleanValue());
        return;
      case NULL:
      case MISSING:
        out.append("null");
        return;
      default:
        appendJson(out, Json.toJdk(node));
    }
  }

  private static void appendJson(StringBuilder out, Object value) {
    if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      out.append(value);
      return;
    }
    try {
      out.append(JSON.writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void onDenied(McpCall call, String reason) {
    ObjectNode line = event("access.denied");
    line.put("server", call.server());
    call.toolName().ifPresent(tool -> line.put("tool", truncate(tool)));
    line.put("method", truncate(call.method()));
    StringBuilder parameters = new StringBuilder();
    appendParameters(parameters, call.arguments(), call.server());
    line.putRawValue("parameters", new com.fasterxml.jackson.databind.util.RawValue(parameters.toString()));
    line.put("result", "denied");
    line.put("reason", clean(reason, call.server()));
    line.put("duration_ms", Math.max(0, Duration.between(call.receivedAt(), clock.instant()).toMillis()));
    line.put("identity", call.identity().name());
    write(line);
  }

  @Override
  public void configLoaded(GatewayConfig config) {
    ObjectNode line = event("config.loaded");
    line.set("servers", JSON.valueToTree(config.servers().keySet()));
    line.put("authentication", config.apiKey().isPresent() ? "api-key"
        : !config.agentIds().isEmpty() ? "agent-ids" : "as configured in code");
    write(line);
  }

  @Override
  public void authenticated(Identity identity, String server, String remoteAddress) {
    ObjectNode line = event("auth.success");
    line.put("identity", identity.name());
    line.put("server", server);
    line.put("remote", remoteAddress);
    write(line);
  }

  @Override
  public void authenticationFailed(String reason, String remoteAddress, String path) {
    ObjectNode line = event("auth.failure");
    line.put("reason", reason);
    line.put("remote", remoteAddress);
    line.put("path", clean(String.valueOf(path), null));
    write(line);
  }

  @Override
  public void serverStarted(String server, String identity, String backend) {
    ObjectNode line = event("mcp.server.start");
    line.put("server", server);
    line.put("identity", identity);
    line.put("backend", backend);
    write(line);
  }

  @Override
  public void serverStopped(String server, String identity, String reason) {
    ObjectNode line = event("mcp.server.stop");
    line.put("server", server);
    line.put("identity", identity);
    line.put("reason", reason);
    write(line);
  }

  @Override
  public void error(String server, String message) {
    ObjectNode line = event("error");
    if (server != null) {
      line.put("server", server);
    }
    line.put("message", redaction.redact(server, message));
    write(line);
  }

  /** A text with credentials and the secrets of {@code server} (none when null) redacted, cut to {@value #MAX_STRING} characters. */
  private String clean(String text, String server) {
    return truncate(redaction.redact(server, text));
  }

  private static String truncate(String text) {
    return text.length() <= MAX_STRING ? text : text.substring(0, MAX_STRING) + "...(" + text.length() + " chars)";
  }

  @Override
  public void close() {
    if (file != null) {
      synchronized (file) {
        try {
          file.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "AuditLog";
  }

  /**
   * Writes instants exactly as {@link java.time.Instant#toString()} does, formatting the date and
   * time of day once per second.
   */
  static final class Timestamps {
    private volatile Second last = new Second(Long.MIN_VALUE, "");

    private record Second(long epochSecond, String text) {}

    void append(StringBuilder out, java.time.Instant instant) {
      long epochSecond = instant.getEpochSecond();
      int nanos = instant.getNano();
      if (epochSecond < 0 || epochSecond > 253402300799L) { // outside years 0000-9999: as the JDK writes it
        out.append(instant);
        return;
      }
      Second second = last;
      if (second.epochSecond != epochSecond) {
        String whole = java.time.Instant.ofEpochSecond(epochSecond).toString(); // "...:ssZ"
        second = new Second(epochSecond, whole.substring(0, whole.length() - 1));
        last = second;
      }
      out.append(second.text);
      if (nanos > 0) {
        out.append('.');
        if (nanos % 1_000_000 == 0) {
          pad(out, nanos / 1_000_000, 3);
        } else if (nanos % 1000 == 0) {
          pad(out, nanos / 1000, 6);
        } else {
          pad(out, nanos, 9);
        }
      }
      out.append('Z');
    }

    private static void pad(StringBuilder out, int value, int digits) {
      String text = Integer.toString(value);
      for (int i = text.length(); i < digits; i++) {
        out.append('0');
      }
      out.append(text);
    }
  }

  /** Builds an {@link AuditLog}. */
  public static final class Builder {
    private Path file;
    private final Map<String, List<String>> secrets = new HashMap<>();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Also appends every line to {@code file}.
     *
     * @param file the file, created if missing, appended to otherwise
     * @return this builder
     */
    public Builder file(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Values never to show for {@code server} (the secrets passed to its environment).
     *
     * @param server the server's name
     * @param values the secret values
     * @return this builder
     */
    public Builder secrets(String server, Collection<String> values) {
      secrets.put(server, List.copyOf(values));
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
     * Builds the audit log, opening its file if one is set.
     *
     * @return the audit log
     */
    public AuditLog build() {
      try {
        return new AuditLog(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the audit file " + file + ": " + e.getMessage(), e);
      }
    }
  }
}
