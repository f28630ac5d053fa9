package dev.mcpgateway.redis;

import dev.mcpgateway.await.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} for the tests, on 127.0.0.1 and a free port, in a temporary
 * directory, persisting nothing. Where {@code redis-server} is not on the PATH the tests are
 * skipped with the reason printed, except under {@code CI=true}, where that is a failure
 * ({@code .ci/run} installs Debian's {@code redis-server}).
 *
 * <p>{@link #stop()} and {@link #start()} restart it on the same port, as when Redis restarts
 * under a running gateway; {@link #pause()} and {@link #resume()} freeze it, as a Redis that hangs.
 */
final class RedisServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static volatile RedisServer shared;
  private static volatile boolean skipPrinted;

  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(int port, Path dir, List<String> extraArgs) {
    this.port = port;
    this.dir = dir;
    this.extraArgs = extraArgs;
  }

  /** One server for the whole test JVM, started on first use and stopped when the JVM exits; tests keep apart by prefix. */
  static RedisServer shared() {
    RedisServer server = shared;
    if (server == null) {
      synchronized (RedisServer.class) {
        if (shared == null) {
          RedisServer started = start(List.of());
          Runtime.getRuntime().addShutdownHook(new Thread(started::close));
          shared = started;
        }
        server = shared;
      }
    }
    return server;
  }

  /** A server of the caller's own (which it closes), with extra {@code redis-server} arguments such as {@code --requirepass x}. */
  static RedisServer start(List<String> extraArgs) {
    Path executable = executable();
    String reason = executable == null ? "redis-server is not on the PATH (Debian: apt-get install redis-server)" : null;
    if (reason != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail("CI=true, so the Redis tests must run, but " + reason);
      }
      if (!skipPrinted) {
        skipPrinted = true;
        System.out.println("SKIPPED Redis tests: " + reason);
      }
      Assumptions.abort("Redis tests skipped: " + reason);
    }
    try {
      RedisServer server = new RedisServer(freePort(), Files.createTempDirectory("redis-test"), List.copyOf(extraArgs));
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path executable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  URI uri() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  /** Starts the server (again) on its port and waits until it answers. */
  synchronized void start() {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString()));
    command.addAll(extraArgs);
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Process started = process;
    Await.until(START_TIMEOUT, "redis-server answers on port " + port, () -> {
      if (!started.isAlive()) {
        throw new AssertionError("redis-server exited with " + started.exitValue() + ": " + Files.readString(dir.resolve("redis.log")));
      }
      return answers();
    });
  }

  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
      socket.setSoTimeout(1_000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[64];
      int n = in.read(reply);
      // with --requirepass the answer is -NOAUTH: it answers all the same
      return n > 0 && (reply[0] == '+' || reply[0] == '-');
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the server (SIGTERM) and waits until it has exited; its data is gone. */
  synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while stopping redis-server", e);
    }
    process = null;
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing is answered. */
  synchronized void pause() {
    signal("STOP");
  }

  /** Lets a frozen server go on (SIGCONT). */
  synchronized void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      Assertions.assertEquals(0, kill.waitFor(), "kill -" + name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public synchronized void close() {
    if (process != null) {
      resume();
      stop();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
