package com.example.embedding;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.docker.DockerBackendLauncher;
import dev.mcpgateway.servlet.McpGatewayServlet;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The README's embedding snippet as an application: the gateway for a configuration file,
 * served by Jetty 12 (ee10) under {@code /tools}. Only the configuration's path and the port
 * are parameters here.
 */
public final class GatewayInJetty implements AutoCloseable {
  private final McpGateway gateway;
  private final Server server;

  /** Starts Jetty on 127.0.0.1 and {@code port} (0: any free port) with the gateway for {@code configFile}. */
  public GatewayInJetty(Path configFile, int port) throws Exception {
    // --- the README's snippet, as written there
    GatewayConfig config = GatewayConfig.read(configFile);
    McpGateway gateway = McpGateway.builder(config)
        .authenticator(ApiKeyAuthenticator.fromConfig(config))              // gateway-auth
        .launcher(BackendKind.CONTAINER, DockerBackendLauncher.create())    // gateway-docker
        .launcher(BackendKind.COMMAND, BackendLauncher.process())           // `command` servers (no isolation)
        .build();

    Server server = new Server(new InetSocketAddress("127.0.0.1", port)); // Jetty 12 ee10
    ServletContextHandler context = new ServletContextHandler("/tools");
    ServletHolder mcp = new ServletHolder("mcp", new McpGatewayServlet(gateway));
    mcp.setAsyncSupported(true);                                          // required
    context.addServlet(mcp, "/*");                                        // /tools/mcp/{server}
    server.setHandler(context);
    server.start();
    // --- end of the snippet
    this.gateway = gateway;
    this.server = server;
  }

  /** The port Jetty listens on. */
  public int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** Stops Jetty, then closes the gateway, as the README says. */
  @Override
  public void close() throws Exception {
    server.stop();
    gateway.close();
  }
}
