package dev.mcpgateway.examples.runner;

import ch.qos.logback.core.FileAppender;

/**
 * A {@link FileAppender} whose lines go out {@link FlushSchedule#DELAY_MILLIS} after the first
 * unflushed one, when its buffer is full, or when logging stops, instead of one system call per
 * line. Used for the log directory's busy files: {@code mcp-gateway.log} (with the audit trail)
 * and {@code rpc-messages.jsonl}.
 */
public class BufferedFileAppender<E> extends FileAppender<E> {
  private final FlushSchedule schedule = new FlushSchedule(this::flush);

  @Override
  public void start() {
    setImmediateFlush(false);
    setBufferSize(new ch.qos.logback.core.util.FileSize(64 * 1024));
    super.start();
  }

  @Override
  protected void subAppend(E event) {
    super.subAppend(event);
    schedule.written();
  }

  void flush() {
    FlushSchedule.flush(getOutputStream(), streamWriteLock, this, getFile());
  }
}
