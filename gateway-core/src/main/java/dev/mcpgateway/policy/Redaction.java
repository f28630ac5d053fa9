package dev.mcpgateway.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 */
public final class Redaction implements Interceptor {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Redaction.class);
  /** The call attribute holding this call's redaction count by kind ({@code Map<String, Integer>}). */
  public static final String ATTRIBUTE = "dev.mcpgateway.redactions";

  /** What was redacted. */
  public enum Kind {
    GITHUB_TOKEN("github-token", "(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})(?![A-Za-z0-9])"),
    AWS_ACCESS_KEY("aws-access-key", "(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[0-9A-Z]{16}(?![A-Za-z0-9])"),
    PRIVATE_KEY("private-key", "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)"),
    JWT("jwt", "(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}"),
    BEARER("bearer", "(?i)\\bbearer\\s+[A-Za-z0-9._~+/=-]{8,}"),
    SK_KEY("api-key", "(?<![A-Za-z0-9])sk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_-]{20,}"),
    SECRET("secret", null),
    PRIVATE_IP("private-ip", "\\b(?:10\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|172\\.(?:1[6-9]|2\\d|3[01])\\.\\d{1,3}\\.\\d{1,3}"
        + "|192\\.168\\.\\d{1,3}\\.\\d{1,3}|169\\.254\\.\\d{1,3}\\.\\d{1,3})\\b"),
    INTERNAL_HOST("internal-host", "(?i)\\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
        + "\\.(?:internal|local|localdomain|corp|lan|intranet|private)\\b");

    private final String marker;
    private final String regex;

    Kind(String marker, String regex) {
      this.marker = marker;
      this.regex = regex;
    }

    /** The marker's label, as in {@code [REDACTED:label]}. */
    public String label() {
      return marker;
    }
  }

  /** The regular expression of a kind (null for exact secrets); for tests. */
  static String patternOf(Kind kind) {
    return kind.regex;
  }

  private final Pattern pattern;
  private final List<Kind> groups = new ArrayList<>();
  private final java.util.Set<Kind> kinds;
  /** Whether a dot alone hints at a match (private addresses or internal host names are on). */
  private final boolean dots;
  private final Map<String, List<String>> secretsByServer;
  private final int maxTextChars;
  private final Map<Kind, AtomicLong> counts = new EnumMap<>(Kind.class);

  private Redaction(Builder b) {
    StringBuilder regex = new StringBuilder();
    for (Kind kind : b.kinds) {
      if (kind.regex == null) {
        continue;
      }
      if (regex.length() > 0) {
        regex.append('|');
      }
      regex.append('(').append(kind.regex).append(')');
      groups.add(kind);
    }
    this.pattern = regex.length() == 0 ? null : Pattern.compile(regex.toString());
    this.kinds = java.util.EnumSet.copyOf(b.kinds);
    this.dots = kinds.contains(Kind.PRIVATE_IP) || kinds.contains(Kind.INTERNAL_HOST);
    // longest first, so that a secret containing another is replaced whole
    this.secretsByServer = b.secrets.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
        e -> e.getValue().stream().filter(v -> v.length() >= b.minSecretLength).distinct()
            .sorted(Comparator.comparingInt(String::length).reversed()).collect(Collectors.toList())));
    this.maxTextChars = b.maxTextChars;
    for (Kind kind : Kind.values()) {
      counts.put(kind, new AtomicLong());
    }
  }

  /** Starts a builder with the credential kinds on and private addresses off. */
  public static Builder builder() {
    return new Builder();
  }

  /** Redactions so far, by kind. */
  public Map<Kind, Long> counts() {
    Map<Kind, Long> snapshot = new EnumMap<>(Kind.class);
    counts.forEach((kind, count) -> snapshot.put(kind, count.get()));
    return snapshot;
  }

  @Override
  public Verdict onResponse(McpCall call, McpResult result) {
    List<String> secrets = secretsByServer.getOrDefault(call.server(), List.of());
    if (!result.anyString(text -> mayChange(text, secrets))) {
      return Verdict.pass(); // the common case: nothing to redact, so nothing is converted
    }
    Map<String, Integer> found = new java.util.HashMap<>();
    result.result().ifPresent(r -> walk(r, secrets, found));
    // Error answers can carry secrets too (a server that reports its failed command line).
    result.error().ifPresent(e -> walk(e, secrets, found));
    if (!found.isEmpty()) {
      @SuppressWarnings("unchecked")
      Map<String, Integer> total = (Map<String, Integer>) call.attributes().computeIfAbsent(ATTRIBUTE,
          k -> new java.util.concurrent.ConcurrentHashMap<String, Integer>());
      found.forEach((kind, n) -> total.merge(kind, n, Integer::sum));
      LOG.debug("Redacted {} from the answer to {} of server '{}'", found, call.method(), call.server());
    }
    return Verdict.pass();
  }

  /** Whether {@link #redact} could change {@code text}: a cheap test before any conversion. */
  private boolean mayChange(String text, List<String> secrets) {
    if (maxTextChars > 0 && text.length() > maxTextChars) {
      return true;
    }
    for (String secret : secrets) {
      if (text.contains(secret)) {
        return true;
      }
    }
    return pattern != null && hinted(text) && pattern.matcher(text).find();
  }

  private static final String[] AWS_PREFIXES = {"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA"};

  /**
   * Whether {@code text} holds what every match of an enabled kind starts with (or, for
   * addresses and host names, a dot): one pass over the characters, so that the pattern only
   * runs on texts that might match. Never false when the pattern could match.
   */
  private boolean hinted(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      switch (text.charAt(i)) {
        case 'g':
          if (kinds.contains(Kind.GITHUB_TOKEN) && (text.startsWith("gh", i) || text.startsWith("github_pat_", i))) {
            return true;
          }
          break;
        case 'A':
          if (kinds.contains(Kind.AWS_ACCESS_KEY)) {
            for (String prefix : AWS_PREFIXES) {
              if (text.startsWith(prefix, i)) {
                return true;
              }
            }
          }
          break;
        case '-':
          if (kinds.contains(Kind.PRIVATE_KEY) && text.startsWith("-----BEGIN ", i)) {
            return true;
          }
          break;
        case 'e':
          if (kinds.contains(Kind.JWT) && text.startsWith("eyJ", i)) {
            return true;
          }
          break;
        case 'b':
        case 'B':
          if (kinds.contains(Kind.BEARER) && text.regionMatches(true, i, "bearer", 0, 6)) {
            return true;
          }
          break;
        case 's':
          if (kinds.contains(Kind.SK_KEY) && text.startsWith("sk-", i)) {
            return true;
          }
          break;
        case '.':
          if (dots) {
            return true;
          }
          break;
        default:
          break;
      }
    }
    return false;
  }

  /** Redacts one text; {@code found} collects counts by kind label. For tests and other interceptors. */
  public String redact(String text, Collection<String> secrets, Map<String, Integer> found) {
    return truncate(replace(text, secrets, found), found);
  }

  private String truncate(String out, Map<String, Integer> found) {
    if (maxTextChars > 0 && out.length() > maxTextChars) {
      found.merge("truncated", 1, Integer::sum);
      return out.substring(0, maxTextChars) + "... [truncated " + (out.length() - maxTextChars) + " characters]";
    }
    return out;
  }

  private String replace(String text, Collection<String> secrets, Map<String, Integer> found) {
    String out = text;
    for (String secret : secrets) {
      if (out.contains(secret)) {
        int n = count(out, secret);
        out = out.replace(secret, "[REDACTED:" + Kind.SECRET.label() + "]");
        found.merge(Kind.SECRET.label(), n, Integer::sum);
        counts.get(Kind.SECRET).addAndGet(n);
      }
    }
    if (pattern != null && hinted(out)) {
      Matcher matcher = pattern.matcher(out);
      StringBuilder sb = null;
      while (matcher.find()) {
        if (sb == null) {
          sb = new StringBuilder(out.length());
        }
        Kind kind = kindOf(matcher);
        found.merge(kind.label(), 1, Integer::sum);
        counts.get(kind).incrementAndGet();
        matcher.appendReplacement(sb, Matcher.quoteReplacement("[REDACTED:" + kind.label() + "]"));
      }
      if (sb != null) {
        matcher.appendTail(sb);
        out = sb.toString();
      }
    }
    return out;
  }

  private Kind kindOf(Matcher matcher) {
    for (int i = 0; i < groups.size(); i++) {
      if (matcher.group(i + 1) != null) {
        return groups.get(i);
      }
    }
    return Kind.SECRET;
  }

  private static int count(String text, String secret) {
    int n = 0;
    for (int at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + secret.length())) {
      n++;
    }
    return n;
  }

  private Object walk(Object value, List<String> secrets, Map<String, Integer> found) {
    return walk(value, secrets, found, true);
  }

  @SuppressWarnings("unchecked")
  private Object walk(Object value, List<String> secrets, Map<String, Integer> found, boolean truncatable) {
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
    return "Redaction" + groups;
  }

  /** Builds a {@link Redaction}. */
  public static final class Builder {
    private final java.util.EnumSet<Kind> kinds = java.util.EnumSet.of(Kind.GITHUB_TOKEN, Kind.AWS_ACCESS_KEY, Kind.PRIVATE_KEY,
        Kind.JWT, Kind.BEARER, Kind.SK_KEY);
    private final Map<String, List<String>> secrets = new java.util.HashMap<>();
    private int maxTextChars;
    private int minSecretLength = 6;

    private Builder() {}

    /** Also redacts private IPv4 addresses (10/8, 172.16/12, 192.168/16, 169.254/16). */
    public Builder privateAddresses(boolean on) {
      toggle(Kind.PRIVATE_IP, on);
      return this;
    }

    /** Also redacts internal host names ({@code *.internal}, {@code *.local}, {@code *.corp}...). */
    public Builder internalHostNames(boolean on) {
      toggle(Kind.INTERNAL_HOST, on);
      return this;
    }

    /** Redacts these exact values in answers of {@code server} (the secrets passed to its environment). */
    public Builder secrets(String server, Collection<String> values) {
      secrets.computeIfAbsent(Objects.requireNonNull(server, "server"), k -> new ArrayList<>()).addAll(values);
      return this;
    }

    /** Secret values shorter than this are not redacted as exact values (default 6): too many false matches. */
    public Builder minSecretLength(int length) {
      this.minSecretLength = length;
      return this;
    }

    /** Truncates any text longer than this many characters; 0 (the default) keeps all. */
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

    /** Builds the interceptor. */
    public Redaction build() {
      return new Redaction(this);
    }
  }
}
