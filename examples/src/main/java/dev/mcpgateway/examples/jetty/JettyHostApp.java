package dev.mcpgateway.examples.jetty;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.servlet.McpGatewayServlet;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A Jetty 12 application that serves the gateway under {@code /tools}: {@code /tools/mcp/{server}}. */
public final class JettyHostApp {
  private JettyHostApp() {}

  /** Starts Jetty on {@code 127.0.0.1:port} with the gateway for {@code config}; stop the server, then close the gateway. */
  public static Server start(GatewayConfig config, int port) throws Exception {
    McpGateway gateway = McpGateway.builder(config)
        .authenticator(ApiKeyAuthenticator.fromConfig(config))
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(30_000); // slow clients lose their connection, not others' threads
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/tools");
    ServletHolder mcp = new ServletHolder("mcp", new McpGatewayServlet(gateway));
    mcp.setAsyncSupported(true);
    context.addServlet(mcp, "/*");
    server.setHandler(context);
    server.addEventListener(new org.eclipse.jetty.util.component.LifeCycle.Listener() {
      @Override
      public void lifeCycleStopped(org.eclipse.jetty.util.component.LifeCycle event) {
        gateway.close(); // the application owns the gateway
      }
    });
    server.start();
    return server;
  }

  public static void main(String[] args) throws Exception {
    Server server = start(GatewayConfig.read(Path.of(args.length > 0 ? args[0] : "gateway.json")), 8080);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }));
    server.join();
  }
}
