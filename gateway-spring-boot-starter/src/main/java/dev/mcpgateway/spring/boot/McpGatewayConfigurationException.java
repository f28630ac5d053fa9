package dev.mcpgateway.spring.boot;

import java.nio.file.Path;

/**
 * The gateway's configuration could not be used: its file is missing or unreadable, or its
 * content is wrong (then the cause is a {@link dev.mcpgateway.config.ConfigException} and the
 * message names the JSON path). Fails the application's start; {@link McpGatewayFailureAnalyzer}
 * reports it.
 */
public class McpGatewayConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path configFile;

  /**
   * A problem with {@code configFile} (null when the configuration came from a bean).
   *
   * @param configFile the configuration file, or null
   * @param message what is wrong, naming the JSON path when it is the content
   * @param cause the error that made the configuration unusable
   */
  public McpGatewayConfigurationException(Path configFile, String message, Throwable cause) {
    super(message, cause);
    this.configFile = configFile;
  }

  /**
   * The configuration file, or null when the configuration came from a GatewayConfig bean.
   *
   * @return the file, or null
   */
  public Path configFile() {
    return configFile;
  }
}
