package dev.mcpgateway.policy;

import dev.mcpgateway.internal.jsonrpc.RawStringTest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Replaces credential-like strings in every answer with a marker such as
 * {@code [REDACTED:github-token]} before it reaches a client.
 *
 * <p>Built in: GitHub tokens ({@code ghp_}, {@code gho_}, {@code ghs_}, {@code ghu_},
 * {@code ghr_}, {@code github_pat_}), AWS access key ids, private key blocks, JWTs,
 * {@code Bearer} values, {@code sk-} keys, and the exact values of the secrets the gateway
 * passed to that server's environment; optionally private IP addresses and internal host
 * names, and text longer than a limit. Each redaction is counted (by kind, in
 * {@link #counts()} and in the call's {@code redactions} attribute for the audit log), never
 * with the secret. Thread-safe.
 *
 * <p>Every check runs in time linear in the text: the kinds are found by hand-written scanners,
 * not regular expressions, and exact values by a Knuth-Morris-Pratt search, so no text can make
 * a check backtrack. Besides answers, the gateway puts everything else a backend says through
 * the same redaction ({@link #redact(String, String)}, {@link #redactValue(String, Object)},
 * {@link #stream(String, Appendable)}): notifications, its requests to clients, its
 * {@code initialize} result, offloaded payloads and its stderr lines.
 */
public final class Redaction implements Interceptor {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Redaction.class);
  /** The call attribute holding this call's redaction count by kind ({@code Map<String, Integer>}). */
  public static final String ATTRIBUTE = "dev.mcpgateway.redactions";

  /** What was redacted: each kind says what it matches; matches are found by a linear scan. */
  public enum Kind {
    /**
     * {@code gh[pousr]_} and 20 to 255 letters or digits, or {@code github_pat_} and 20 to 255 of
     * letters, digits and {@code _}, not inside a longer alphanumeric run.
     */
    GITHUB_TOKEN("github-token"),
    /**
     * {@code AKIA ASIA AGPA AIDA AROA ANPA ANVA} and 16 of {@code [0-9A-Z]}, as a whole
     * alphanumeric run.
     */
    AWS_ACCESS_KEY("aws-access-key"),
    /**
     * {@code -----BEGIN ... PRIVATE KEY-----} through the first {@code -----END ... PRIVATE KEY-----},
     * or to the end of the text.
     */
    PRIVATE_KEY("private-key"),
    /** Three dot-separated base64url parts of 5 or more, the first two starting with {@code eyJ}. */
    JWT("jwt"),
    /** The word {@code bearer} in any case, white space and 8 or more of {@code [A-Za-z0-9._~+/=-]}. */
    BEARER("bearer"),
    /** {@code sk-} and 20 or more of {@code [A-Za-z0-9_-]}. */
    SK_KEY("api-key"),
    /** An exact value passed to the server's environment. */
    SECRET("secret"),
    /** 10/8, 172.16/12, 192.168/16 and 169.254/16 addresses as whole words. */
    PRIVATE_IP("private-ip"),
    /**
     * Dotted host names ending in {@code .internal .local .localdomain .corp .lan .intranet
     * .private} (any case) as whole words.
     */
    INTERNAL_HOST("internal-host");

    private final String marker;

    Kind(String marker) {
      this.marker = marker;
    }

    /** {@return the marker's label, as in {@code [REDACTED:label]}} */
    public String label() {
      return marker;
    }
  }

  /**
   * A text that arrives in pieces, redacted as it streams; from {@link #stream(String, Appendable)}.
   * Not thread-safe.
   */
  public interface TextStream {
    /**
     * Adds the next piece of the text; redacted text goes out as soon as no secret can span it.
     *
     * @param text the next piece
     */
    void append(CharSequence text);

    /** Ends the text: the rest goes out. Idempotent. */
    void finish();
  }

  private final CredentialScanner scanner;
  private final java.util.Set<Kind> kinds;
  private final Map<String, SecretValues> secretsByServer;
  private final int maxTextChars;
  private final Map<Kind, AtomicLong> counts = new EnumMap<>(Kind.class);

  private Redaction(Builder b) {
    this.kinds = b.kinds.isEmpty() ? java.util.EnumSet.noneOf(Kind.class) : java.util.EnumSet.copyOf(b.kinds);
    this.scanner = new CredentialScanner(kinds);
    // longest first, so that a secret containing another is replaced whole
    this.secretsByServer = b.secrets.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
        e -> new SecretValues(e.getValue().stream().filter(v -> v.length() >= b.minSecretLength).distinct()
            .sorted(Comparator.comparingInt(String::length).reversed()).collect(Collectors.toList()))));
    this.maxTextChars = b.maxTextChars;
    for (Kind kind : Kind.values()) {
      counts.put(kind, new AtomicLong());
    }
  }

  /**
   * Starts a builder with the credential kinds on and private addresses off.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return redactions so far, by kind} */
  public Map<Kind, Long> counts() {
    Map<Kind, Long> snapshot = new EnumMap<>(Kind.class);
    counts.forEach((kind, count) -> snapshot.put(kind, count.get()));
    return snapshot;
  }

  @Override
  public Verdict onResponse(McpCall call, McpResult result) {
    SecretValues secrets = secretsOf(call.server());
    if (!result.anyString(new ChangeTest(secrets))) {
      return Verdict.pass(); // the common case: nothing to redact, so nothing is converted
    }
    Map<String, Integer> found = new java.util.HashMap<>();
    result.result().ifPresent(r -> walk(r, secrets, found, true));
    // Error answers can carry secrets too (a server that reports its failed command line).
    result.error().ifPresent(e -> walk(e, secrets, found, true));
    if (!found.isEmpty()) {
      @SuppressWarnings("unchecked")
      Map<String, Integer> total = (Map<String, Integer>) call.attributes().computeIfAbsent(ATTRIBUTE,
          k -> new java.util.concurrent.ConcurrentHashMap<String, Integer>());
      found.forEach((kind, n) -> total.merge(kind, n, Integer::sum));
      LOG.debug("Redacted {} from the answer to {} of server '{}'", found, call.method(), call.server());
    }
    return Verdict.pass();
  }

  /**
   * Whether {@link #redact(String, String)} would change {@code text} of {@code server}: a cheap
   * test (one pass, no copy) for the common case of nothing to redact.
   *
   * @param server the server's name
   * @param text the text
   * @return {@code false} when {@code redact} would return {@code text} unchanged
   */
  public boolean mayRedact(String server, String text) {
    return mayChange(text, secretsOf(server), false);
  }

  /**
   * Redacts a text {@code server} produced (a notification, a log line, an error): its
   * environment secrets and the enabled kinds, never truncated. Returns {@code text} itself when
   * nothing was found. Counted in {@link #counts()}.
   *
   * @param server the server's name
   * @param text the text
   * @return the redacted text
   */
  public String redact(String server, String text) {
    return replace(text, secretsOf(server), new java.util.HashMap<>());
  }

  /**
   * Redacts, in place, every string and map key of a JSON-like value ({@link Map},
   * {@link List}, {@link String}, other values untouched) that {@code server} produced; returns
   * the value (a new string when the value itself is a string that changed). Never truncates.
   *
   * @param server the server's name
   * @param value the value
   * @return the value, redacted
   */
  public Object redactValue(String server, Object value) {
    return walk(value, secretsOf(server), new java.util.HashMap<>(), false);
  }

  /**
   * Starts redacting a long text of {@code server} that arrives in pieces, writing the result to
   * {@code out} as it goes, in bounded memory: a secret or credential split between two pieces
   * is still found. Never truncates. See {@link TextStream}.
   *
   * @param server the server's name
   * @param out where the redacted text goes
   * @return the stream to append the pieces to
   */
  public TextStream stream(String server, Appendable out) {
    return new RedactingStream(this, secretsOf(server), out);
  }

  /**
   * The longest exact secret of {@code server}, in characters (0 when it has none).
   *
   * @param server the server's name
   * @return the length in characters
   */
  public int longestSecret(String server) {
    return secretsOf(server).maxLength();
  }

  /** As {@link #stream(String, Appendable)} with other window sizes; for tests. */
  TextStream stream(String server, Appendable out, int minWindow, int maxWindow) {
    return new RedactingStream(this, secretsOf(server), out, minWindow, maxWindow);
  }

  private SecretValues secretsOf(String server) {
    return secretsByServer.getOrDefault(server, SecretValues.NONE);
  }

  /** The secrets of {@code server}, for tests. */
  SecretValues secretsFor(String server) {
    return secretsOf(server);
  }

  CredentialScanner scanner() {
    return scanner;
  }

  static String marker(Kind kind) {
    return "[REDACTED:" + kind.label() + "]";
  }

  void counted(Kind kind) {
    counts.get(kind).incrementAndGet();
  }

  /**
   * Whether an answer's string may change: {@link #mayChange} per string, and for a whole
   * answer without escapes at once, from its bytes (the usual answer has no hint and no secret,
   * and is then not read string by string).
   */
  final class ChangeTest implements RawStringTest {
    private final SecretValues secrets;

    ChangeTest(SecretValues secrets) {
      this.secrets = secrets;
    }

    @Override
    public boolean test(String text) {
      return mayChange(text, secrets, true);
    }

    /**
     * A string of an answer without escapes is a run of the answer's UTF-8 bytes. So, over the
     * whole answer seen one char per byte: no string is longer than the answer; a secret in a
     * string is there as its UTF-8 bytes; and a hint in a string (hints are ASCII and look
     * only forward) is a hint in the answer.
     */
    @Override
    public boolean mayPassIn(byte[] raw) {
      if (maxTextChars > 0 && raw.length > maxTextChars) {
        return true;
      }
      ByteChars chars = new ByteChars(raw);
      return secrets.asUtf8Bytes().anyIn(chars) || !scanner.isEmpty() && scanner.hinted(chars);
    }
  }

  /** Bytes read as chars, one each (ISO-8859-1), without a copy. */
  static final class ByteChars implements CharSequence {
    private final byte[] bytes;

    ByteChars(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int length() {
      return bytes.length;
    }

    @Override
    public char charAt(int index) {
      return (char) (bytes[index] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new String(bytes, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  /** Whether {@link #redact} could change {@code text}: a cheap test before any conversion. */
  private boolean mayChange(String text, SecretValues secrets, boolean truncating) {
    if (truncating && maxTextChars > 0 && text.length() > maxTextChars) {
      return true;
    }
    if (secrets.anyIn(text)) {
      return true;
    }
    return !scanner.isEmpty() && scanner.hinted(text) && scanner.findsAny(text);
  }

  /**
   * Redacts one text; {@code found} collects counts by kind label. For tests and other interceptors.
   *
   * @param text the text
   * @param secrets exact values to redact
   * @param found counts by kind label, added to
   * @return the redacted text
   */
  public String redact(String text, Collection<String> secrets, Map<String, Integer> found) {
    return truncate(replace(text, new SecretValues(secrets), found), found);
  }

  private String truncate(String out, Map<String, Integer> found) {
    if (maxTextChars > 0 && out.length() > maxTextChars) {
      found.merge("truncated", 1, Integer::sum);
      return out.substring(0, maxTextChars) + "... [truncated " + (out.length() - maxTextChars) + " characters]";
    }
    return out;
  }

  private String replace(String text, SecretValues secrets, Map<String, Integer> found) {
    String out = text;
    if (!secrets.isEmpty()) {
      int[] n = {0};
      out = secrets.replace(out, marker(Kind.SECRET), n);
      if (n[0] > 0) {
        found.merge(Kind.SECRET.label(), n[0], Integer::sum);
        counts.get(Kind.SECRET).addAndGet(n[0]);
      }
    }
    if (scanner.isEmpty() || !scanner.hinted(out)) {
      return out;
    }
    String source = out;
    StringBuilder[] sb = {null};
    int[] done = {0};
    scanner.scan(source, 0, (start, end, kind, open) -> {
      if (sb[0] == null) {
        sb[0] = new StringBuilder(source.length());
      }
      sb[0].append(source, done[0], start).append(marker(kind));
      done[0] = end;
      found.merge(kind.label(), 1, Integer::sum);
      counts.get(kind).incrementAndGet();
      return true;
    });
    return sb[0] == null ? source : sb[0].append(source, done[0], source.length()).toString();
  }

  @SuppressWarnings("unchecked")
  private Object walk(Object value, SecretValues secrets, Map<String, Integer> found, boolean truncatable) {
    if (value instanceof String) {
      String replaced = replace((String) value, secrets, found);
      return truncatable ? truncate(replaced, found) : replaced;
    }
    if (value instanceof Map) {
      Map<String, Object> map = (Map<String, Object>) value;
      Map<String, String> renamed = null;
      for (Map.Entry<String, Object> entry : map.entrySet()) {
        // Base64 data of images and blobs is never cut: half an image helps nobody.
        boolean cut = truncatable && !entry.getKey().equals("data") && !entry.getKey().equals("blob");
        Object replaced = walk(entry.getValue(), secrets, found, cut);
        if (replaced != entry.getValue()) {
          entry.setValue(replaced);
        }
        String key = replace(entry.getKey(), secrets, found);
        if (!key.equals(entry.getKey())) {
          if (renamed == null) {
            renamed = new java.util.LinkedHashMap<>();
          }
          renamed.put(entry.getKey(), key);
        }
      }
      if (renamed != null) {
        // Keys can hold secrets too (structured content keyed by token); rebuild in order.
        Map<String, Object> copy = new java.util.LinkedHashMap<>(map);
        map.clear();
        for (Map.Entry<String, Object> entry : copy.entrySet()) {
          map.put(renamed.getOrDefault(entry.getKey(), entry.getKey()), entry.getValue());
        }
      }
    } else if (value instanceof List) {
      ListIterator<Object> items = ((List<Object>) value).listIterator();
      while (items.hasNext()) {
        Object item = items.next();
        Object replaced = walk(item, secrets, found, truncatable);
        if (replaced != item) {
          items.set(replaced);
        }
      }
    }
    return value;
  }

  @Override
  public String toString() {
    return "Redaction" + kinds;
  }

  /** Builds a {@link Redaction}. */
  public static final class Builder {
    private final java.util.EnumSet<Kind> kinds = java.util.EnumSet.of(Kind.GITHUB_TOKEN, Kind.AWS_ACCESS_KEY, Kind.PRIVATE_KEY,
        Kind.JWT, Kind.BEARER, Kind.SK_KEY);
    private final Map<String, List<String>> secrets = new java.util.HashMap<>();
    private int maxTextChars;
    private int minSecretLength = 6;

    private Builder() {}

    /**
     * Whether the credential kinds (GitHub, AWS, private keys, JWTs, bearer values, {@code sk-}
     * keys) are redacted; on by default. Off leaves only exact secrets and what else is asked.
     *
     * @param on {@code false} to turn them off
     * @return this builder
     */
    public Builder credentials(boolean on) {
      for (Kind kind : List.of(Kind.GITHUB_TOKEN, Kind.AWS_ACCESS_KEY, Kind.PRIVATE_KEY, Kind.JWT, Kind.BEARER, Kind.SK_KEY)) {
        toggle(kind, on);
      }
      return this;
    }

    /**
     * Also redacts private IPv4 addresses (10/8, 172.16/12, 192.168/16, 169.254/16).
     *
     * @param on {@code true} to redact them
     * @return this builder
     */
    public Builder privateAddresses(boolean on) {
      toggle(Kind.PRIVATE_IP, on);
      return this;
    }

    /**
     * Also redacts internal host names ({@code *.internal}, {@code *.local}, {@code *.corp}...).
     *
     * @param on {@code true} to redact them
     * @return this builder
     */
    public Builder internalHostNames(boolean on) {
      toggle(Kind.INTERNAL_HOST, on);
      return this;
    }

    /**
     * Redacts these exact values in answers of {@code server} (the secrets passed to its environment).
     *
     * @param server the server's name
     * @param values the values
     * @return this builder
     */
    public Builder secrets(String server, Collection<String> values) {
      secrets.computeIfAbsent(Objects.requireNonNull(server, "server"), k -> new ArrayList<>()).addAll(values);
      return this;
    }

    /**
     * Secret values shorter than this are not redacted as exact values (default 6): too many false matches.
     *
     * @param length the shortest length redacted
     * @return this builder
     */
    public Builder minSecretLength(int length) {
      this.minSecretLength = length;
      return this;
    }

    /**
     * Truncates any text longer than this many characters; 0 (the default) keeps all.
     *
     * @param chars the limit, or 0
     * @return this builder
     */
    public Builder maxTextChars(int chars) {
      if (chars < 0) {
        throw new IllegalArgumentException("maxTextChars must not be negative: " + chars);
      }
      this.maxTextChars = chars;
      return this;
    }

    private void toggle(Kind kind, boolean on) {
      if (on) {
        kinds.add(kind);
      } else {
        kinds.remove(kind);
      }
    }

    /**
     * Builds the interceptor.
     *
     * @return the interceptor
     */
    public Redaction build() {
      return new Redaction(this);
    }
  }
}
