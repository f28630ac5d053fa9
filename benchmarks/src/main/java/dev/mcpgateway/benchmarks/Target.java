package dev.mcpgateway.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One HTTP server under load: how to start it, where it listens, and whether it needs an MCP session. */
final class Target implements AutoCloseable {
  final String name;
  final String label;
  final String path;
  final String authorization;
  final boolean needsSession;
  /** The Redis of a cluster replica; null for a gateway on its own. */
  private String redis;
  private Process process;
  private int port;

  private Target(String name, String label, String path, String authorization, boolean needsSession) {
    this.name = name;
    this.label = label;
    this.path = path;
    this.authorization = authorization;
    this.needsSession = needsSession;
  }

  static Target floor() {
    return new Target("http-floor", "HTTP floor (Jetty, canned answer)", "/mcp", null, false);
  }

  static Target bridgeFloor() {
    return new Target("stdio-bridge-floor", "stdio bridge floor (Jetty to the echo server, no MCP logic)", "/mcp",
        null, false);
  }

  static Target gateway(boolean secure) {
    return secure
        ? new Target("gateway", "gateway (API key, audit, redaction on)", "/mcp/echo", BenchGateway.API_KEY, true)
        : new Target("gateway-bare", "gateway (auth, audit, redaction off)", "/mcp/echo", null, true);
  }

  /** A secure gateway replica in cluster mode on {@code redis}, as the runner runs one with {@code gateway.cluster}. */
  static Target replica(String name, String redis) {
    Target target = new Target(name, "gateway replica in cluster mode (API key, audit, redaction on; Redis)", "/mcp/echo",
        BenchGateway.API_KEY, true);
    target.redis = redis;
    return target;
  }

  /** A server the harness started itself (a load balancer), listening on {@code port}. */
  static Target started(String name, String label, String path, String authorization, int port) {
    Target target = new Target(name, label, path, authorization, true);
    target.port = port;
    return target;
  }

  static Target supergateway() {
    return new Target("supergateway", "supergateway 4.0.0 (stateful Streamable HTTP)", "/mcp", null, true);
  }

  static Target mcpProxy() {
    return new Target("mcp-proxy", "mcp-proxy 6.7.19 (Streamable HTTP)", "/mcp", null, true);
  }

  /** Starts the server and waits until it accepts connections. */
  void start(Paths paths) throws Exception {
    List<String> command;
    boolean printsPort = false;
    int chosen = 0;
    switch (name) {
      case "http-floor":
        command = paths.java("dev.mcpgateway.benchmarks.FloorServer", "jetty", "0");
        printsPort = true;
        break;
      case "stdio-bridge-floor":
        command = paths.java("dev.mcpgateway.benchmarks.BridgeFloor", paths.echoServer.toString(), "0");
        printsPort = true;
        break;
      case "gateway":
      case "gateway-bare":
        command = paths.java("dev.mcpgateway.benchmarks.BenchGateway", paths.echoServer.toString(),
            name.equals("gateway") ? "secure" : "bare", "0");
        printsPort = true;
        break;
      default:
        if (redis == null) {
          throw new IllegalArgumentException(name);
        }
        command = paths.java("dev.mcpgateway.benchmarks.BenchGateway", paths.echoServer.toString(), "secure", "0", redis);
        printsPort = true;
        break;
      case "supergateway":
        chosen = freePort();
        command = List.of("node", paths.npm.resolve("node_modules/supergateway/dist/index.js").toString(),
            "--stdio", paths.echoServer.toString(), "--outputTransport", "streamableHttp", "--stateful",
            "--port", Integer.toString(chosen), "--logLevel", "none");
        break;
      case "mcp-proxy":
        chosen = freePort();
        command = List.of("node", paths.npm.resolve("node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs").toString(),
            "--port", Integer.toString(chosen), "--host", "127.0.0.1", "--server", "stream", "--",
            paths.echoServer.toString());
        break;
    }
    Path log = paths.work.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
    if (!printsPort) {
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    process = builder.start();
    if (printsPort) {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("LISTENING ")) {
        // skip
      }
      if (line == null) {
        throw new IOException(name + " exited before listening; see " + log);
      }
      port = Integer.parseInt(line.substring("LISTENING ".length()).trim());
      Thread drain = new Thread(() -> {
        try {
          out.transferTo(java.io.Writer.nullWriter());
        } catch (IOException e) {
          // the server is gone
        }
      }, name + "-stdout");
      drain.setDaemon(true);
      drain.start();
    } else {
      port = chosen;
    }
    awaitPort(port, 30_000);
  }

  private void awaitPort(int port, long timeoutMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited with status " + process.exitValue());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IOException(name + " did not listen on port " + port + " within " + timeoutMillis + " ms");
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  /** The server's process id (the JVM, for the Java targets). */
  long pid() {
    return process.pid();
  }

  String url() {
    return "http://127.0.0.1:" + port + path;
  }

  /** Peak RSS of the server and its children (the backend), in KiB. */
  long peakRssKib() {
    return Processes.treePeakRssKib(process.toHandle());
  }

  @Override
  public void close() throws Exception {
    if (process == null) {
      return;
    }
    List<ProcessHandle> tree = process.descendants().toList();
    process.getOutputStream().close(); // the Java servers exit on EOF
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    for (ProcessHandle child : tree) {
      child.destroy();
    }
  }

  /** Where the harness finds its pieces. */
  record Paths(Path java, Path classpath, Path echoServer, Path npm, Path work, List<String> jvmOptions) {
    List<String> java(String main, String... args) {
      List<String> command = new java.util.ArrayList<>();
      command.add(java.toString());
      command.addAll(jvmOptions);
      command.add("-cp");
      command.add(classpath.toString());
      command.add(main);
      command.addAll(List.of(args));
      return command;
    }
  }
}
