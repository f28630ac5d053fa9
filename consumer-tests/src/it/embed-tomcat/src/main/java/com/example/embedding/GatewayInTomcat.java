package com.example.embedding;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.docker.DockerBackendLauncher;
import dev.mcpgateway.servlet.McpGatewayServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;

/**
 * The README's gateway, mounted in embedded Tomcat 11 as docs/servlet.md shows, under
 * {@code /gw}. Only the configuration's path and the port are parameters here.
 */
public final class GatewayInTomcat implements AutoCloseable {
  private final McpGateway gateway;
  private final Tomcat tomcat;

  /** Starts Tomcat on {@code port} (0: any free port) with the gateway for {@code configFile}. */
  public GatewayInTomcat(Path configFile, int port) throws Exception {
    // --- the README's gateway
    GatewayConfig config = GatewayConfig.read(configFile);
    McpGateway gateway = McpGateway.builder(config)
        .authenticator(ApiKeyAuthenticator.fromConfig(config))              // gateway-auth
        .launcher(BackendKind.CONTAINER, DockerBackendLauncher.create())    // gateway-docker
        .launcher(BackendKind.COMMAND, BackendLauncher.process())           // `command` servers (no isolation)
        .build();
    // --- docs/servlet.md's Tomcat 11 snippet, as written there
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("tomcat").toString());
    tomcat.setPort(port);
    Context context = tomcat.addContext("/gw", null);
    Wrapper wrapper = Tomcat.addServlet(context, "mcp", new McpGatewayServlet(gateway));
    wrapper.setAsyncSupported(true);
    context.addServletMapping("/*", "mcp");
    tomcat.getConnector().setProperty("address", "127.0.0.1"); // creates the default HTTP connector
    tomcat.start();
    // --- end of the snippets
    this.gateway = gateway;
    this.tomcat = tomcat;
  }

  /** The port Tomcat listens on. */
  public int port() {
    return tomcat.getConnector().getLocalPort();
  }

  /** Stops and destroys Tomcat, then closes the gateway, as docs/servlet.md says. */
  @Override
  public void close() throws Exception {
    tomcat.stop();
    tomcat.destroy();
    gateway.close();
  }
}
