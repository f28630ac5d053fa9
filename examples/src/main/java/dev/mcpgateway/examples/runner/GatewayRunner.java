package dev.mcpgateway.examples.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.audit.RpcMessageLog;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.redis.RedisCluster;
import java.nio.charset.StandardCharsets;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.docker.DockerBackendLauncher;
import dev.mcpgateway.servlet.McpGatewayServlet;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone gateway: reads a JSON configuration (a file or standard input), serves it over
 * HTTP with Jetty, prints what MCP clients need to stdout as JSON, and logs to stderr.
 *
 * <pre>
 * java -jar mcp-gateway.jar [--config FILE | -] [--listen HOST:PORT] [--log-dir DIR]
 * </pre>
 *
 * <p>Command servers run as host processes (each logged with a WARN: no container isolation);
 * container servers run in Docker. SIGTERM or {@code POST /close} closes every session and
 * backend before the process exits. A bad configuration prints its problem and exits with 1.
 */
public final class GatewayRunner {
  /** Loaded on first use, after {@link LogFiles#configure} chose the logging configuration. */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(GatewayRunner.class);
  }

  private GatewayRunner() {}

  public static void main(String[] args) {
    RunnerOptions options;
    try {
      options = RunnerOptions.parse(List.of(args), System.getenv("MCP_GATEWAY_LOG_DIR"));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      if (!e.getMessage().contains(RunnerOptions.USAGE)) {
        System.err.println(RunnerOptions.USAGE);
      }
      System.exit(2);
      return;
    }
    try {
      LogFiles.configure(options.logDir());
    } catch (IllegalArgumentException e) {
      System.err.println("mcp-gateway: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      run(options, System.out);
    } catch (ConfigException e) {
      System.err.println("mcp-gateway: configuration error: " + e.getMessage());
      LogFiles.flush();
      System.exit(1);
    } catch (NoSuchFileException e) {
      System.err.println("mcp-gateway: configuration file not found: " + e.getFile());
      LogFiles.flush();
      System.exit(1);
    } catch (Exception e) {
      Log.LOG.error("The gateway failed to start", e);
      System.err.println("mcp-gateway: failed to start: " + e.getMessage());
      LogFiles.flush();
      System.exit(1);
    }
  }

  /** Starts the gateway and blocks until it is closed (SIGTERM or {@code POST /close}). */
  static void run(RunnerOptions options, PrintStream out) throws Exception {
    GatewayConfig config = readConfig(options);
    LogFiles.prepareServerLogs(options.logDir(), config.servers().keySet());
    Running running = start(config, options.host(), options.port() != null ? options.port() : config.port(), options.unified());
    // The hook goes in before the client config is printed: a supervisor that sends SIGTERM as
    // soon as it sees the config must still get every session and backend closed.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.stop();
      LogFiles.flush(); // the last lines (closing, backends stopped) are written before the JVM goes
    }, "mcp-gateway-shutdown"));
    out.println(running.clientConfig());
    out.flush();
    running.gateway.closed().thenRun(() -> new Thread(running::stop, "mcp-gateway-stop").start());
    running.server.join();
  }

  private static GatewayConfig readConfig(RunnerOptions options) throws IOException {
    if (options.config() != null) {
      return GatewayConfig.read(options.config());
    }
    Log.LOG.info("Reading the configuration from standard input (pass --config FILE to read a file)");
    try (Reader in = new InputStreamReader(System.in, StandardCharsets.UTF_8)) {
      return GatewayConfig.read(in);
    }
  }

  /** A gateway served by Jetty; {@link #stop()} closes both. */
  static final class Running {
    final McpGateway gateway;
    final Server server;
    final String host;
    final int port;
    final Optional<String> apiKey;
    final boolean unified;
    /** The Redis connections of cluster mode; null for a gateway on its own. */
    final RedisCluster cluster;

    Running(McpGateway gateway, Server server, String host, int port, Optional<String> apiKey, boolean unified, RedisCluster cluster) {
      this.cluster = cluster;
      this.unified = unified;
      this.gateway = gateway;
      this.server = server;
      this.host = host;
      this.port = port;
      this.apiKey = apiKey;
    }

    /** What an MCP client needs for each server, in the usual {@code mcpServers} shape. */
    String clientConfig() {
      ObjectMapper json = new ObjectMapper();
      ObjectNode root = json.createObjectNode();
      ObjectNode servers = root.putObject("mcpServers");
      String base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
      if (unified) {
        ObjectNode all = servers.putObject("gateway");
        all.put("type", "http");
        all.put("url", base + "/mcp");
        apiKey.ifPresent(key -> all.putObject("headers").put("Authorization", key));
        return root.toString();
      }
      for (String name : gateway.config().servers().keySet()) {
        ObjectNode server = servers.putObject(name);
        server.put("type", "http");
        server.put("url", base + "/mcp/" + name);
        apiKey.ifPresent(key -> server.putObject("headers").put("Authorization", key));
      }
      return root.toString();
    }

    /**
     * Closes the gateway, then the HTTP server: requests in flight are drained and answered
     * (or get an error) while their connections are still open, and open event streams end,
     * so that the server then stops at once instead of cutting them off.
     */
    synchronized void stop() {
      // The gateway first: it drains requests in flight and ends every SSE stream, so that
      // Jetty's graceful stop does not wait its full timeout for streams whose clients are gone.
      gateway.close();
      try {
        if (server.isRunning()) {
          server.stop();
        }
      } catch (Exception e) {
        Log.LOG.error("Stopping the HTTP server failed", e);
      }
      if (cluster != null) {
        cluster.close(); // after the gateway: it still ends its sessions' streams through the stores
      }
    }
  }

  /** Builds the gateway for {@code config} and serves it on {@code host:port} (0: any free port). */
  static Running start(GatewayConfig config, String host, int port) throws Exception {
    return start(config, host, port, false);
  }

  /** As {@link #start(GatewayConfig, String, int)}, optionally with the unified endpoint {@code /mcp}. */
  static Running start(GatewayConfig config, String host, int port, boolean unified) throws Exception {
    McpGateway.Builder builder = McpGateway.builder(config)
        .unifiedEndpoint(unified)
        // logger "rpc": rpc-messages.jsonl with a log directory, off otherwise (and then free)
        .addOuterInterceptor(RpcMessageLog.forConfig(config, System::getenv));
    boolean commands = false;
    boolean containers = false;
    boolean remotes = false;
    for (ServerConfig server : config.servers().values()) {
      switch (server.kind()) {
        case COMMAND:
          commands = true;
          Log.LOG.warn("Server '{}' runs '{}' as a host process, without container isolation", server.name(),
              server.command().orElse(""));
          break;
        case CONTAINER:
          containers = true;
          break;
        case HTTP:
          remotes = true;
          break;
        default:
          break;
      }
    }
    if (commands) {
      builder.launcher(BackendKind.COMMAND, BackendLauncher.process());
    }
    if (containers) {
      builder.launcher(BackendKind.CONTAINER, DockerBackendLauncher.create());
    }
    if (remotes) {
      builder.launcher(BackendKind.HTTP, BackendLauncher.http());
    }
    RedisCluster cluster = config.cluster().map(c -> {
      // cluster mode: sessions, stream events and the replicas' notices in Redis; nothing connects yet
      RedisCluster redis = RedisCluster.builder(c.redis()).clusterSecret(c.secret().getBytes(StandardCharsets.UTF_8)).build();
      builder.sessionStore(redis.sessionStore(config.sessionTimeout().orElse(GatewayConfig.DEFAULT_SESSION_TIMEOUT),
          config.maxSessions()));
      builder.eventStore(redis.eventStore());
      builder.clusterBus(redis.bus());
      builder.sharedRateLimits(redis.rateLimits());
      Log.LOG.info("Cluster mode: sessions shared through {}", c);
      return redis;
    }).orElse(null);
    // in cluster mode a host's failed authentications count on every replica
    builder.authenticator(cluster == null ? ApiKeyAuthenticator.fromConfig(config)
        : ApiKeyAuthenticator.fromConfig(config, System::getenv, cluster.failureCounts()));
    McpGateway gateway;
    try {
      gateway = builder.build();
    } catch (RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      }
      throw e;
    }
    Server server = jetty(gateway, host, port);
    try {
      server.start();
    } catch (Exception e) {
      gateway.close();
      if (cluster != null) {
        cluster.close();
      }
      throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    int actualPort = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    Log.LOG.info("Serving {} server(s) on http://{}:{}", config.servers().size(), host, actualPort);
    return new Running(gateway, server, host, actualPort, ApiKeyAuthenticator.configuredKey(config, System::getenv), unified,
        cluster);
  }

  /**
   * A Jetty server with timeouts that keep slow clients from starving others: idle connections
   * (a client that dribbles its headers or body) close after 30 s; SSE streams stay open because
   * the gateway sends keep-alive comments every 15 s. At most {@link #MAX_CONNECTIONS}
   * connections are open at once; the servlet bounds request bodies (budget and deadline).
   */
  static Server jetty(McpGateway gateway, String host, int port) {
    return jetty(gateway, host, port, IDLE_TIMEOUT);
  }

  /**
   * The most connections the runner holds open at once (Tomcat's default); past it Jetty stops
   * accepting until one closes. With the header limit it bounds what clients that are not
   * authenticated can hold: the gateway authenticates from the headers, before any body is read.
   */
  static final int MAX_CONNECTIONS = 8192;

  /** The idle timeout of HTTP connections: how long a client may send nothing mid-request, or read nothing. */
  static final java.time.Duration IDLE_TIMEOUT = java.time.Duration.ofSeconds(30);

  /** As {@link #jetty(McpGateway, String, int)} with another idle timeout (tests use a short one). */
  static Server jetty(McpGateway gateway, String host, int port, java.time.Duration idleTimeout) {
    return jetty(gateway, host, port, idleTimeout, new McpGatewayServlet(gateway));
  }

  /** As {@link #jetty(McpGateway, String, int, java.time.Duration)}, serving {@code servlet} (tests set its options). */
  static Server jetty(McpGateway gateway, String host, int port, java.time.Duration idleTimeout, McpGatewayServlet servlet) {
    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    // Every answer completes on a backend's thread and Jetty resumes the connection on a pool
    // thread; threads kept in reserve for the selector would add a hand-off and a wake-up per request.
    threads.setReservedThreads(0);
    threads.setName("mcp-gateway-http");
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setRequestHeaderSize(16 * 1024);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(idleTimeout.toMillis());
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder holder = new ServletHolder("mcp-gateway", servlet);
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    server.setHandler(context);
    // Requests Jetty refuses before the servlet sees them (a header with control characters, a
    // malformed request line) get {"error":...} like every other error, not an HTML page.
    ErrorHandler errors = new ErrorHandler() {
      @Override
      protected void writeErrorJson(Request request, PrintWriter writer, int code, String message, Throwable cause) {
        ObjectNode body = new ObjectMapper().createObjectNode();
        body.put("error", message == null || message.isBlank() ? "bad request" : "bad request: " + message);
        writer.write(body.toString());
      }
    };
    errors.setDefaultResponseMimeType("application/json");
    errors.setShowStacks(false);
    errors.setShowOrigin(false);
    server.setErrorHandler(errors);
    server.setStopTimeout(5_000);
    return server;
  }
}
