package dev.mcpgateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A configuration the gateway cannot use fails the application's start, naming the JSON path
 * (as the standalone runner does), and Spring Boot's failure report says which file and what to do.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationErrorsTest {
  @TempDir
  Path dir;

  @Test
  void anUnknownFieldFailsTheStartNamingItsJsonPath(CapturedOutput output) throws Exception {
    Path file = Apps.configFile(dir, """
        {"gateway": {"payloadDir": "PAYLOADS", "toolTimeoutt": 5},
         "mcpServers": {"echo": {"type": "stdio", "command": "echo"}}}
        """);

    Throwable failure = catchThrowable(() -> Apps.run(List.of(), "mcp.gateway.config-file=" + file));

    McpGatewayConfigurationException cause = findCause(failure, McpGatewayConfigurationException.class);
    assertThat(cause).as("cause of %s", failure).isNotNull();
    assertThat(cause.getMessage()).contains("$.gateway.toolTimeoutt");
    assertThat(cause.configFile()).isEqualTo(file);
    assertThat(findCause(failure, ConfigException.class).path()).isEqualTo("$.gateway.toolTimeoutt");
    // Spring Boot's report, from McpGatewayFailureAnalyzer
    assertThat(output.toString()).contains("APPLICATION FAILED TO START")
        .contains("The MCP gateway configuration " + file + " (mcp.gateway.config-file) cannot be used: $.gateway.toolTimeoutt")
        .contains("Fix $.gateway.toolTimeoutt in the gateway configuration " + file + ".");
  }

  @Test
  void aServerWithoutALauncherFailsTheStartNamingItsJsonPath() throws Exception {
    // container servers need gateway-docker (hidden here) or a registered launcher
    Path file = Apps.configFile(dir, """
        {"gateway": {"payloadDir": "PAYLOADS"},
         "mcpServers": {"boxed": {"type": "stdio", "container": "example/server@sha256:%s"}}}
        """.formatted("a".repeat(64)));

    Throwable failure = catchThrowable(() -> Apps.run(new FilteredClassLoader("dev.mcpgateway.docker."), List.of(),
        "mcp.gateway.config-file=" + file));

    McpGatewayConfigurationException cause = findCause(failure, McpGatewayConfigurationException.class);
    assertThat(cause).as("cause of %s", failure).isNotNull();
    assertThat(cause.getMessage()).startsWith("$.mcpServers.boxed: container servers need a launcher")
        .contains("gateway-docker", "BackendLauncherRegistration.of(BackendKind.CONTAINER, launcher)");
  }

  @Test
  void clusterModeWithoutGatewayRedisFailsTheStartNamingItsJsonPath() throws Exception {
    Path file = Apps.configFile(dir, """
        {"gateway": {"payloadDir": "PAYLOADS",
                     "cluster": {"redis": "redis://127.0.0.1:1", "secret": "%s"}},
         "mcpServers": {"echo": {"type": "stdio", "command": "echo"}}}
        """.formatted("s".repeat(16) + "0123456789abcdefghij"));

    Throwable failure = catchThrowable(() -> Apps.run(new FilteredClassLoader("dev.mcpgateway.redis."), List.of(),
        "mcp.gateway.config-file=" + file));

    McpGatewayConfigurationException cause = findCause(failure, McpGatewayConfigurationException.class);
    assertThat(cause).as("cause of %s", failure).isNotNull();
    assertThat(cause.getMessage()).isEqualTo("$.gateway.cluster: cluster mode needs dev.mcpgateway:gateway-redis on the class path");
  }

  @Test
  void aMissingFileFailsTheStartNamingIt() {
    Path file = dir.resolve("nowhere.json");

    Throwable failure = catchThrowable(() -> Apps.run(List.of(), "mcp.gateway.config-file=" + file));

    McpGatewayConfigurationException cause = findCause(failure, McpGatewayConfigurationException.class);
    assertThat(cause).as("cause of %s", failure).isNotNull();
    assertThat(cause.getMessage()).isEqualTo("no such file: " + file);
    FailureAnalysis analysis = new McpGatewayFailureAnalyzer().analyze(failure);
    assertThat(analysis.getDescription()).contains(file.toString()).contains("no such file");
    assertThat(analysis.getAction()).contains("mcp.gateway.config-file");
  }

  @Configuration(proxyBeanMethods = false)
  static class BareLauncher {
    @Bean
    BackendLauncher processes() {
      return BackendLauncher.process();
    }
  }

  @Test
  void aLauncherBeanWithoutItsKindFailsTheStart() throws Exception {
    Path file = Apps.configFile(dir, """
        {"gateway": {"payloadDir": "PAYLOADS"}, "mcpServers": {"echo": {"type": "stdio", "command": "echo"}}}
        """);

    Throwable failure = catchThrowable(() -> Apps.run(List.of(BareLauncher.class), "mcp.gateway.config-file=" + file));

    IllegalStateException cause = findCause(failure, IllegalStateException.class);
    assertThat(cause).as("cause of %s", failure).isNotNull();
    assertThat(cause.getMessage()).isEqualTo("BackendLauncher bean 'processes' says no BackendKind: declare it as a "
        + "BackendLauncherRegistration.of(BackendKind.<KIND>, launcher) bean instead");
  }

  private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
