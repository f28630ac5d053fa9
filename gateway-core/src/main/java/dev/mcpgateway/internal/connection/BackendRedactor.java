package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.jsonrpc.RawAnswer;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.Redaction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Redacts everything a backend says, on every path to a client, a log or a file: the
 * configured {@link Redaction} interceptors (as the chain holds them) and, always, the values
 * passed to each server's environment, whether or not the chain redacts.
 *
 * <p>Answers to client calls pass the chain, whose redaction counts for the audit; here they
 * only lose environment secrets, found by a byte search before anything is parsed. Everything
 * else (notifications, the backend's requests to clients, its {@code initialize} result,
 * errors the gateway composes from what it said, stderr lines, offloaded payloads) gets every
 * redaction. A message is converted only when a cheap pass over its strings hints at a secret.
 * Immutable, thread-safe.
 */
public final class BackendRedactor {
  /** Environment values shorter than this are not redacted: too many false matches. */
  public static final int MIN_SECRET_LENGTH = 6;

  /** The configured redactions, then the environment's. */
  private final List<Redaction> redactions;
  private final Redaction environment;
  /** Per server, its environment values as UTF-8, for the byte search. */
  private final Map<String, byte[][]> secretBytes;
  /** Per server, whether a value has a character a JSON writer may escape: then a backslash is a hint too. */
  private final Map<String, Boolean> escapable;
  /**
   * Servers whose environment values the chain's own redaction (its last interceptor, the first
   * to see an answer) replaces already, and counts for the audit: their answers skip the byte search.
   */
  private final java.util.Set<String> chainCovers;

  /**
   * @param interceptors the gateway's chain; its {@link Redaction}s apply to every path
   * @param secrets per server, the values passed to its environment and its headers
   */
  public BackendRedactor(List<Interceptor> interceptors, Map<String, List<String>> secrets) {
    Redaction.Builder env = Redaction.builder().credentials(false).minSecretLength(MIN_SECRET_LENGTH);
    secrets.forEach(env::secrets);
    this.environment = env.build();
    List<Redaction> all = new ArrayList<>();
    for (Interceptor interceptor : interceptors) {
      if (interceptor instanceof Redaction) {
        all.add((Redaction) interceptor);
      }
    }
    all.add(environment);
    this.redactions = List.copyOf(all);
    Map<String, byte[][]> bytes = new java.util.HashMap<>();
    Map<String, Boolean> escapes = new java.util.HashMap<>();
    secrets.forEach((server, values) -> {
      List<byte[]> list = new ArrayList<>();
      boolean escape = false;
      for (String value : values) {
        if (value != null && value.length() >= MIN_SECRET_LENGTH) {
          list.add(value.getBytes(StandardCharsets.UTF_8));
          escape |= mayBeEscaped(value);
        }
      }
      bytes.put(server, list.toArray(new byte[0][]));
      escapes.put(server, escape);
    });
    this.secretBytes = Map.copyOf(bytes);
    this.escapable = Map.copyOf(escapes);
    java.util.Set<String> covered = new java.util.HashSet<>();
    Interceptor first = interceptors.isEmpty() ? null : interceptors.get(interceptors.size() - 1);
    if (first instanceof Redaction) {
      secrets.forEach((server, values) -> {
        if (values.stream().filter(v -> v != null && v.length() >= MIN_SECRET_LENGTH)
            .allMatch(v -> ((Redaction) first).mayRedact(server, v))) {
          covered.add(server);
        }
      });
    }
    this.chainCovers = java.util.Set.copyOf(covered);
  }

