package dev.mcpgateway.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.WaitContainerCondition;
import dev.mcpgateway.backend.Backend;
import dev.mcpgateway.backend.BackendListener;
import dev.mcpgateway.backend.JsonLineDecoder;
import dev.mcpgateway.backend.LaunchRequest;
import dev.mcpgateway.backend.StderrLines;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container attached like {@code docker run --rm -i}: stdout frames are JSON-RPC lines for
 * the listener, stderr lines go to the logger {@code dev.mcpgateway.server.<name>}, each bounded
 * to 8 KiB and redacted ({@link StderrLines}).
 *
 * <p>Closing ends stdin by closing the attach (with {@code StdinOnce} the engine then closes the
 * container's stdin; closing our side of a stream alone does not reach it), waits the grace
 * period, kills, and returns when the container is removed. An exit of its own is reported to
 * the listener as soon as the attach stream ends.
 */
final class DockerBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(DockerBackend.class);
  private static final long SEND_TIMEOUT_MILLIS = 30_000;

  private final DockerClient docker;
  private final String containerId;
  private final String server;
  private final BackendListener listener;
  private final Duration gracePeriod;
  private final ContainerJanitor janitor;
  private final Consumer<DockerBackend> onClosed;
  private final Logger serverLog;
  private final StdinStream stdin = new StdinStream(1024);
  private final JsonLineDecoder stdout;
  private final StderrLines stderr;
  private final WaitContainerResultCallback exit = new WaitContainerResultCallback();
  private final Attachment attachment = new Attachment();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean exited = new AtomicBoolean();
  private final AtomicBoolean exitReported = new AtomicBoolean();
  private final Object writeLock = new Object();

  DockerBackend(DockerClient docker, String containerId, String server, LaunchRequest request, Duration gracePeriod,
      ContainerJanitor janitor, Consumer<DockerBackend> onClosed) {
    BackendListener listener = request.listener();
    int maxMessageBytes = request.maxMessageBytes();
    this.docker = docker;
    this.containerId = containerId;
    this.server = server;
    this.listener = listener;
    this.gracePeriod = gracePeriod;
    this.janitor = janitor;
    this.onClosed = onClosed;
    this.serverLog = LoggerFactory.getLogger("dev.mcpgateway.server." + server);
    String source = "server '" + server + "' (" + describe() + ")";
    this.stdout = new JsonLineDecoder(source, maxMessageBytes, listener);
    this.stderr = new StderrLines(request, line -> serverLog.info("[stderr] {}", line));
  }

  /** Attaches stdin/stdout/stderr and the exit watch, then starts the container; blocks until it runs. */
  void start(Duration timeout) throws InterruptedException, IOException {
    // With AutoRemove only the "removed" condition reliably reports the exit status (as docker run --rm does).
    docker.waitContainerCmd(containerId).withCondition(WaitContainerCondition.REMOVED).exec(exit);
    docker.attachContainerCmd(containerId).withStdIn(stdin).withStdOut(true).withStdErr(true).withFollowStream(true)
        .exec(attachment);
    if (!attachment.awaitStarted(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IOException("attaching took longer than " + timeout.toSeconds() + " s");
    }
    docker.startContainerCmd(containerId).exec();
    serverLog.info("Started server '{}' as {}", server, describe());
  }

  /** Receives the attach stream on docker-java's thread. */
  private final class Attachment extends ResultCallback.Adapter<Frame> {
    @Override
    public void onNext(Frame frame) {
      try {
        byte[] payload = frame.getPayload();
        if (frame.getStreamType() == StreamType.STDERR) {
          stderr.feed(payload, 0, payload.length);
        } else if (frame.getStreamType() == StreamType.STDOUT || frame.getStreamType() == StreamType.RAW) {
          stdout.feed(payload, 0, payload.length);
        }
      } catch (RuntimeException | Error e) {
        // A listener or the heap failed on this thread: the calls it carried fail at once, the
        // container goes, and the next call starts a new one.
        stdout.abandon();
        LOG.error("Reading server '{}' failed; the backend is closed", server, e);
        reportExit("its output could not be read (" + e.getClass().getSimpleName() + ")");
        Thread closer = new Thread(DockerBackend.this::close, "mcp-" + server + "-close");
        closer.setDaemon(true);
        closer.start();
      }
    }

    @Override
    public void onError(Throwable error) {
      if (!closed.get()) {
        LOG.debug("Attach stream of server '{}' failed", server, error);
      }
      streamEnded();
      super.onError(error);
    }

    @Override
    public void onComplete() {
      streamEnded();
      super.onComplete();
    }
  }

  private void streamEnded() {
    exited.set(true);
    if (closed.get()) {
      return; // close() reports
    }
    stdout.finish();
    stderr.finish();
    String reason;
    try {
      reason = "exited with status " + exit.awaitStatusCode(gracePeriod.toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      reason = "closed its output";
    }
    serverLog.warn("Server '{}' ({}) {}", server, describe(), reason);
    reportExit(reason);
  }

  private void reportExit(String reason) {
    if (exitReported.compareAndSet(false, true)) {
      try {
        listener.onExit(reason);
      } catch (RuntimeException e) {
        LOG.error("Exit listener of server '{}' failed", server, e);
      }
    }
  }

  @Override
  public void send(byte[] message) throws IOException {
    byte[] line = new byte[message.length + 1];
    System.arraycopy(message, 0, line, 0, message.length);
    line[message.length] = '\n';
    synchronized (writeLock) {
      if (closed.get() || exited.get()) {
        throw new IOException("server '" + server + "' is " + (closed.get() ? "closed" : "no longer running"));
      }
      if (!stdin.offer(line, SEND_TIMEOUT_MILLIS)) {
        throw new IOException("server '" + server + "' is not accepting input");
      }
    }
  }

  @Override
  public boolean isAlive() {
    return !closed.get() && !exited.get();
  }

  @Override
  public String describe() {
    return "container " + containerId.substring(0, Math.min(12, containerId.length()));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    String how = "it had exited";
    try {
      boolean running = !exited.get();
      synchronized (writeLock) {
        stdin.close();
      }
      closeQuietly(attachment); // ends the container's stdin
      if (running) {
        how = "it exited after its input ended";
        if (!awaitExit(gracePeriod)) {
          how = "killed after the grace period of " + gracePeriod.toMillis() + " ms";
          kill();
          awaitExit(Duration.ofSeconds(10));
        }
      }
      janitor.remove(containerId);
      awaitRemoved(Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      LOG.warn("Stopping server '{}' ({}) failed: {}", server, describe(), e.toString());
    } finally {
      closeQuietly(exit);
      serverLog.info("Stopped server '{}' ({}): {}", server, describe(), how);
      reportExit("stopped by the gateway");
      onClosed.accept(this);
    }
  }

  private boolean awaitExit(Duration timeout) {
    try {
      exit.awaitStatusCode(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      return true;
    } catch (RuntimeException e) {
      return isGone(); // a timeout, or the wait ended because the container is removed
    }
  }

  private void kill() {
    try {
      docker.killContainerCmd(containerId).exec();
    } catch (DockerException e) {
      LOG.debug("Kill of {} failed: {}", describe(), e.getMessage());
    }
  }

  private void awaitRemoved(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isGone() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private boolean isGone() {
    try {
      docker.inspectContainerCmd(containerId).exec();
      return false;
    } catch (NotFoundException e) {
      return true;
    }
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("Closing failed", e);
    }
  }
}
