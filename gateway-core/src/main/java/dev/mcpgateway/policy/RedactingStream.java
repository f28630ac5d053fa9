package dev.mcpgateway.policy;

import dev.mcpgateway.policy.Redaction.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Redacts one text that arrives in pieces, in bounded memory, exactly as {@link Redaction}
 * would redact it whole (but for the one case below).
 *
 * <p>Two stages, as in the whole-text redaction: each exact secret in turn (a stage per secret
 * holds back one character less than the secret, so an occurrence split between pieces is
 * found), then the credential scanner. The scanner's stage holds a window and passes on the part
 * before the last point no match can span: a character no credential contains, a white space
 * that does not follow {@code bearer}, or a {@code + / = ~} that is not in a bearer token, and
 * never inside a private key block. A block without its end line is replaced as soon as it is
 * seen, and the text up to its end line is dropped as it comes.
 *
 * <p>The exception: a window that grows to {@link #MAX_WINDOW} characters without any such
 * point (256 Ki characters of letters, digits, dots and dashes without a space or punctuation)
 * passes on all but its last KiB regardless: a match across that cut goes out whole, one that
 * runs to the window's end swallows the rest of its run as it comes, but a credential or host
 * name that starts more than a KiB before the cut and only completes after it is missed, and a
 * host name longer than the window is redacted in part. Exact secrets are matched exactly and
 * never missed.
 *
 * <p>Not thread-safe: one text, one thread.
 */
final class RedactingStream implements Redaction.TextStream {
  /** The most characters the scanner's window holds before it passes text on regardless. */
  static final int MAX_WINDOW = 256 * 1024;
  /** How many characters the window collects before it looks for a point to pass text on. */
  private static final int MIN_WINDOW = 16 * 1024;
  /** What a window without a safe point keeps when it must pass text on regardless. */
  private static final int FORCED_TAIL = 1024;
  /** What a private key block keeps of its tail, to find its end line. */
  private static final int KEY_TAIL = 4096;

  private final Redaction redaction;
  private final SecretValues secrets;
  private final Appendable out;
  /** Per secret, the text held back because it may begin an occurrence. */
  private final StringBuilder[] held;
  /** The scanner's window: one character of context (at 0, when {@code context}) and then the text not yet passed on. */
  private final StringBuilder window = new StringBuilder();
  private boolean context;
  private final int minWindow;
  private final int maxWindow;
  private int nextLook;
  /** Inside a private key block whose marker went out already: text is dropped up to the end line. */
  private boolean inKeyBlock;
  /** A match ran to the end of a forced window: the rest of its run, as it comes, is part of it. */
  private Kind swallow;
  private boolean finished;

  RedactingStream(Redaction redaction, SecretValues secrets, Appendable out) {
    this(redaction, secrets, out, MIN_WINDOW, MAX_WINDOW);
  }

  /** With other window sizes, for tests. */
  RedactingStream(Redaction redaction, SecretValues secrets, Appendable out, int minWindow, int maxWindow) {
    this.minWindow = minWindow;
    this.maxWindow = maxWindow;
    this.nextLook = minWindow;
    this.redaction = redaction;
    this.secrets = secrets;
    this.out = out;
    this.held = new StringBuilder[secrets.size()];
    for (int i = 0; i < held.length; i++) {
      held[i] = new StringBuilder();
    }
  }

  @Override
  public void append(CharSequence text) {
    if (finished) {
      throw new IllegalStateException("the text is finished");
    }
    secretStage(0, text, false);
  }

  @Override
  public void finish() {
    if (finished) {
      return;
    }
    finished = true;
    secretStage(0, "", true);
  }

  /** Replaces secret {@code i} in what comes, holding back a possible beginning; hands the rest on. */
  private void secretStage(int i, CharSequence text, boolean last) {
    if (i == held.length) {
      scannerStage(text, last);
      return;
    }
    StringBuilder pending = held[i].append(text);
    int length = secrets.value(i).length();
    // An occurrence must start before this to lie wholly in what is here.
    int limit = last ? pending.length() : pending.length() - length + 1;
    StringBuilder passed = new StringBuilder();
    int done = 0;
    int at = limit > 0 ? secrets.indexOf(pending, 0, i) : -1;
    while (at >= 0 && at < limit) {
      passed.append(pending, done, at).append(Redaction.marker(Kind.SECRET));
      redaction.counted(Kind.SECRET);
      done = at + length;
      at = secrets.indexOf(pending, done, i);
    }
    int keep = Math.max(done, Math.max(0, limit));
    passed.append(pending, done, keep);
    pending.delete(0, keep);
    if (passed.length() > 0 || last) {
      secretStage(i + 1, passed, last);
    }
  }

  private void scannerStage(CharSequence text, boolean last) {
    if (swallow != null) {
      int i = 0;
      while (i < text.length() && continues(swallow, text.charAt(i))) {
        i++;
      }
      if (i > 0) {
        window.setLength(0);
        window.append(text.charAt(i - 1));
        context = true;
      }
      if (i < text.length()) {
        swallow = null;
      }
      text = text.subSequence(i, text.length());
    }
    window.append(text);
    if (redaction.scanner().isEmpty()) {
      emit(window, contextLength(), window.length());
      window.setLength(0);
      context = false;
      return;
    }
    if (last) {
      flush(true);
    } else if (window.length() >= nextLook) {
      flush(false);
      nextLook = Math.max(minWindow, 2 * window.length());
    }
  }

  private int contextLength() {
    return context ? 1 : 0;
  }

  /** Whether {@code c} carries on the run of a match of {@code kind} (generously: more is dropped rather than less). */
  private static boolean continues(Kind kind, char c) {
    switch (kind) {
      case INTERNAL_HOST:
        return CredentialScanner.isAlnum(c) || c == '.' || c == '-';
      case BEARER:
        return CredentialScanner.isTokenChar(c);
      case PRIVATE_IP:
        return c >= '0' && c <= '9';
      default:
        return CredentialScanner.isAlnum(c) || c == '_' || c == '-';
    }
  }

  /** Passes on what can be passed: all of it at the end, else up to the last safe point. */
  private void flush(boolean last) {
    if (inKeyBlock) {
      int end = CredentialScanner.privateKeyEnd(window, contextLength());
      if (end < 0) {
        if (last) {
          // the block ran to the end of the text: as the pattern's "$", a final line terminator stays
          emitFinalTerminator();
          return;
        }
        keepTail(KEY_TAIL);
        return;
      }
      inKeyBlock = false;
      window.delete(0, end - 1);
      context = true;
    }
    if (last) {
      List<int[]> matches = new ArrayList<>();
      scan(window, matches, null);
      emitWithMatches(matches, window.length());
      window.setLength(0);
      return;
    }
    int cut = safeCut();
    if (cut >= 0) {
      // No match spans the cut but a key block: the text up to it (and the character at it, as
      // what follows a match) scans as the whole window would.
      List<int[]> matches = new ArrayList<>();
      int[] openKey = {-1};
      scan(window.substring(0, cut + 1), matches, openKey);
      if (openKey[0] >= 0) {
        cut = openKey[0] > contextLength() ? openKey[0] : -1; // a key block still open: only the text before it can go
      }
      if (cut >= 0) {
        emitWithMatches(matches, cut);
        // keep one character before the cut as context for what follows
        window.delete(0, cut - 1);
        context = true;
        return;
      }
    }
    if (window.length() < maxWindow) {
      return;
    }
    List<int[]> matches = new ArrayList<>();
    int[] openKey = {-1};
    scan(window, matches, openKey);
    if (openKey[0] >= contextLength()) {
      // A key block without an end line yet: its marker goes out now and its text is dropped as it comes.
      emitWithMatches(matches, openKey[0]);
      out(Redaction.marker(Kind.PRIVATE_KEY));
      redaction.counted(Kind.PRIVATE_KEY);
      inKeyBlock = true;
      window.delete(0, openKey[0]);
      context = false;
      keepTail(KEY_TAIL);
      return;
    }
    // No point no credential spans in the whole window: all but a tail goes out, as the window
    // scans; a match across the cut goes out whole, and one that runs to the window's end goes
    // on swallowing its run as it comes.
    int forced = Math.max(contextLength() + 1, window.length() - FORCED_TAIL);
    for (int[] m : matches) {
      if (m[0] < forced && m[1] > forced) {
        forced = m[1];
        if (m[1] >= window.length()) {
          swallow = Kind.values()[m[2]];
        }
        break;
      }
    }
    emitWithMatches(matches, forced);
    window.delete(0, forced - 1);
    context = true;
  }

  private void scan(CharSequence text, List<int[]> matches, int[] openKey) {
    redaction.scanner().scan(text, contextLength(), (start, end, kind, open) -> {
      matches.add(new int[] {start, end, kind.ordinal()});
      if (open && openKey != null) {
        openKey[0] = start;
      }
      return true;
    });
  }

  /**
   * The last point (an index into the window) before which everything can be passed on, or -1:
   * no match but a private key block can contain both the character before it and the one at
   * it. Each character is looked at once: a run that fails the test is skipped whole.
   */
  private int safeCut() {
    int from = contextLength() + 1;
    for (int c = window.length() - 1; c >= from; c--) {
      char ch = window.charAt(c);
      if (CredentialScanner.isSpace(ch)) {
        int w = spaceRunStart(c);
        if (!bearerBefore(w) && !(ch == ' ' && inKeyHeader(c))) {
          return c;
        }
        c = w;
      } else if (ch == '+' || ch == '/' || ch == '=' || ch == '~') {
        int r = c;
        while (r > 0 && CredentialScanner.isTokenChar(window.charAt(r - 1))) {
          r--;
        }
        if (!(r > 0 && CredentialScanner.isSpace(window.charAt(r - 1)) && bearerBefore(spaceRunStart(r - 1)))) {
          return c;
        }
        c = r;
      } else if (!CredentialScanner.isTokenChar(ch)) {
        return c; // no credential contains it (nor '_', which is a token character)
      }
    }
    return -1;
  }

  /** Whether the space at {@code c} may be inside the label of a key block's first line ({@code -----BEGIN RSA ...}). */
  private boolean inKeyHeader(int c) {
    int q = c;
    while (q > 0 && isKeyLabelChar(window.charAt(q - 1))) {
      q--;
    }
    // the label run starts with BEGIN itself, right after the dashes
    return q >= 5 && CredentialScanner.startsWith(window, q - 5, "-----BEGIN ");
  }

  private static boolean isKeyLabelChar(char c) {
    return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ';
  }

  private int spaceRunStart(int c) {
    int w = c;
    while (w > 0 && CredentialScanner.isSpace(window.charAt(w - 1))) {
      w--;
    }
    return w;
  }

  /** Whether the word {@code bearer} ends at {@code w}. */
  private boolean bearerBefore(int w) {
    int b = w - 6;
    return b >= 0 && CredentialScanner.startsWithIgnoreCase(window, b, "bearer") && !CredentialScanner.isWordBefore(window, b);
  }

  private void emitWithMatches(List<int[]> matches, int end) {
    int done = contextLength();
    for (int[] m : matches) {
      if (m[1] > end) {
        break;
      }
      emit(window, done, m[0]);
      Kind kind = Kind.values()[m[2]];
      out(Redaction.marker(kind));
      redaction.counted(kind);
      done = m[1];
    }
    emit(window, done, end);
  }

  private void keepTail(int chars) {
    if (window.length() > chars) {
      window.delete(0, window.length() - chars);
    }
  }

  private void emitFinalTerminator() {
    int n = window.length();
    int start = contextLength();
    if (n - start >= 2 && window.charAt(n - 2) == '\r' && window.charAt(n - 1) == '\n') {
      out("\r\n");
    } else if (n - start >= 1 && "\n\r\u0085\u2028\u2029".indexOf(window.charAt(n - 1)) >= 0) {
      out(String.valueOf(window.charAt(n - 1)));
    }
    window.setLength(0);
  }

  private void emit(CharSequence text, int start, int end) {
    if (end > start) {
      try {
        out.append(text, start, end);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void out(String text) {
    emit(text, 0, text.length());
  }
}
