package dev.mcpgateway.policy;

import dev.mcpgateway.policy.Redaction.Kind;
import java.util.Set;

/**
 * Finds credential-like strings with hand-written scanners whose time is linear in the text: no
 * regular expression, no backtracking. Each kind matches what the documented pattern of
 * {@link Kind} would (the tests compare them on random texts); matches are leftmost first, and
 * at one position the kinds are tried in their declaration order, as an alternation of the
 * patterns would.
 *
 * <p>Every attempt at a position reads a bounded stretch of text, or a stretch that no later
 * attempt reads again (the scan remembers, per kind, the end of the run it last examined).
 * Thread-safe: the per-scan memory lives in the scan.
 */
final class CredentialScanner {
  /** Receives matches; returns false to stop the scan. */
  @FunctionalInterface
  interface Sink {
    /** A match of {@code kind} over {@code [start, end)}; {@code open} for a private key block without its end line. */
    boolean match(int start, int end, Kind kind, boolean open);
  }

  private static final String[] AWS_PREFIXES = {"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA"};
  private static final String[] HOST_SUFFIXES = {"internal", "local", "localdomain", "corp", "lan", "intranet", "private"};
  /** Longest run of token characters a GitHub token may have. */
  private static final int GITHUB_MAX = 255;

  private final boolean github;
  private final boolean aws;
  private final boolean privateKey;
  private final boolean jwt;
  private final boolean bearer;
  private final boolean skKey;
  private final boolean privateIp;
  private final boolean internalHost;

  CredentialScanner(Set<Kind> kinds) {
    this.github = kinds.contains(Kind.GITHUB_TOKEN);
    this.aws = kinds.contains(Kind.AWS_ACCESS_KEY);
    this.privateKey = kinds.contains(Kind.PRIVATE_KEY);
    this.jwt = kinds.contains(Kind.JWT);
    this.bearer = kinds.contains(Kind.BEARER);
    this.skKey = kinds.contains(Kind.SK_KEY);
    this.privateIp = kinds.contains(Kind.PRIVATE_IP);
    this.internalHost = kinds.contains(Kind.INTERNAL_HOST);
  }

  /** Whether no kind is on. */
  boolean isEmpty() {
    return !(github || aws || privateKey || jwt || bearer || skKey || privateIp || internalHost);
  }

