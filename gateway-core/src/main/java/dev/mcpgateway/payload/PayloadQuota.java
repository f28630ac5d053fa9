package dev.mcpgateway.payload;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes each session directory (each caller) keeps, and the limit on them. Bytes are
 * reserved before they are written, so concurrent payloads of one caller never together go over
 * the quota. Thread-safe.
 */
final class PayloadQuota {
  private final long quotaBytes;
  private final ConcurrentHashMap<String, AtomicLong> used = new ConcurrentHashMap<>();

  PayloadQuota(long quotaBytes) {
    this.quotaBytes = quotaBytes;
  }

  long quotaBytes() {
    return quotaBytes;
  }

  /** The bytes a session directory keeps, or is writing, now. */
  long used(String sessionDir) {
    AtomicLong bytes = used.get(sessionDir);
    return bytes == null ? 0 : bytes.get();
  }

  /** How many session directories hold counted bytes. */
  int callers() {
    return used.size();
  }

  /** Forgets a session directory that was deleted. */
  void forget(String sessionDir) {
    used.remove(sessionDir);
  }

  /** Counts the regular files under an existing session directory (links not followed); returns the bytes. */
  long count(String sessionDir, Path dir) throws IOException {
    long[] bytes = {0};
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        if (attributes.isRegularFile()) {
          bytes[0] += attributes.size();
        }
        return FileVisitResult.CONTINUE;
      }
    });
    used.put(sessionDir, new AtomicLong(bytes[0]));
    return bytes[0];
  }

  /** Reserves {@code bytes} for a payload of {@code sessionDir} that is already written, or refuses it. */
  void reserve(String sessionDir, long bytes) throws PayloadQuotaExceededException {
    AtomicLong bytesUsed = used.computeIfAbsent(sessionDir, name -> new AtomicLong());
    long now = bytesUsed.addAndGet(bytes);
    if (now > quotaBytes) {
      bytesUsed.addAndGet(-bytes);
      throw new PayloadQuotaExceededException(quotaBytes, now - bytes);
    }
  }

  /** Gives back what {@link #reserve} took, for a payload that is deleted. */
  void release(String sessionDir, long bytes) {
    AtomicLong bytesUsed = used.get(sessionDir);
    if (bytesUsed != null) {
      bytesUsed.addAndGet(-bytes);
    }
  }

  /** {@code out} for a payload of {@code sessionDir}: refuses the write that would cross the quota. */
  LimitedStream limit(String sessionDir, OutputStream out) {
    return new LimitedStream(out, used.computeIfAbsent(sessionDir, name -> new AtomicLong()), quotaBytes);
  }

  /** Counts the bytes written and reserves them in the caller's usage first, refusing those over the quota. */
  static final class LimitedStream extends FilterOutputStream {
    private final AtomicLong used;
    private final long quota;
    private long count;

    private LimitedStream(OutputStream out, AtomicLong used, long quota) {
      super(out);
      this.used = used;
      this.quota = quota;
    }

    /** The bytes written through this stream. */
    long count() {
      return count;
    }

    /** Gives back what this stream reserved, for a payload that is deleted. */
    void release() {
      used.addAndGet(-count);
      count = 0;
    }

    @Override
    public void write(int b) throws IOException {
      reserve(1);
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      reserve(len);
      out.write(b, off, len);
      count += len;
    }

    private void reserve(long bytes) throws PayloadQuotaExceededException {
      long now = used.addAndGet(bytes);
      if (now > quota) {
        used.addAndGet(-bytes);
        throw new PayloadQuotaExceededException(quota, now - bytes - count);
      }
    }
  }
}
