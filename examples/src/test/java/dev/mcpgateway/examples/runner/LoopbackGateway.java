package dev.mcpgateway.examples.runner;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.GatewayConfig;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The standalone runner's HTTP side (Jetty with the gateway servlet, as
 * {@code java -jar mcp-gateway.jar} serves it) on 127.0.0.1 and a free port, for tests in other
 * packages. {@link #close()} stops Jetty, every session and every backend.
 */
public final class LoopbackGateway implements AutoCloseable {
  private final GatewayRunner.Running running;

  private LoopbackGateway(GatewayRunner.Running running) {
    this.running = running;
  }

  /** Builds the gateway for {@code config} exactly as the runner does and serves it. */
  public static LoopbackGateway start(GatewayConfig config) throws Exception {
    return new LoopbackGateway(GatewayRunner.start(config, "127.0.0.1", 0));
  }

  /**
   * Serves a gateway the test built itself (custom keep-alive, event store, listeners...) on the
   * runner's Jetty setup. The returned handle owns {@code gateway} and closes it.
   */
  public static LoopbackGateway serve(McpGateway gateway) throws Exception {
    return serve(gateway, null);
  }

  /**
   * Like {@link #serve(McpGateway)}, with Jetty's connection idle timeout set to
   * {@code idleTimeout} instead of the runner's 30 s (null keeps it), so that tests can show
   * what outlives it.
   */
  public static LoopbackGateway serve(McpGateway gateway, Duration idleTimeout) throws Exception {
    Server server = GatewayRunner.jetty(gateway, "127.0.0.1", 0);
    if (idleTimeout != null) {
      ((ServerConnector) server.getConnectors()[0]).setIdleTimeout(idleTimeout.toMillis());
    }
    try {
      server.start();
    } catch (Exception e) {
      gateway.close();
      throw e;
    }
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return new LoopbackGateway(new GatewayRunner.Running(gateway, server, "127.0.0.1", port, Optional.empty(), false, null));
  }

  /** The port Jetty listens on. */
  public int port() {
    return running.port;
  }

  /** The Streamable HTTP endpoint of {@code server}: {@code http://127.0.0.1:<port>/mcp/<server>}. */
  public String url(String server) {
    return "http://127.0.0.1:" + running.port + "/mcp/" + server;
  }

  /** The gateway being served. */
  public McpGateway gateway() {
    return running.gateway;
  }

  @Override
  public void close() {
    running.stop();
  }
}
