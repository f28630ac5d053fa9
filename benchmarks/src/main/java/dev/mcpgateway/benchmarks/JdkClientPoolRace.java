package dev.mcpgateway.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows whether this JDK's {@code java.net.http} client has the HTTP/1.1 pool race of JDK-8338569,
 * with no gateway and no Jetty: a plain socket server answers every request at once, and many
 * threads share one client over keep-alive connections. With the race, about one request in a
 * million fails with {@code HTTP/1.1 header parser received no bytes} (cause {@code connection
 * closed locally}) although the server answered it: the pool's idle watcher got the answer and
 * closed the connection. Measured here, 240 s at 64 threads: JDK 17.0.21, 942,009 answered by
 * the server, 942,008 received, 1 failed; JDK 25.0.3, 1,201,960 answered, 1,201,956 received,
 * 4 failed (its causes name it: "Unexpected cleanup triggered for non pooled connection" and
 * "Data received while in pool").
 *
 * <pre>
 * java benchmarks/src/main/java/dev/mcpgateway/benchmarks/JdkClientPoolRace.java [SECONDS [THREADS]]
 * </pre>
 * (defaults 240 and 64). Prints one line of counts and the first failures; exit status 1 when a
 * request failed.
 */
public final class JdkClientPoolRace {
  private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
      .getBytes(StandardCharsets.US_ASCII);
  private static final AtomicLong ANSWERED = new AtomicLong();

  private JdkClientPoolRace() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 240;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    try (ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> accept(server), "pool-race-server");
      acceptor.setDaemon(true);
      acceptor.start();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/mcp/test"))
          .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\"}")).build();
      AtomicLong received = new AtomicLong();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      ExecutorService workers = Executors.newFixedThreadPool(threads);
      for (int w = 0; w < threads; w++) {
        workers.execute(() -> {
          while (System.nanoTime() < deadline) {
            try {
              client.send(request, HttpResponse.BodyHandlers.ofString());
              received.incrementAndGet();
            } catch (IOException e) {
              failures.add(causes(e));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        });
      }
      workers.shutdown();
      if (!workers.awaitTermination(seconds + 60L, TimeUnit.SECONDS)) {
        System.out.println("requests still waiting after the run");
      }
      System.out.printf("java %s: %d s, %d threads: %d answered by the server, %d received, %d failed%n",
          System.getProperty("java.version"), seconds, threads, ANSWERED.get(), received.get(), failures.size());
      failures.stream().limit(5).forEach(f -> System.out.println("  " + f));
      System.exit(failures.isEmpty() ? 0 : 1);
    }
  }

  private static void accept(ServerSocket server) {
    while (true) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        Thread connection = new Thread(() -> serve(socket), "pool-race-connection");
        connection.setDaemon(true);
        connection.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Reads each request (headers, then Content-Length bytes) and answers it at once, on the same connection. */
  private static void serve(Socket socket) {
    try (socket; InputStream in = new BufferedInputStream(socket.getInputStream()); OutputStream out = socket.getOutputStream()) {
      StringBuilder head = new StringBuilder();
      while (true) {
        head.setLength(0);
        int c;
        while ((c = in.read()) >= 0) {
          head.append((char) c);
          int n = head.length();
          if (c == '\n' && n >= 4 && head.charAt(n - 2) == '\r' && head.charAt(n - 3) == '\n' && head.charAt(n - 4) == '\r') {
            break;
          }
        }
        if (c < 0) {
          return;
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
          if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        in.readNBytes(length);
        ANSWERED.incrementAndGet();
        out.write(ANSWER);
        out.flush();
      }
    } catch (IOException e) {
      // the client closed the connection
    }
  }

  private static String causes(Throwable e) {
    StringBuilder text = new StringBuilder(e.toString());
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      text.append(" <- ").append(cause);
    }
    return text.toString();
  }
}
