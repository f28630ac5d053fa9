package dev.mcpgateway.internal.connection;

import java.util.Locale;

/**
 * The log levels of MCP's {@code logging/setLevel} and {@code notifications/message}, in the
 * order of RFC 5424 from the most verbose to the least: a session set to a level receives
 * messages at that level and above.
 */
public enum LogLevel {
  DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY;

  /** The level named {@code name} as MCP spells it ({@code "warning"}); null when it names none. */
  public static LogLevel of(String name) {
    if (name == null) {
      return null;
    }
    for (LogLevel level : values()) {
      if (level.wireName().equals(name)) {
        return level;
      }
    }
    return null;
  }

  /** The name on the wire: lower case, as in {@code {"level":"error"}}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether a message at this level passes a session set to {@code threshold}. */
  public boolean passes(LogLevel threshold) {
    return compareTo(threshold) >= 0;
  }

  /** The more verbose of this and {@code other}; {@code other} may be null. */
  public LogLevel moreVerbose(LogLevel other) {
    return other == null || compareTo(other) <= 0 ? this : other;
  }
}
