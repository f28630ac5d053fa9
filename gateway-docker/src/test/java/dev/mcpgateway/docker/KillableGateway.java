package dev.mcpgateway.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway in a JVM of its own, for tests that kill it without any cleanup: it opens an MCP
 * session on each of its servers, prints {@code <server> <container id>} for each, then
 * {@code ready}, and waits until its stdin ends.
 *
 * <p>Servers: {@code everything} is server-everything as it is, which exits when its input ends;
 * {@code lingering} is server-everything followed by {@code sleep}, a server that keeps running
 * after its input ends, as many do. A test kills it before that; should the test JVM die first, the gateway
 * closes when stdin ends, so nothing is left behind.
 */
public final class KillableGateway {
  static final List<String> SERVERS = List.of("everything", "lingering");
  static final String READY = "ready";

  private KillableGateway() {}

  /** Starts {@link #main} with the test class path; stdout is a pipe, stderr (the log) goes to {@code log}. */
  static Process start(Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(StdioTestServer.javaBinary(), "-XX:TieredStopAtLevel=1",
        // the child must not truncate the test JVM's log file, which tests read
        "-Dorg.slf4j.simpleLogger.logFile=System.err",
        "-cp", System.getProperty("java.class.path"), KillableGateway.class.getName()));
    return new ProcessBuilder(command).redirectError(log.toFile()).start();
  }

  public static void main(String[] args) throws Exception {
    GatewayConfig config = GatewayConfig.builder()
        .server(ServerConfig.container(DockerEngine.EVERYTHING_IMAGE).build("everything"))
        .server(ServerConfig.container(DockerEngine.EVERYTHING_IMAGE).entrypoint("/bin/sh")
            .entrypointArgs(List.of("-c", "node /app/node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio;"
                + " exec sleep 600"))
            .build("lingering"))
        .build();
    DockerBackendLauncher launcher = DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER)
        .gracePeriod(Duration.ofSeconds(1)).build();
    McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.CONTAINER, launcher).build();
    DockerClient docker = DockerClients.connect(DockerClients.resolveHost(null));
    for (String server : SERVERS) {
      new TestClient(gateway, server, null).initialize();
      List<Container> mine = DockerEngine.own(docker, ContainerJanitor.SERVER + "=" + server);
      if (mine.size() != 1) {
        throw new IllegalStateException("expected one container of server '" + server + "', found " + mine.size());
      }
      System.out.println(server + " " + mine.get(0).getId());
    }
    System.out.println(READY);
    System.out.flush();
    // The test kills this process with SIGKILL; stdin ends only if the test JVM went first.
    while (System.in.read() >= 0) {
      // wait
    }
    gateway.close();
    DockerClients.closeQuietly(docker);
  }
}
