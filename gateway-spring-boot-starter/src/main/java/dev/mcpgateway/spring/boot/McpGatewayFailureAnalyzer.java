package dev.mcpgateway.spring.boot;

import dev.mcpgateway.config.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a start that failed on the gateway's configuration as Spring Boot's "APPLICATION FAILED
 * TO START" message: which file, which JSON path, what is wrong, and what to do.
 */
public class McpGatewayFailureAnalyzer extends AbstractFailureAnalyzer<McpGatewayConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, McpGatewayConfigurationException cause) {
    String where = cause.configFile() != null
        ? "The MCP gateway configuration " + cause.configFile() + " (" + McpGatewayProperties.PREFIX + ".config-file)"
        : "The MCP gateway configuration";
    String action;
    ConfigException config = findCause(cause, ConfigException.class);
    if (config != null) {
      action = "Fix " + config.path() + " in the gateway configuration"
          + (cause.configFile() != null ? " " + cause.configFile() : "") + ".";
    } else if (cause.configFile() != null) {
      action = "Point " + McpGatewayProperties.PREFIX + ".config-file at a readable gateway JSON file.";
    } else {
      action = "Correct the gateway configuration.";
    }
    return new FailureAnalysis(where + " cannot be used: " + cause.getMessage(), action, cause);
  }
}
