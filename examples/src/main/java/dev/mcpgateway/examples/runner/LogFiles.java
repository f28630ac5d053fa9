package dev.mcpgateway.examples.runner;

import java.nio.file.Path;

/** Points the runner's logging configuration at a log directory, when one is given. */
final class LogFiles {
  private LogFiles() {}

  /** Sets the property the bundled {@code logback.xml} reads; must run before the first logger. */
  static void configure(Path logDir) {
    if (logDir != null) {
      System.setProperty("mcp.gateway.logDir", logDir.toAbsolutePath().toString());
    }
  }
}
