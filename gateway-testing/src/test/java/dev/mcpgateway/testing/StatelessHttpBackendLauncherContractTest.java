package dev.mcpgateway.testing;

import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.backend.HttpBackendLauncher;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.NodeProcess;
import dev.mcpgateway.testsupport.NodeTools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The HTTP launcher keeps the launcher contract with a server of the stateless revision
 * 2026-07-28 too ({@code stateless-server.mjs}; skipped visibly without Node), whose
 * {@code initialize} and {@code ping} the backend answers itself.
 */
class StatelessHttpBackendLauncherContractTest extends BackendLauncherContract {
  private static final String HEADER_SECRET = "header-secret-" + UUID.randomUUID();
  private static NodeProcess remote;
  private static String url;

  @BeforeAll
  static void startRemote() throws IOException {
    NodeTools.assumeNode();
    remote = NodeTools.statelessServerHttp().start();
    url = NodeTools.awaitListeningUrl(remote);
  }

  @AfterAll
  static void stopRemote() {
    if (remote != null) {
      remote.close();
    }
  }

  @Override
  protected BackendLauncher newLauncher() {
    return HttpBackendLauncher.builder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Override
  protected ServerConfig server() {
    return ServerConfig.http(url).header("X-Contract-Token", HEADER_SECRET).build("stateless");
  }

  /** A remote where nothing listens: the first message finds it unreachable and the backend ends. */
  @Override
  protected ServerConfig exitingServer() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return ServerConfig.http("http://127.0.0.1:" + socket.getLocalPort() + "/mcp").build("gone");
    } catch (IOException e) {
      throw new IllegalStateException("no free port on loopback", e);
    }
  }

  @Override
  protected ServerConfig unstartableServer() {
    return ServerConfig.http("ftp://127.0.0.1/mcp").header("X-Contract-Token", HEADER_SECRET).build("ftp");
  }
}
