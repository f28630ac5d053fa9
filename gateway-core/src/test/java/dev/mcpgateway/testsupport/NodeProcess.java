package dev.mcpgateway.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A running {@link NodeCommand}: write lines to its stdin, wait for lines on its stdout, read
 * what it logged on stderr, and end it (with its children) on {@link #close()}.
 *
 * <p>Two daemon threads drain stdout and stderr so the process never blocks on a full pipe.
 * Waiting methods poll with a deadline and fail with the process's stderr in the message.
 * Thread-safe for one writer and one waiter. {@code close()} is idempotent.
 */
public final class NodeProcess implements AutoCloseable {
  private static final Object END = new Object();

  private final NodeCommand command;
  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<Object> stdoutQueue = new LinkedBlockingQueue<>();
  private final List<String> stdoutLines = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();
  private final Thread stdoutReader;
  private final Thread stderrReader;
  private boolean stdoutEnded;

  private NodeProcess(NodeCommand command, Process process) {
    this.command = command;
    this.process = process;
    this.stdin = process.getOutputStream();
    this.stdoutReader = drain(process.getInputStream(), "stdout", line -> {
      synchronized (stdoutLines) {
        stdoutLines.add(line);
      }
      stdoutQueue.add(line);
    });
    this.stderrReader = drain(process.getErrorStream(), "stderr", line -> {
      synchronized (stderr) {
        stderr.append(line).append('\n');
      }
    });
  }

  static NodeProcess start(NodeCommand command, Path workingDirectory) throws IOException {
    ProcessBuilder builder = command.processBuilder();
    if (workingDirectory != null) {
      builder.directory(workingDirectory.toFile());
    }
    return new NodeProcess(command, builder.start());
  }

  private Thread drain(InputStream in, String name, java.util.function.Consumer<String> sink) {
    Thread thread = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          sink.accept(line);
        }
      } catch (IOException closed) {
        // the process ended or was destroyed: nothing more to read
      } finally {
        if ("stdout".equals(name)) {
          stdoutQueue.add(END);
        }
      }
    }, "node-" + name + "-" + process.pid());
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** The underlying process. */
  public Process process() {
    return process;
  }

  /** Writes {@code line} and a newline to stdin, and flushes. */
  public void send(String line) {
    try {
      stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + command + "; stderr:\n" + stderr(), e);
    }
  }

  /** Closes stdin (the process sees end of input). */
  public void closeStdin() {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  /**
   * Waits for the next stdout line that {@code matching} accepts, skipping others (they stay in
   * {@link #stdoutLines()}).
   *
   * @throws AssertionError when the timeout passes or stdout ends first; the message carries stderr
   */
  public String awaitLine(Predicate<String> matching, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (stdoutEnded || left <= 0) {
        throw new AssertionError((stdoutEnded ? "stdout ended" : "no matching line after " + timeout)
            + " from " + command + "\nstdout:\n" + String.join("\n", stdoutLines()) + "\nstderr:\n" + stderr());
      }
      Object next;
      try {
        next = stdoutQueue.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + command, e);
      }
      if (next == END) {
        stdoutEnded = true;
      } else if (next != null && matching.test((String) next)) {
        return (String) next;
      }
    }
  }

  /**
   * Waits for the process to exit, then for its output to be read to the end.
   *
   * @return the exit code
   * @throws AssertionError when it is still running after {@code timeout}
   */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("still running after " + timeout + ": " + command
            + "\nstdout:\n" + String.join("\n", stdoutLines()) + "\nstderr:\n" + stderr());
      }
      stdoutReader.join(timeout.toMillis());
      stderrReader.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + command, e);
    }
    return process.exitValue();
  }

  /** Every stdout line read so far, in order. */
  public List<String> stdoutLines() {
    synchronized (stdoutLines) {
      return List.copyOf(stdoutLines);
    }
  }

  /** Everything read from stderr so far. */
  public String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  /** Ends the process and its descendants: politely first, forcibly after five seconds. Idempotent. */
  @Override
  public void close() {
    closeStdin();
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public String toString() {
    return "NodeProcess[pid " + process.pid() + ": " + command + "]";
  }
}
