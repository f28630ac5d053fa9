package dev.mcpgateway.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A child process speaking JSON-RPC on stdio; see {@link ProcessBackendLauncher}. */
final class ProcessBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessBackend.class);

  private final String server;
  private final Process process;
  private final BackendListener listener;
  private final Duration gracePeriod;
  private final OutputStream stdin;
  private final Logger serverLog;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean exitReported = new AtomicBoolean();
  private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
  /** Messages waiting for whoever holds the write lock; see {@link #send}. */
  private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> outbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final Thread reader;
  /** Why reading stopped, when the gateway's side failed rather than the process; null otherwise. */
  private volatile String failure;
  private final Thread stderrReader;

  private final StderrLines stderrLines;

  ProcessBackend(String server, Process process, LaunchRequest request, Duration gracePeriod) {
    this.server = server;
    BackendListener listener = request.listener();
    int maxMessageBytes = request.maxMessageBytes();
    this.process = process;
    this.listener = listener;
    this.gracePeriod = gracePeriod;
    this.stdin = process.getOutputStream();
    this.serverLog = LoggerFactory.getLogger("dev.mcpgateway.server." + server);
    this.stderrLines = new StderrLines(request, line -> serverLog.info("[stderr] {}", line));
    JsonLineDecoder decoder = new JsonLineDecoder("server '" + server + "' (pid " + process.pid() + ")",
        maxMessageBytes, listener);
    this.reader = daemon("mcp-" + server + "-pid" + process.pid() + "-stdout", () -> readStdout(decoder));
    this.stderrReader = daemon("mcp-" + server + "-pid" + process.pid() + "-stderr", this::readStderr);
    reader.start();
    stderrReader.start();
    serverLog.info("Started server '{}' as pid {}", server, process.pid());
  }

  private static Thread daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  private void readStdout(JsonLineDecoder decoder) {
    byte[] chunk = new byte[16384];
    try (InputStream out = process.getInputStream()) {
      int n;
      while ((n = out.read(chunk)) >= 0) {
        decoder.feed(chunk, 0, n);
      }
      decoder.finish();
    } catch (IOException e) {
      if (!closed.get()) {
        LOG.debug("stdout of server '{}' failed", server, e);
      }
    } catch (RuntimeException | Error e) {
      // Whatever failed (a listener, or the heap while a message was read), the calls this
      // reader carried must not wait for it: the backend goes, its calls fail at once, and the
      // next call starts a new one. The line being gathered goes first, to give its heap back.
      decoder.abandon();
      LOG.error("Reading server '{}' failed; the backend is closed", server, e);
      failure = "its output could not be read (" + e.getClass().getSimpleName() + ")";
      destroy();
    }
    reportExit();
  }

  /** Logs stderr line by line, each bounded and redacted, in bounded memory however long a line runs. */
  private void readStderr() {
    byte[] chunk = new byte[8192];
    try (InputStream err = process.getErrorStream()) {
      int n;
      while ((n = err.read(chunk)) >= 0) {
        stderrLines.feed(chunk, 0, n);
      }
    } catch (IOException e) {
      LOG.debug("stderr of server '{}' closed", server, e);
    } catch (RuntimeException e) {
      LOG.error("Logging stderr of server '{}' failed", server, e);
    }
    stderrLines.finish();
  }

  private void reportExit() {
    if (!exitReported.compareAndSet(false, true)) {
      return;
    }
    String reason;
    try {
      if (failure != null) {
        reason = failure;
      } else if (process.waitFor(gracePeriod.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        reason = closed.get() ? "stopped by the gateway" : "exited with status " + process.exitValue();
      } else {
        reason = "closed its output";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reason = "closed its output";
    }
    if (!closed.get()) {
      serverLog.warn("Server '{}' (pid {}) {}", server, process.pid(), reason);
    }
    try {
      listener.onExit(reason);
    } catch (RuntimeException e) {
      LOG.error("Exit listener of server '{}' failed", server, e);
    }
  }

  /**
   * Writes combine: a sender that finds another writing leaves its message in the outbox, and
   * the writer takes it along in the same system call (under load, one write carries the
   * messages of many callers and the server reads them at once). Messages go out in the order
   * they were sent. A failed write fails the sender that was writing; the calls whose messages
   * were lost with it fail as the server's end is noticed, or at their timeout.
   */
  @Override
  public void send(byte[] message) throws IOException {
    if (closed.get()) {
      throw new IOException("server '" + server + "' is closed");
    }
    outbox.offer(message);
    // Whoever holds the lock drains the outbox, and looks again after letting go, so that a
    // message left while it wrote is never stranded.
    while (!outbox.isEmpty() && writeLock.tryLock()) {
      try {
        if (closed.get()) {
          outbox.clear();
          throw new IOException("server '" + server + "' is closed");
        }
        byte[] next;
        while ((next = outbox.poll()) != null) {
          stdin.write(next);
          stdin.write('\n');
        }
        stdin.flush();
      } catch (IOException e) {
        if (closed.get()) {
          throw e;
        }
        throw new IOException("server '" + server + "' is not accepting input: " + (process.isAlive() ? e.getMessage() : "it has exited"), e);
      } finally {
        writeLock.unlock();
      }
    }
  }

  @Override
  public boolean isAlive() {
    return process.isAlive() && !closed.get();
  }

  @Override
  public String describe() {
    return "pid " + process.pid();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      awaitReader();
      return;
    }
    List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
    writeLock.lock();
    try {
      outbox.clear();
      stdin.close();
    } catch (IOException e) {
      LOG.debug("Closing stdin of server '{}' failed", server, e);
    } finally {
      writeLock.unlock();
    }
    try {
      if (!process.waitFor(gracePeriod.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        if (!process.waitFor(gracePeriod.toMillis(), TimeUnit.MILLISECONDS)) {
          destroy();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      }
      // Children that outlive their parent (npx starts node, for example) go too.
      for (ProcessHandle child : descendants) {
        if (child.isAlive()) {
          child.destroy();
          if (!child.onExit().completeOnTimeout(child, gracePeriod.toMillis(), TimeUnit.MILLISECONDS).join().isAlive()) {
            continue;
          }
          child.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      destroy();
    }
    serverLog.info("Stopped server '{}' (pid {})", server, process.pid());
    awaitReader();
  }

  private void destroy() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Waits for the readers: what the process wrote before it ended is delivered and logged when close returns. */
  private void awaitReader() {
    try {
      if (Thread.currentThread() != reader) {
        reader.join(gracePeriod.toMillis() + 5000);
      }
      if (Thread.currentThread() != stderrReader) {
        stderrReader.join(gracePeriod.toMillis() + 5000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
