package dev.mcpgateway.docker;

import com.github.dockerjava.api.DockerClient;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testing.StdioLauncherContract;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The Docker launcher keeps the launcher contract on a real engine, with server-everything in a
 * container; skipped with the reason printed when no engine answers (a failure under {@code CI=true}).
 */
class DockerBackendLauncherContractTest extends StdioLauncherContract {
  private static DockerClient docker;

  @BeforeAll
  static void findEngine() {
    docker = DockerEngine.require();
  }

  @BeforeEach
  void engineAnswers() {
    DockerEngine.assumeAvailable();
  }

  @AfterAll
  static void noContainerRemains() {
    if (docker != null) {
      DockerEngine.assertNoGatewayContainers(docker);
      DockerClients.closeQuietly(docker);
    }
  }

  @Override
  protected BackendLauncher newLauncher() {
    return DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER).gracePeriod(Duration.ofSeconds(5)).build();
  }

  @Override
  protected ServerConfig server() {
    return ServerConfig.container(DockerEngine.EVERYTHING_IMAGE).build("everything");
  }

  /** The base image's shell reads one line and exits. */
  @Override
  protected ServerConfig exitingServer() {
    return ServerConfig.container(DockerEngine.BASE_IMAGE).entrypoint("/bin/sh")
        .entrypointArgs(List.of("-c", "read line; exit 3")).build("exits");
  }

  @Override
  protected ServerConfig unstartableServer() {
    return ServerConfig.container("mcp-gateway-test/absent:1").build("absent");
  }

  /** server-everything's {@code get-env} answers with its whole environment. */
  @Override
  protected String environmentProbe(String variable) {
    return "{\"name\":\"get-env\",\"arguments\":{}}";
  }
}
