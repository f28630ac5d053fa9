package dev.mcpgateway.backend;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Turns a backend's stderr bytes into log lines that are bounded and redacted: each line keeps
 * at most {@link #MAX_LINE_BYTES} bytes, the rest counted in a {@code …[truncated N bytes]}
 * marker, and passes the request's {@link LaunchRequest#redactor()} before it reaches
 * {@code sink}. Memory per backend stays bounded however long a line is: beyond the limit, a
 * margin as long as the longest environment value (plus 4 KiB) is kept so that a secret that
 * straddles the cut is still recognized and replaced; the remaining bytes are only counted.
 *
 * <pre>{@code
 * StderrLines stderr = new StderrLines(request, line -> serverLog.info("[stderr] {}", line));
 * stderr.feed(bytes, 0, n); // as they arrive
 * stderr.finish();          // at the end of the stream
 * }</pre>
 *
 * <p>Not thread-safe: one reader feeds it. {@code sink} runs on that reader.
 */
public final class StderrLines {
  /** The most bytes of one line that reach the log. */
  public static final int MAX_LINE_BYTES = 8 * 1024;

  private final UnaryOperator<String> redactor;
  private final Consumer<String> sink;
  private final byte[] head;
  private int held;
  private long lineBytes;

  /**
   * Lines of the backend started by {@code request}, redacted with its redactor, to {@code sink}.
   *
   * @param request the launch request of the backend whose stderr this reads
   * @param sink receives each redacted line
   */
  public StderrLines(LaunchRequest request, Consumer<String> sink) {
    this(request.redactor(), longest(request), sink);
  }

  StderrLines(UnaryOperator<String> redactor, int longestSecretChars, Consumer<String> sink) {
    this.redactor = Objects.requireNonNull(redactor, "redactor");
    this.sink = Objects.requireNonNull(sink, "sink");
    // a character is at most 4 bytes of UTF-8; what starts before the cut is kept whole
    this.head = new byte[MAX_LINE_BYTES + 4 * longestSecretChars + 4096];
  }

  private static int longest(LaunchRequest request) {
    int longest = 0;
    for (String value : request.environment().values()) {
      longest = Math.max(longest, value.length());
    }
    return longest;
  }

  /**
   * Takes the next bytes of stderr; logs each line they complete.
   *
   * @param bytes holds the bytes
   * @param offset where they start in {@code bytes}
   * @param length how many there are
   */
  public void feed(byte[] bytes, int offset, int length) {
    for (int i = offset, end = offset + length; i < end; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        emit();
        continue;
      }
      if (held < head.length) {
        head[held++] = b;
      }
      lineBytes++;
    }
  }

  /** Ends the stream: a last line without a newline is logged too. */
  public void finish() {
    if (lineBytes > 0) {
      emit();
    }
  }

  private void emit() {
    int n = held;
    if (n > 0 && head[n - 1] == '\r') {
      n--;
    }
    String line = redactor.apply(new String(head, 0, n, StandardCharsets.UTF_8));
    if (lineBytes > MAX_LINE_BYTES) {
      line = cut(line, MAX_LINE_BYTES) + "…[truncated " + (lineBytes - MAX_LINE_BYTES) + " bytes]";
    }
    held = 0;
    lineBytes = 0;
    sink.accept(line);
  }

  /** The longest prefix of {@code text} of at most {@code maxBytes} bytes of UTF-8, not splitting a character. */
  private static String cut(String text, int maxBytes) {
    int bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + size > maxBytes) {
        return text.substring(0, i);
      }
      bytes += size;
      i += Character.charCount(cp);
    }
    return text;
  }
}
