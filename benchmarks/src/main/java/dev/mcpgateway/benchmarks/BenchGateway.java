package dev.mcpgateway.benchmarks;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.redis.RedisCluster;
import dev.mcpgateway.servlet.McpGatewayServlet;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The gateway under load: one server {@code echo} (the benchmark's stdio echo server, launched
 * through the process launcher) served by Jetty exactly as the standalone runner serves it.
 * {@code secure}: an API key, the default policies (audit at INFO, allowlist, dangerous tools,
 * redaction of the server's environment secret), as the runner runs; {@code bare}: no key and no
 * interceptors. With a Redis URI it runs as a cluster replica, as the runner does in cluster mode:
 * sessions, stream events, the replicas' notices and rate limits in that Redis. Prints
 * {@code LISTENING <port>}; exits when standard input closes.
 *
 * <pre>java -cp benchmarks.jar dev.mcpgateway.benchmarks.BenchGateway ECHO_SERVER secure|bare [port [REDIS_URI]]</pre>
 */
public final class BenchGateway {
  /** The API key of the {@code secure} mode (a strong key: 40 characters, many distinct). */
  public static final String API_KEY = "bench-Kq7vT2xZ9pLm4Rw8Ns3Yd6Hc1Jf5Gb0Ua";
  /** The cluster secret of the replicas of one cluster run (signs the bus and the 2026 request states). */
  static final String CLUSTER_SECRET = "bench-cluster-secret-Wq3Zt8Lp2Xn6Rv9Km4Hs7Jd1";

  private BenchGateway() {}

  public static void main(String[] args) throws Exception {
    String echo = args[0];
    boolean secure = args[1].equals("secure");
    int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    RedisCluster cluster = args.length > 3
        ? RedisCluster.builder(URI.create(args[3])).clusterSecret(CLUSTER_SECRET.getBytes(StandardCharsets.UTF_8)).build()
        : null;
    McpGateway gateway = gateway(echo, secure, cluster);
    Server server = jetty(gateway, port);
    server.start();
    System.out.println("LISTENING " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
      } catch (Exception e) {
        // exiting anyway
      }
      gateway.close();
      if (cluster != null) {
        cluster.close();
      }
    }));
    Processes.exitWhenStdinCloses();
  }

  static GatewayConfig config(String echo, boolean secure) {
    String key = secure ? "\"apiKey\":\"" + API_KEY + "\"," : "";
    // room for the load runs' idle sessions (LoadBenchmark.IDLE_SESSIONS) on the one key
    return GatewayConfig.parse("{\"gateway\":{" + key + "\"port\":8000,\"maxSessions\":20000,\"maxSessionsPerCaller\":20000},\"mcpServers\":{\"echo\":{\"type\":\"stdio\","
        + "\"command\":\"" + echo + "\",\"env\":{\"BENCH_SECRET\":\"s3cret-value-the-gateway-redacts\"}}}}");
  }

  static McpGateway gateway(String echo, boolean secure) {
    return gateway(echo, secure, null);
  }

  /** The gateway; with {@code cluster}, wired to it as GatewayRunner wires a replica in cluster mode. */
  static McpGateway gateway(String echo, boolean secure, RedisCluster cluster) {
    GatewayConfig config = config(echo, secure);
    McpGateway.Builder builder = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process());
    if (cluster != null) {
      builder.sessionStore(cluster.sessionStore(config.sessionTimeout().orElse(GatewayConfig.DEFAULT_SESSION_TIMEOUT),
              config.maxSessions()))
          .eventStore(cluster.eventStore())
          .clusterBus(cluster.bus())
          .sharedRateLimits(cluster.rateLimits());
    }
    if (secure) {
      builder.authenticator(ApiKeyAuthenticator.fromConfig(config));
    } else {
      builder.authenticator(Authenticator.none()).interceptors(List.of());
    }
    return builder.build();
  }

  /** The runner's Jetty set-up (GatewayRunner.jetty), on 127.0.0.1. */
  static Server jetty(McpGateway gateway, int port) {
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
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(30_000);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder holder = new ServletHolder("mcp-gateway", new McpGatewayServlet(gateway));
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    server.setHandler(context);
    server.setStopTimeout(5_000);
    return server;
  }
}
