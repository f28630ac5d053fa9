package dev.mcpgateway.auth.apikey;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads what slf4j-simple wrote to the test log file (set by surefire) since {@link #start()}.
 * Every logger of the test JVM writes there, at DEBUG and above.
 */
final class LogCapture {
  private final Path file;
  private final long start;

  private LogCapture(Path file, long start) {
    this.file = file;
    this.start = start;
  }

  static LogCapture start() {
    String name = System.getProperty("org.slf4j.simpleLogger.logFile");
    if (name == null || name.equals("System.err") || name.equals("System.out")) {
      throw new IllegalStateException("run through Maven: surefire sets org.slf4j.simpleLogger.logFile");
    }
    // Make sure slf4j-simple has opened the file before we measure it.
    org.slf4j.LoggerFactory.getLogger("test").debug("log capture starts");
    Path file = Path.of(name);
    try {
      return new LogCapture(file, Files.exists(file) ? Files.size(file) : 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Everything logged since {@link #start()}. */
  String text() {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      in.seek(start);
      byte[] bytes = new byte[(int) (in.length() - start)];
      in.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The lines logged since {@link #start()}. */
  List<String> lines() {
    return text().lines().toList();
  }
}
