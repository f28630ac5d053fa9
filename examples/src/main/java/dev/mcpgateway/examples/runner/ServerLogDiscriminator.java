package dev.mcpgateway.examples.runner;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.sift.AbstractDiscriminator;

/**
 * Sorts the events of the loggers {@code dev.mcpgateway.server.<name>} by server name, for the
 * logback {@code SiftingAppender} that writes {@code {server}.log}. Server names are restricted
 * by the configuration to letters, digits, {@code _ . -}, so they are safe file names.
 */
public final class ServerLogDiscriminator extends AbstractDiscriminator<ILoggingEvent> {
  private static final String PREFIX = "dev.mcpgateway.server.";

  /** The server's name, or {@code gateway} for an event of another logger. */
  @Override
  public String getDiscriminatingValue(ILoggingEvent event) {
    String logger = event.getLoggerName();
    if (logger == null || !logger.startsWith(PREFIX) || logger.length() == PREFIX.length()) {
      return "gateway";
    }
    String server = logger.substring(PREFIX.length());
    return server.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}") && !server.contains("..") ? server : "gateway";
  }

  /** The property the sifted appender's file name uses: {@code ${server}}. */
  @Override
  public String getKey() {
    return "server";
  }
}
