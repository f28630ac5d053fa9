package dev.mcpgateway.testing;

import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.backend.ProcessBackendLauncher;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.time.Duration;
import java.util.List;

/** The process launcher keeps the launcher contract, with the Java test server as a real child process. */
class ProcessBackendLauncherContractTest extends StdioLauncherContract {
  @Override
  protected BackendLauncher newLauncher() {
    return ProcessBackendLauncher.builder().gracePeriod(Duration.ofSeconds(1)).build();
  }

  @Override
  protected ServerConfig server() {
    List<String> line = StdioTestServer.commandLine();
    return ServerConfig.command(line.get(0), line.subList(1, line.size()).toArray(String[]::new)).build("stdio-test");
  }

  @Override
  protected ServerConfig exitingServer() {
    return ServerConfig.command("/bin/sh", "-c", "read line; exit 3").build("exits");
  }

  @Override
  protected ServerConfig unstartableServer() {
    return ServerConfig.command("/nonexistent/mcp-server").build("absent");
  }

  @Override
  protected String environmentProbe(String variable) {
    return "{\"name\":\"env\",\"arguments\":{\"name\":\"" + variable + "\"}}";
  }
}
