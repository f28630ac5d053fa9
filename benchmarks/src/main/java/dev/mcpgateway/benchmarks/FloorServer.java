package dev.mcpgateway.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP floor: a trivial server that answers every request at once with a canned JSON-RPC
 * result, the best any HTTP gateway could do on this machine. {@code jetty} (default) is a Jetty
 * 12 core handler on the gateway's connector settings; {@code jdk} is the JDK's HttpServer.
 * Prints {@code LISTENING <port>} when ready; exits when standard input closes.
 *
 * <pre>java -cp benchmarks.jar dev.mcpgateway.benchmarks.FloorServer [jetty|jdk] [port]</pre>
 */
public final class FloorServer {
  static final byte[] ANSWER = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\","
      + "\"text\":\"hello from wrk\"}]}}").getBytes(StandardCharsets.UTF_8);

  private FloorServer() {}

  public static void main(String[] args) throws Exception {
    String kind = args.length > 0 ? args[0] : "jetty";
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    int actual = kind.equals("jdk") ? jdk(port) : jetty(port);
    System.out.println("LISTENING " + actual);
    System.out.flush();
    Processes.exitWhenStdinCloses();
  }

  /**
   * A Jetty server on 127.0.0.1 with the gateway's connector settings, not started yet; its one
   * connector is returned. {@code reservedThreads} as for {@link QueuedThreadPool#setReservedThreads}.
   */
  static ServerConnector jettyConnector(String threadName, int reservedThreads, int port) {
    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    threads.setReservedThreads(reservedThreads);
    threads.setName(threadName);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    return connector;
  }

  private static int jetty(int port) throws Exception {
    ServerConnector connector = jettyConnector("floor-http", -1, port);
    Server server = connector.getServer();
    server.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        // consume the body, then answer
        Content.Source.consumeAll(request, Callback.from(() -> {
          response.setStatus(200);
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
          response.getHeaders().put(HttpHeader.CONTENT_LENGTH, ANSWER.length);
          response.write(true, ByteBuffer.wrap(ANSWER), callback);
        }, callback::failed));
        return true;
      }
    });
    server.start();
    return connector.getLocalPort();
  }

  private static int jdk(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
    server.setExecutor(Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors() * 2));
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        in.readAllBytes();
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, ANSWER.length);
      exchange.getResponseBody().write(ANSWER);
      exchange.close();
    });
    server.start();
    return server.getAddress().getPort();
  }
}
