package dev.mcpgateway.servlet;

import dev.mcpgateway.McpGateway;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The servlet containers every servlet test runs on: real, embedded, on 127.0.0.1 and a free port. */
@SuppressWarnings("try") // Running.close() may throw InterruptedException from a container stop
enum EmbeddedContainer {
  JETTY_12 {
    @Override
    Running start(Deployment deployment) throws Exception {
      QueuedThreadPool threads = new QueuedThreadPool(deployment.maxThreads(), 2);
      threads.setName("jetty-test");
      threads.setReservedThreads(0);
      Server server = new Server(threads);
      ServerConnector connector = new ServerConnector(server, 1, 1);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler(deployment.contextPath());
      ServletHolder holder = deployment.servlet() != null
          ? new ServletHolder("gateway", deployment.servlet())
          : new ServletHolder("gateway", McpGatewayServlet.class);
      holder.setAsyncSupported(true);
      context.addServlet(holder, deployment.mapping());
      if (deployment.contextGateway() != null) {
        context.addServletContainerInitializer(deployment.initializer());
      }
      server.setHandler(context);
      server.start();
      return new Running(connector.getLocalPort(), deployment.contextPath(), server::stop);
    }
  },

  TOMCAT_11 {
    @Override
    Running start(Deployment deployment) throws Exception {
      Path base = Files.createTempDirectory("tomcat-test");
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(base.toString());
      Connector connector = new Connector("HTTP/1.1");
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      connector.setProperty("maxThreads", String.valueOf(deployment.maxThreads()));
      connector.setProperty("minSpareThreads", "1");
      tomcat.setConnector(connector);
      Context context = tomcat.addContext(deployment.contextPath(), base.toString());
      Wrapper wrapper = deployment.servlet() != null
          ? Tomcat.addServlet(context, "gateway", deployment.servlet())
          : Tomcat.addServlet(context, "gateway", McpGatewayServlet.class.getName());
      wrapper.setAsyncSupported(true);
      context.addServletMapping(deployment.mapping(), "gateway");
      if (deployment.contextGateway() != null) {
        context.addServletContainerInitializer(deployment.initializer(), null);
      }
      tomcat.start();
      return new Running(connector.getLocalPort(), deployment.contextPath(), () -> {
        tomcat.stop();
        tomcat.destroy();
        deleteTree(base);
      });
    }
  };

  /** Tomcat logs through java.util.logging; held here so the level sticks. */
  private static final java.util.logging.Logger TOMCAT_LOG = quiet("org.apache", java.util.logging.Level.WARNING);
  private static final java.util.logging.Logger LEAK_CHECK_LOG =
      quiet("org.apache.catalina.loader.WebappClassLoaderBase", java.util.logging.Level.SEVERE);

  private static java.util.logging.Logger quiet(String name, java.util.logging.Level level) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(level);
    return logger;
  }

  /** Starts the container serving {@code deployment}; close the result to stop it. */
  abstract Running start(Deployment deployment) throws Exception;

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  /**
   * What to deploy: a servlet instance, or (when {@code servlet} is null) the servlet class with
   * {@code contextGateway} in the servlet context attribute, web.xml style.
   */
  record Deployment(String contextPath, String mapping, Servlet servlet, McpGateway contextGateway, int maxThreads) {
    static Deployment of(Servlet servlet) {
      return new Deployment("/gw", "/*", servlet, null, 32);
    }

    static Deployment fromContextAttribute(McpGateway gateway) {
      return new Deployment("/gw", "/*", null, gateway, 32);
    }

    Deployment mapping(String mapping) {
      return new Deployment(contextPath, mapping, servlet, contextGateway, maxThreads);
    }

    Deployment maxThreads(int maxThreads) {
      return new Deployment(contextPath, mapping, servlet, contextGateway, maxThreads);
    }

    ServletContainerInitializer initializer() {
      return (classes, context) -> context.setAttribute(McpGatewayServlet.GATEWAY_ATTRIBUTE, contextGateway);
    }
  }

  /** A started container. */
  static final class Running implements AutoCloseable {
    private final int port;
    private final String contextPath;
    private final Stopper stopper;

    Running(int port, String contextPath, Stopper stopper) {
      this.port = port;
      this.contextPath = contextPath;
      this.stopper = stopper;
    }

    int port() {
      return port;
    }

    /** The URI of {@code path} under the context path. */
    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port + contextPath + path);
    }

    /** The request target of {@code path} under the context path, for raw requests. */
    String target(String path) {
      return contextPath + path;
    }

    @Override
    public void close() throws Exception {
      stopper.stop();
    }
  }

  @FunctionalInterface
  interface Stopper {
    void stop() throws Exception;
  }
}
