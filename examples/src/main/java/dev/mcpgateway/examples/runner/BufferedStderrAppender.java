package dev.mcpgateway.examples.runner;

import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;

/**
 * Standard error through a 64 KiB buffer: lines are formatted on the logging thread and go out
 * {@link FlushSchedule#DELAY_MILLIS} after the first of them, when the buffer is full, or when
 * logging stops (the runner stops it at exit). Nothing is dropped; a full buffer is written by
 * the thread that fills it. The runner's configuration uses it for every line, the audit trail
 * included, so that a busy gateway does not pay a system call per line.
 */
public class BufferedStderrAppender<E> extends OutputStreamAppender<E> {
  private final FlushSchedule schedule = new FlushSchedule(this::flush);

  @Override
  public void start() {
    setOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err), 64 * 1024));
    setImmediateFlush(false);
    super.start();
  }

  @Override
  protected void subAppend(E event) {
    super.subAppend(event);
    schedule.written();
  }

  void flush() {
    FlushSchedule.flush(getOutputStream(), streamWriteLock, this, "standard error");
  }

  /** Flushes only: standard error stays open for whatever the JVM still has to say. */
  @Override
  protected void closeOutputStream() {
    flush();
  }
}