  /**
   * Whether {@code text} holds what every match of an enabled kind starts with (or, for
   * addresses and host names, a dot): one pass, so that the scanners only run on texts that
   * might match. Never false when a scanner could match.
   */
  boolean hinted(CharSequence text) {
    boolean dots = privateIp || internalHost;
    for (int i = 0, n = text.length(); i < n; i++) {
      switch (text.charAt(i)) {
        case 'g':
          if (github && (startsWith(text, i, "gh") || startsWith(text, i, "github_pat_"))) {
            return true;
          }
          break;
        case 'A':
          if (aws && awsPrefix(text, i)) {
            return true;
          }
          break;
        case '-':
          if (privateKey && startsWith(text, i, "-----BEGIN ")) {
            return true;
          }
          break;
        case 'e':
          if (jwt && startsWith(text, i, "eyJ")) {
            return true;
          }
          break;
        case 'b':
        case 'B':
          if (bearer && startsWithIgnoreCase(text, i, "bearer")) {
            return true;
          }
          break;
        case 's':
          if (skKey && startsWith(text, i, "sk-")) {
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

  /** Whether any enabled kind matches somewhere in {@code text}. */
  boolean findsAny(CharSequence text) {
    boolean[] found = new boolean[1];
    scan(text, 0, (start, end, kind, open) -> {
      found[0] = true;
      return false;
    });
    return found[0];
  }

  /**
   * Reports the matches in {@code text} from {@code from} on, left to right, without overlap.
   * Characters before {@code from} are only read as context (what precedes a match).
   */
  void scan(CharSequence text, int from, Sink sink) {
    Scan scan = new Scan(text);
    int n = text.length();
    int p = from;
    while (p < n) {
      char c = text.charAt(p);
      int end = -1;
      Kind kind = null;
      switch (c) {
        case 'g':
          if (github) {
            end = scan.github(p);
            kind = Kind.GITHUB_TOKEN;
          }
          break;
        case 'A':
          if (aws) {
            end = scan.aws(p);
            kind = Kind.AWS_ACCESS_KEY;
          }
          break;
        case '-':
          if (privateKey) {
            end = scan.privateKey(p);
            kind = Kind.PRIVATE_KEY;
          }
          break;
        case 'e':
          if (jwt) {
            end = scan.jwt(p);
            kind = Kind.JWT;
          }
          break;
        case 'b':
        case 'B':
          if (bearer) {
            end = scan.bearer(p);
            kind = Kind.BEARER;
          }
          break;
        case 's':
          if (skKey) {
            end = scan.skKey(p);
            kind = Kind.SK_KEY;
          }
          break;
        case '1':
          if (privateIp) {
            end = scan.privateIp(p);
            kind = Kind.PRIVATE_IP;
          }
          break;
        default:
          break;
      }
      // a host name starts after a non-word character: most letters are skipped without a call
      if (end < 0 && internalHost && isAlnum(c) && (p == 0 || !isAlnum(text.charAt(p - 1)))) {
        end = scan.internalHost(p);
        kind = Kind.INTERNAL_HOST;
      }
      if (end > p) {
        if (!sink.match(p, end, kind, kind == Kind.PRIVATE_KEY && scan.keyOpen)) {
          return;
        }
        p = end;
      } else {
        p++;
      }
    }
  }

  /**
   * Where the end line of a private key block ({@code -----END ... PRIVATE KEY-----}) that starts
   * at or after {@code from} ends, or -1.
   */
  static int privateKeyEnd(CharSequence t, int from) {
    int at = indexOf(t, "-----END ", from);
    while (at >= 0) {
      int runEnd = keyLabelEnd(t, at + 9);
      if (keyLabelEndsRight(t, at + 9, runEnd)) {
        return runEnd + 5;
      }
      at = indexOf(t, "-----END ", Math.max(at + 1, runEnd));
    }
    return -1;
  }

  /** The per-scan memory: how far each kind is known not to match, and the host-name analysis of one run. */
  private static final class Scan {
    private final CharSequence t;
    private final int n;
    /** No JWT starts before this: the first run of the last attempt ended here. */
    private int jwtNoneBefore;
    /** No sk- key starts before this. */
    private int skNoneBefore;
    /** Whether the last private key match found no end line. */
    boolean keyOpen;
    // The run of host-name characters analyzed last, split at its dots into segments.
    private int hostRunEnd = -1;
    private int[] segStart = new int[8];
    private int[] segEnd = new int[8];
    /** Per segment: where the host name ends when a name starts in it, or -1. */
    private int[] nameEnd = new int[8];
    private int segments;
    private int segCursor;

    Scan(CharSequence t) {
      this.t = t;
      this.n = t.length();
    }

    /** {@code gh[pousr]_} + 20..255 alphanumerics, or {@code github_pat_} + 20..255 of {@code [A-Za-z0-9_]}. */
    int github(int p) {
      if (p > 0 && isAlnum(t.charAt(p - 1))) {
        return -1;
      }
      if (p + 4 <= n && t.charAt(p + 1) == 'h' && "pousr".indexOf(t.charAt(p + 2)) >= 0 && t.charAt(p + 3) == '_') {
        int q = p + 4;
        int r = q;
        int cap = Math.min(n, q + GITHUB_MAX + 1);
        while (r < cap && isAlnum(t.charAt(r))) {
          r++;
        }
        int length = r - q;
        return length >= 20 && length <= GITHUB_MAX ? r : -1;
      }
      if (startsWith(t, p, "github_pat_")) {
        int q = p + 11;
        int r = q;
        int cap = Math.min(n, q + GITHUB_MAX + 1);
        while (r < cap && isWordAscii(t.charAt(r))) {
          r++;
        }
        int length = r - q;
        if (length <= GITHUB_MAX) {
          return length >= 20 ? r : -1;
        }
        // A longer run still matches up to an underscore within the limit: that is not alphanumeric.
        for (int l = GITHUB_MAX; l >= 20; l--) {
          if (t.charAt(q + l) == '_') {
            return q + l;
          }
        }
      }
      return -1;
    }

    /** An AWS key id prefix and 16 of {@code [0-9A-Z]}, not inside a longer alphanumeric run. */
    int aws(int p) {
      if (p > 0 && isAlnum(t.charAt(p - 1)) || p + 20 > n || !awsPrefix(t, p)) {
        return -1;
      }
      for (int i = p + 4; i < p + 20; i++) {
        char c = t.charAt(i);
        if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z')) {
          return -1;
        }
      }
      return p + 20 < n && isAlnum(t.charAt(p + 20)) ? -1 : p + 20;
    }

    /** {@code -----BEGIN ... PRIVATE KEY-----} up to the first end line, else to the end of the text. */
    int privateKey(int p) {
      if (!startsWith(t, p, "-----BEGIN ")) {
        return -1;
      }
      int runEnd = keyLabelEnd(t, p + 11);
      if (!keyLabelEndsRight(t, p + 11, runEnd)) {
        return -1;
      }
      int header = runEnd + 5;
      int end = privateKeyEnd(t, header);
      keyOpen = end < 0;
      if (end >= 0) {
        return end;
      }
      // as the pattern's "$": the end of the text, before a final line terminator
      if (n >= 2 && t.charAt(n - 2) == '\r' && t.charAt(n - 1) == '\n' && n - 2 >= header) {
        return n - 2;
      }
      if (n >= 1 && isLineTerminator(t.charAt(n - 1)) && n - 1 >= header) {
        return n - 1;
      }
      return n;
    }

    /** Three dot-separated base64url runs of 5 or more, the first two starting with {@code eyJ}. */
    int jwt(int p) {
      if (p < jwtNoneBefore || p > 0 && isAlnum(t.charAt(p - 1)) || !startsWith(t, p, "eyJ")) {
        return -1;
      }
      int r1 = runEnd(p + 3, JWT_RUN);
      // Any later start inside this run has the same run end and the same rest: the same outcome.
      jwtNoneBefore = r1;
      if (r1 - (p + 3) < 5 || r1 >= n || t.charAt(r1) != '.' || !startsWith(t, r1 + 1, "eyJ")) {
        return -1;
      }
      int r2 = runEnd(r1 + 4, JWT_RUN);
      if (r2 - (r1 + 4) < 5 || r2 >= n || t.charAt(r2) != '.') {
        return -1;
      }
      int r3 = runEnd(r2 + 1, JWT_RUN);
      return r3 - (r2 + 1) >= 5 ? r3 : -1;
    }

    /** {@code bearer} (any case) as a word, white space, and 8 or more token characters. */
    int bearer(int p) {
      if (isWordBefore(t, p) || !startsWithIgnoreCase(t, p, "bearer")) {
        return -1;
      }
      int w = p + 6;
      while (w < n && isSpace(t.charAt(w))) {
        w++;
      }
      if (w == p + 6) {
        return -1;
      }
      int r = runEnd(w, TOKEN_RUN);
      return r - w >= 8 ? r : -1;
    }

    /** {@code sk-} and 20 or more of {@code [A-Za-z0-9_-]}, not after an alphanumeric. */
    int skKey(int p) {
      if (p < skNoneBefore || p > 0 && isAlnum(t.charAt(p - 1)) || !startsWith(t, p, "sk-")) {
        return -1;
      }
      int r = runEnd(p + 3, SK_RUN);
      skNoneBefore = r;
      return r - (p + 3) >= 20 ? r : -1;
    }

    /** 10/8, 172.16/12, 192.168/16 and 169.254/16 addresses as whole words. */
    int privateIp(int p) {
      if (isWordBefore(t, p)) {
        return -1;
      }
      if (startsWith(t, p, "10.")) {
        return octets(p + 3, 3);
      }
      if (startsWith(t, p, "172.") && p + 7 <= n && t.charAt(p + 6) == '.') {
        char a = t.charAt(p + 4);
        char b = t.charAt(p + 5);
        boolean second = a == '1' && b >= '6' && b <= '9' || a == '2' && isDigit(b) || a == '3' && (b == '0' || b == '1');
        return second ? octets(p + 7, 2) : -1;
      }
      if (startsWith(t, p, "192.168.") || startsWith(t, p, "169.254.")) {
        return octets(p + 8, 2);
      }
      return -1;
    }

    /** {@code count} dot-separated groups of 1 to 3 digits from {@code q}, the last one ending a word. */
    private int octets(int q, int count) {
      int at = q;
      for (int group = 0; group < count; group++) {
        int r = at;
        while (r < n && r - at <= 3 && isDigit(t.charAt(r))) {
          r++;
        }
        int length = r - at;
        if (length < 1 || length > 3) {
          return -1;
        }
        if (group < count - 1) {
          if (r >= n || t.charAt(r) != '.') {
            return -1;
          }
          at = r + 1;
        } else {
          return isWordAt(t, r) ? -1 : r;
        }
      }
      return -1;
    }

    /**
     * The longest {@code label(.label)*.suffix} starting at {@code p}, where labels are
     * alphanumerics with inner hyphens and the suffix is an internal top-level name ending a
     * word. The run of host-name characters from {@code p} is split at its dots once; each
     * segment then knows where a name starting in it ends.
     */
    int internalHost(int p) {
      if (isWordBefore(t, p)) {
        return -1;
      }
      if (p >= hostRunEnd) {
        analyzeHostRun(p);
      }
      while (segCursor < segments && segEnd[segCursor] <= p) {
        segCursor++;
      }
      if (segCursor >= segments || segStart[segCursor] > p) {
        return -1;
      }
      int k = segCursor;
      // the label from p to the segment's end must end with an alphanumeric
      return segEnd[k] > p && isAlnum(t.charAt(segEnd[k] - 1)) ? nameEnd[k] : -1;
    }

    private void analyzeHostRun(int p) {
      int end = p;
      boolean dotted = false;
      while (end < n && isHostChar(t.charAt(end))) {
        dotted |= t.charAt(end) == '.';
        end++;
      }
      hostRunEnd = end;
      segments = 0;
      segCursor = 0;
      if (!dotted) {
        return; // a name needs a dot before its suffix
      }
      int start = p;
      for (int i = p; i <= end; i++) {
        if (i == end || t.charAt(i) == '.') {
          addSegment(start, i);
          start = i + 1;
        }
      }
      // Right to left: a name starting in segment k ends at the suffix of the furthest segment
      // reachable through valid labels.
      nameEnd[segments - 1] = -1;
      for (int k = segments - 2; k >= 0; k--) {
        int next = k + 1;
        int further = validLabel(next) ? nameEnd[next] : -1;
        nameEnd[k] = further >= 0 ? further : suffixEnd(next, end);
      }
    }

    private void addSegment(int start, int end) {
      if (segments == segStart.length) {
        segStart = java.util.Arrays.copyOf(segStart, segments * 2);
        segEnd = java.util.Arrays.copyOf(segEnd, segments * 2);
        nameEnd = java.util.Arrays.copyOf(nameEnd, segments * 2);
      }
      segStart[segments] = start;
      segEnd[segments] = end;
      segments++;
    }

    private boolean validLabel(int k) {
      return segEnd[k] > segStart[k] && isAlnum(t.charAt(segStart[k])) && isAlnum(t.charAt(segEnd[k] - 1));
    }

    /** Where an internal suffix at the start of segment {@code k} ends (followed by a non-word character), or -1. */
    private int suffixEnd(int k, int runEnd) {
      int s = segStart[k];
      for (String suffix : HOST_SUFFIXES) {
        int e = s + suffix.length();
        if (e <= segEnd[k] && startsWithIgnoreCase(t, s, suffix)) {
          // inside the run the next character is '-', '.' or alphanumeric; at its end, whatever follows
          boolean boundary = e < runEnd ? !isAlnum(t.charAt(e)) : !isWordAt(t, e);
          if (boundary) {
            return e;
          }
        }
      }
      return -1;
    }

    private int runEnd(int from, int run) {
      int r = from;
      while (r < n && inRun(t.charAt(r), run)) {
        r++;
      }
      return r;
    }
  }

  private static final int JWT_RUN = 0;
  private static final int SK_RUN = 1;
  private static final int TOKEN_RUN = 2;

  private static boolean inRun(char c, int run) {
    if (isAlnum(c)) {
      return true;
    }
    switch (run) {
      case JWT_RUN:
      case SK_RUN:
        return c == '_' || c == '-';
      default:
        return isTokenChar(c);
    }
  }

  /** The end of the {@code [A-Z0-9 ]*} run of a key block's label. */
  private static int keyLabelEnd(CharSequence t, int from) {
    int r = from;
    int n = t.length();
    while (r < n) {
      char c = t.charAt(r);
      if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ')) {
        break;
      }
      r++;
    }
    return r;
  }

  /** Whether the label run {@code [from, runEnd)} ends with {@code PRIVATE KEY} and {@code -----} follows. */
  private static boolean keyLabelEndsRight(CharSequence t, int from, int runEnd) {
    return runEnd - 11 >= from && startsWith(t, runEnd - 11, "PRIVATE KEY") && startsWith(t, runEnd, "-----");
  }

  static boolean isAlnum(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isWordAscii(char c) {
    return isAlnum(c) || c == '_';
  }

  private static boolean isHostChar(char c) {
    return isAlnum(c) || c == '.' || c == '-';
  }

  /** A character of a bearer token: {@code [A-Za-z0-9._~+/=-]}. */
  static boolean isTokenChar(char c) {
    return isAlnum(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=' || c == '-';
  }

  /** White space as the patterns' {@code \s}. */
  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  private static boolean isLineTerminator(char c) {
    return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
  }

  /** A word character as the patterns' {@code \b} sees it: a letter, digit or underscore, or a combining mark. */
  private static boolean isWord(int codePoint) {
    return codePoint == '_' || Character.isLetterOrDigit(codePoint) || Character.getType(codePoint) == Character.NON_SPACING_MARK;
  }

  /** Whether the character before {@code i} is a word character (false at the start). */
  static boolean isWordBefore(CharSequence t, int i) {
    return i > 0 && isWord(Character.codePointBefore(t, i));
  }

  /** Whether the character at {@code i} is a word character (false at the end). */
  static boolean isWordAt(CharSequence t, int i) {
    return i < t.length() && isWord(Character.codePointAt(t, i));
  }

  private static boolean awsPrefix(CharSequence t, int i) {
    for (String prefix : AWS_PREFIXES) {
      if (startsWith(t, i, prefix)) {
        return true;
      }
    }
    return false;
  }

  static boolean startsWith(CharSequence t, int at, String prefix) {
    if (at < 0 || at + prefix.length() > t.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (t.charAt(at + i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** As {@link #startsWith}, ignoring the case of ASCII letters ({@code prefix} in lower case). */
  static boolean startsWithIgnoreCase(CharSequence t, int at, String prefix) {
    if (at < 0 || at + prefix.length() > t.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = t.charAt(at + i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The first index of {@code needle} at or after {@code from}; a first-character skip and then a compare. */
  private static int indexOf(CharSequence t, String needle, int from) {
    if (t instanceof String) {
      return ((String) t).indexOf(needle, from);
    }
    char first = needle.charAt(0);
    for (int i = Math.max(0, from), last = t.length() - needle.length(); i <= last; i++) {
      if (t.charAt(i) == first && startsWith(t, i, needle)) {
        return i;
      }
    }
    return -1;
  }
}
