package dev.mcpgateway.examples.tomcat;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.servlet.McpGatewayServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;

/** A Tomcat 11 application that serves the gateway under {@code /tools}: {@code /tools/mcp/{server}}. */
public final class TomcatHostApp {
  private TomcatHostApp() {}

  /** Starts Tomcat on {@code 127.0.0.1:port} with the gateway for {@code config}; stopping Tomcat closes the gateway. */
  public static Tomcat start(GatewayConfig config, int port) throws Exception {
    McpGateway gateway = McpGateway.builder(config)
        .authenticator(ApiKeyAuthenticator.fromConfig(config))
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("tomcat-host-app").toString());
    tomcat.setHostname("127.0.0.1");
    tomcat.setPort(port);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    tomcat.getConnector().setProperty("connectionTimeout", "30000"); // slow clients time out
    Context context = tomcat.addContext("/tools", null);
    Wrapper mcp = Tomcat.addServlet(context, "mcp", new McpGatewayServlet(gateway));
    mcp.setAsyncSupported(true);
    context.addServletMappingDecoded("/*", "mcp");
    tomcat.getServer().addLifecycleListener(event -> {
      if (Lifecycle.AFTER_STOP_EVENT.equals(event.getType())) {
        gateway.close(); // the application owns the gateway
      }
    });
    tomcat.start();
    return tomcat;
  }

  public static void main(String[] args) throws Exception {
    Tomcat tomcat = start(GatewayConfig.read(Path.of(args.length > 0 ? args[0] : "gateway.json")), 8080);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        tomcat.stop();
        tomcat.destroy();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }));
    tomcat.getServer().await();
  }
}
