package dev.mcpgateway.testing;

import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.ServerConfig;

/** The in-memory launcher keeps the launcher contract. */
class InMemoryBackendLauncherContractTest extends StdioLauncherContract {
  @Override
  protected BackendLauncher newLauncher() {
    return InMemoryBackendLauncher.builder().unstartable("absent").exitingAfterFirstMessage("exits").build();
  }

  @Override
  protected ServerConfig server() {
    return ServerConfig.command("in-memory").build("memory");
  }

  @Override
  protected ServerConfig exitingServer() {
    return ServerConfig.command("in-memory").build("exits");
  }

  @Override
  protected ServerConfig unstartableServer() {
    return ServerConfig.command("in-memory").build("absent");
  }

  @Override
  protected String environmentProbe(String variable) {
    return "{\"name\":\"env\",\"arguments\":{\"name\":\"" + variable + "\"}}";
  }
}
