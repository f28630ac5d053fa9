package dev.mcpgateway.policy;

import java.util.Collection;
import java.util.List;

/**
 * Exact values to redact (the secrets a server got in its environment), found in time linear in
 * the text: a first-character skip, then Knuth-Morris-Pratt, so that a text built to nearly
 * match a value over and over costs no more than any other. Immutable, thread-safe.
 */
final class SecretValues {
  static final SecretValues NONE = new SecretValues(List.of());

  private final String[] values;
  private final int[][] failures;
  private final int maxLength;
  /** The same values as their UTF-8 bytes, one char per byte; made on first use. */
  private volatile SecretValues utf8Bytes;

  /** The values in the order they are replaced in; empty values are left out. */
  SecretValues(Collection<String> values) {
    this.values = values.stream().filter(v -> v != null && !v.isEmpty()).toArray(String[]::new);
    this.failures = new int[this.values.length][];
    int longest = 0;
    for (int i = 0; i < this.values.length; i++) {
      failures[i] = failure(this.values[i]);
      longest = Math.max(longest, this.values[i].length());
    }
    this.maxLength = longest;
  }

  /**
   * The same values, each as its UTF-8 bytes read one char per byte (ISO-8859-1): what a value
   * looks like in a {@link Redaction.ByteChars} view of the UTF-8 text holding it.
   */
  SecretValues asUtf8Bytes() {
    SecretValues bytes = utf8Bytes;
    if (bytes == null) {
      List<String> forms = new java.util.ArrayList<>(values.length);
      for (String value : values) {
        forms.add(new String(value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      bytes = new SecretValues(forms);
      utf8Bytes = bytes;
    }
    return bytes;
  }

  boolean isEmpty() {
    return values.length == 0;
  }

  int size() {
    return values.length;
  }

  String value(int i) {
    return values[i];
  }

  /** The length of the longest value (0 when there is none). */
  int maxLength() {
    return maxLength;
  }

  /** Whether any value occurs in {@code text}. */
  boolean anyIn(CharSequence text) {
    for (int i = 0; i < values.length; i++) {
      if (indexOf(text, 0, i) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** The first index of value {@code i} in {@code text} at or after {@code from}, or -1. */
  int indexOf(CharSequence text, int from, int i) {
    String value = values[i];
    int[] failure = failures[i];
    int m = value.length();
    int n = text.length();
    char first = value.charAt(0);
    String string = text instanceof String ? (String) text : null;
    int k = 0;
    for (int at = from; at < n; at++) {
      char c = text.charAt(at);
      if (k == 0 && c != first) {
        if (string == null) {
          continue;
        }
        at = string.indexOf(first, at + 1);
        if (at < 0) {
          return -1;
        }
        c = first;
      }
      while (k > 0 && c != value.charAt(k)) {
        k = failure[k - 1];
      }
      if (c == value.charAt(k)) {
        k++;
      }
      if (k == m) {
        return at - m + 1;
      }
    }
    return -1;
  }

  /**
   * Replaces each value everywhere with {@code marker}, the values one after the other in their
   * order (so that a longer value listed first is replaced whole); returns how many were replaced
   * in {@code count[0]}. Returns {@code text} itself when nothing occurs.
   */
  String replace(String text, String marker, int[] count) {
    String out = text;
    for (int i = 0; i < values.length; i++) {
      int at = indexOf(out, 0, i);
      if (at < 0) {
        continue;
      }
      StringBuilder sb = new StringBuilder(out.length());
      int done = 0;
      while (at >= 0) {
        sb.append(out, done, at).append(marker);
        count[0]++;
        done = at + values[i].length();
        at = indexOf(out, done, i);
      }
      out = sb.append(out, done, out.length()).toString();
    }
    return out;
  }

  private static int[] failure(String value) {
    int[] f = new int[value.length()];
    int k = 0;
    for (int i = 1; i < value.length(); i++) {
      while (k > 0 && value.charAt(i) != value.charAt(k)) {
        k = f[k - 1];
      }
      if (value.charAt(i) == value.charAt(k)) {
        k++;
      }
      f[i] = k;
    }
    return f;
  }
}
