package dev.mcpgateway.examples.runner;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.Set;

/**
 * Prepares the log directory and points the runner's logging at it.
 *
 * <p>Layout: {@code mcp-gateway.log} (every line, in the seed's format
 * {@code [2026-01-08T23:00:03Z] [ERROR] [auth] ...}), {@code {server}.log} per server (the
 * backend's stderr and lifecycle: loggers {@code dev.mcpgateway.server.<name>}), and
 * {@code rpc-messages.jsonl} (logger {@code rpc}, one JSON object per message). The directory is
 * created owner-only (0700) and the files owner read/write (0600) where the file system allows.
 */
final class LogFiles {
  /** Writes what the logging threads still hold and stops logging; for the end of the process. */
  static void flush() {
    org.slf4j.ILoggerFactory factory = org.slf4j.LoggerFactory.getILoggerFactory();
    if (factory instanceof ch.qos.logback.classic.LoggerContext) {
      ((ch.qos.logback.classic.LoggerContext) factory).stop();
    }
  }

  /** The main log. */
  static final String GATEWAY_LOG = "mcp-gateway.log";
  /** The message log. */
  static final String RPC_LOG = "rpc-messages.jsonl";
  /** The logback configuration that writes the directory (besides stderr). */
  static final String CONFIGURATION = "logback-logdir.xml";

  private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private LogFiles() {}

  /**
   * Creates {@code logDir} and its fixed files, and selects the logback configuration that writes
   * them; must run before the first logger. Does nothing for {@code null} (stderr only).
   *
   * @throws IllegalArgumentException when the directory cannot be created or written
   */
  static void configure(Path logDir) {
    if (logDir == null) {
      return;
    }
    Path dir = logDir.toAbsolutePath().normalize();
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        restrict(dir, DIRECTORY);
      }
      createFile(dir.resolve(GATEWAY_LOG));
      createFile(dir.resolve(RPC_LOG));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("--log-dir: cannot use " + dir + ": " + e.getMessage());
    }
    System.setProperty("mcp.gateway.logDir", dir.toString());
    System.setProperty("logback.configurationFile", CONFIGURATION);
  }

  /** Creates {@code {server}.log} owner-only for each server, before logback first writes to them. */
  static void prepareServerLogs(Path logDir, Collection<String> servers) throws IOException {
    if (logDir == null) {
      return;
    }
    Path dir = logDir.toAbsolutePath().normalize();
    for (String server : servers) {
      createFile(dir.resolve(server + ".log"));
    }
  }

  private static void createFile(Path file) throws IOException {
    try {
      Files.createFile(file);
      restrict(file, FILE);
    } catch (FileAlreadyExistsException e) {
      // appended to, as logs are; its permissions are the operator's
    }
  }

  private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, permissions);
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: keep its defaults
    }
  }
}
