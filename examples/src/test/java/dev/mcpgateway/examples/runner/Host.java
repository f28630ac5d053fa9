package dev.mcpgateway.examples.runner;

import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.jetty.JettyHostApp;
import dev.mcpgateway.examples.tomcat.TomcatHostApp;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The three ways the examples serve a gateway, started on 127.0.0.1 and a free port. */
public enum Host {
  /** {@link GatewayRunner#start}: Jetty, gateway at the root. */
  RUNNER {
    @Override
    public Started start(GatewayConfig config) throws Exception {
      GatewayRunner.Running running = GatewayRunner.start(config, "127.0.0.1", 0);
      return new Started("http://127.0.0.1:" + running.port, "", running::stop);
    }
  },
  /** {@link JettyHostApp}: the gateway under {@code /tools}. */
  JETTY_APP {
    @Override
    public Started start(GatewayConfig config) throws Exception {
      Server server = JettyHostApp.start(config, 0);
      int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
      return new Started("http://127.0.0.1:" + port, "/tools", server::stop);
    }
  },
  /** {@link TomcatHostApp}: the gateway under {@code /tools}. */
  TOMCAT_APP {
    @Override
    public Started start(GatewayConfig config) throws Exception {
      Tomcat tomcat = TomcatHostApp.start(config, 0);
      return new Started("http://127.0.0.1:" + tomcat.getConnector().getLocalPort(), "/tools", () -> {
        tomcat.stop();
        tomcat.destroy();
      });
    }
  };

  /** Serves {@code config}; the caller closes the result. */
  public abstract Started start(GatewayConfig config) throws Exception;

  /**
   * A serving host: {@code origin} such as {@code http://127.0.0.1:8000}, {@code context} the
   * path the gateway is mounted at ({@code ""} or {@code /tools}); {@link #close()} stops the
   * server, which closes the gateway and its backends.
   */
  public record Started(String origin, String context, Stopper stopper) implements AutoCloseable {
    /** {@code origin + context}: where {@code /health} and {@code /mcp/{server}} are. */
    public String base() {
      return origin + context;
    }

    @Override
    public void close() throws Exception {
      stopper.stop();
    }
  }

  /** Stops a server. */
  @FunctionalInterface
  public interface Stopper {
    void stop() throws Exception;
  }
}