  /** Whether a standard JSON writer may write {@code value} otherwise than as its UTF-8 bytes. */
  private static boolean mayBeEscaped(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '/' || c == '<' || c == '>' || c == '&' || c == '\'') {
        return true;
      }
    }
    return false;
  }

  /** A text a backend produced (a log line, an exit reason, a failed start): every redaction. */
  public String text(String server, String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (Redaction redaction : redactions) {
      if (redaction.mayRedact(server, out)) {
        out = redaction.redact(server, out);
      }
    }
    return out;
  }

  /** {@link #text} as a function, for a launcher's stderr lines. */
  public UnaryOperator<String> forServer(String server) {
    return text -> text(server, text);
  }

  /** The longest environment secret of {@code server}, in characters. */
  public int longestSecret(String server) {
    return environment.longestSecret(server);
  }

  /**
   * Redacts {@code params}, {@code result} and {@code error} of a message in place with every
   * redaction: for notifications, the backend's requests and responses no client call awaits.
   */
  public void message(String server, ObjectNode message) {
    redactMembers(server, message, redactions);
  }

  /** Redacts the environment secrets of an answer to a client call in place, unless its chain does; the chain does the rest. */
  public void secrets(String server, ObjectNode message) {
    if (!chainCovers.contains(server)) {
      redactMembers(server, message, List.of(environment));
    }
  }

  /**
   * Whether an answer still in bytes may hold an environment secret of {@code server}: a byte
   * search, nothing parsed. A value with characters a JSON writer may escape also makes a
   * backslash a hint.
   */
  public boolean secretIn(String server, byte[] raw) {
    byte[][] values = secretBytes.get(server);
    if (values == null || values.length == 0 || chainCovers.contains(server)) {
      return false;
    }
    for (byte[] value : values) {
      if (RawAnswer.contains(raw, value)) {
        return true;
      }
    }
    return escapable.getOrDefault(server, false) && RawAnswer.contains(raw, BACKSLASH);
  }

  private static final byte[] BACKSLASH = {'\\'};

  /**
   * Starts redacting one long text of {@code server} (a string of an offloaded payload) as it
   * streams, with every redaction in turn, into {@code out}.
   */
  public Redaction.TextStream stream(String server, Appendable out) {
    Redaction.TextStream next = null;
    List<Redaction.TextStream> streams = new ArrayList<>();
    Appendable target = out;
    for (int i = redactions.size() - 1; i >= 0; i--) {
      if (redactions.get(i) == environment && environment.longestSecret(server) == 0 && i > 0) {
        continue; // nothing of the environment's to find
      }
      next = redactions.get(i).stream(server, target);
      streams.add(0, next);
      target = appendable(next);
    }
    Redaction.TextStream first = next;
    return new Redaction.TextStream() {
      @Override
      public void append(CharSequence text) {
        first.append(text);
      }

      @Override
      public void finish() {
        for (Redaction.TextStream stream : streams) {
          stream.finish();
        }
      }
    };
  }

  private static Appendable appendable(Redaction.TextStream stream) {
    return new Appendable() {
      @Override
      public Appendable append(CharSequence text) {
        stream.append(text);
        return this;
      }

      @Override
      public Appendable append(CharSequence text, int start, int end) {
        stream.append(start == 0 && end == text.length() ? text : new Slice(text, start, end));
        return this;
      }

      @Override
      public Appendable append(char c) {
        stream.append(String.valueOf(c));
        return this;
      }
    };
  }

  /** A range of a text, without a copy (the next stream copies what it keeps). */
  private static final class Slice implements CharSequence {
    private final CharSequence text;
    private final int start;
    private final int end;

    public Slice(CharSequence text, int start, int end) {
      this.text = text;
      this.start = start;
      this.end = end;
    }

    @Override
    public int length() {
      return end - start;
    }

    @Override
    public char charAt(int index) {
      return text.charAt(start + index);
    }

    @Override
    public CharSequence subSequence(int from, int to) {
      return new Slice(text, start + from, start + to);
    }

    @Override
    public String toString() {
      return text.subSequence(start, end).toString();
    }
  }

  private static void redactMembers(String server, ObjectNode message, List<Redaction> redactions) {
    for (String member : MEMBERS) {
      JsonNode node = message.get(member);
      if (node == null || !(node.isContainerNode() || node.isTextual()) || !hinted(server, node, redactions)) {
        continue;
      }
      Object value = Json.toJdk(node);
      for (Redaction redaction : redactions) {
        value = redaction.redactValue(server, value);
      }
      message.set(member, Json.mapper().valueToTree(value));
    }
  }

  private static final String[] MEMBERS = {"params", "result", "error"};

  /** Whether a key or string under {@code node} hints at something to redact: one pass, nothing copied. */
  private static boolean hinted(String server, JsonNode node, List<Redaction> redactions) {
    if (node.isTextual()) {
      return anyMayRedact(server, node.textValue(), redactions);
    }
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (anyMayRedact(server, field.getKey(), redactions) || hinted(server, field.getValue(), redactions)) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        if (hinted(server, item, redactions)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean anyMayRedact(String server, String text, List<Redaction> redactions) {
    for (Redaction redaction : redactions) {
      if (redaction.mayRedact(server, text)) {
        return true;
      }
    }
    return false;
  }
}
