package dev.mcpgateway.examples.runner;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.GatewayConfig;

/**
 * The standalone runner ({@link GatewayRunner#start}: the gateway on Jetty, as
 * {@code java -jar mcp-gateway.jar} serves it) on 127.0.0.1 and a free port, for tests in other
 * packages. {@link #close()} stops Jetty, every session and every backend.
 */
public final class LoopbackGateway implements AutoCloseable {
  private final GatewayRunner.Running running;

  private LoopbackGateway(GatewayRunner.Running running) {
    this.running = running;
  }

  /** Serves {@code config} on 127.0.0.1 and a free port. */
  public static LoopbackGateway start(GatewayConfig config) throws Exception {
    return new LoopbackGateway(GatewayRunner.start(config, "127.0.0.1", 0));
  }

  /** The port Jetty listens on. */
  public int port() {
    return running.port;
  }

  /** The Streamable HTTP endpoint of {@code server}: {@code http://127.0.0.1:<port>/mcp/<server>}. */
  public String url(String server) {
    return "http://127.0.0.1:" + running.port + "/mcp/" + server;
  }

  /** The gateway the runner built. */
  public McpGateway gateway() {
    return running.gateway;
  }

  @Override
  public void close() {
    running.stop();
  }
}
