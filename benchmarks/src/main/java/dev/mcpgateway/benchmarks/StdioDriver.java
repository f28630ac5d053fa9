package dev.mcpgateway.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The direct path: {@code tools/call} written straight to the echo server's stdin and read from
 * its stdout, no HTTP and no gateway, with a fixed number of requests in flight. What an MCP
 * client that launches the server itself would see.
 */
final class StdioDriver implements AutoCloseable {
  private static final byte[] NEEDLE = "hello from wrk".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_SAMPLES = 20_000_000;

  private final Process process;
  private final OutputStream in;
  private final InputStream out;

  StdioDriver(String echoServer) throws IOException {
    process = new ProcessBuilder(echoServer).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    in = new BufferedOutputStream(process.getOutputStream(), 64 * 1024);
    out = new BufferedInputStream(process.getInputStream(), 64 * 1024);
    writeLine("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}");
    in.flush();
    readLine(new byte[4096]);
    writeLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    in.flush();
  }

  long pid() {
    return process.pid();
  }

  /** Runs for {@code duration} with {@code inFlight} requests outstanding; latencies are recorded when {@code measure}. */
  Result run(int inFlight, long durationMillis) throws Exception {
    Semaphore credits = new Semaphore(inFlight);
    long[] sentAt = new long[1 << 16];
    long[] samples = new long[MAX_SAMPLES];
    AtomicLong sent = new AtomicLong();
    long[] received = new long[2]; // count, bad
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMillis);
    Thread reader = new Thread(() -> {
      byte[] line = new byte[4096];
      try {
        while (true) {
          int n = readLine(line);
          if (n < 0) {
            return;
          }
          long now = System.nanoTime();
          long id = idOf(line, n);
          if (id < 0) {
            break; // the stop marker
          }
          long count = received[0]++;
          if (count < MAX_SAMPLES) {
            samples[(int) count] = now - sentAt[(int) (id & 0xFFFF)];
          }
          if (!contains(line, n, NEEDLE)) {
            received[1]++;
          }
          credits.release();
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, "stdio-driver-reader");
    reader.start();
    long started = System.nanoTime();
    long id = 0;
    while (System.nanoTime() < end) {
      if (!credits.tryAcquire()) {
        in.flush();
        if (!credits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
      }
      id++;
      sentAt[(int) (id & 0xFFFF)] = System.nanoTime();
      writeLine("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
          + "\"arguments\":{\"message\":\"hello from wrk\"}}}");
      if (inFlight == 1 || credits.availablePermits() == 0) {
        in.flush();
      }
    }
    in.flush();
    credits.acquire(inFlight); // all answers are in
    long elapsed = System.nanoTime() - started;
    writeLine("{\"jsonrpc\":\"2.0\",\"id\":-1,\"method\":\"ping\"}");
    in.flush();
    reader.join();
    sent.set(id);
    int count = (int) Math.min(received[0], MAX_SAMPLES);
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    return new Result(received[0], elapsed, received[0] - received[1], received[1],
        percentile(sorted, 50), percentile(sorted, 99));
  }

  record Result(long requests, long elapsedNanos, long ok, long bad, long p50Nanos, long p99Nanos) {}

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private void writeLine(String json) throws IOException {
    in.write(json.getBytes(StandardCharsets.UTF_8));
    in.write('\n');
  }

  private int readLine(byte[] line) throws IOException {
    int n = 0;
    int b;
    while ((b = out.read()) >= 0) {
      if (b == '\n') {
        return n;
      }
      if (n < line.length) {
        line[n++] = (byte) b;
      }
    }
    return -1;
  }

  /** The numeric id of an answer (the echo server writes {@code "id":} first). */
  private static long idOf(byte[] line, int n) {
    int at = indexOf(line, n, "\"id\":".getBytes(StandardCharsets.US_ASCII));
    if (at < 0) {
      return -1;
    }
    at += 5;
    boolean negative = line[at] == '-';
    if (negative) {
      return -1;
    }
    long id = 0;
    while (at < n && line[at] >= '0' && line[at] <= '9') {
      id = id * 10 + (line[at++] - '0');
    }
    return id;
  }

  private static boolean contains(byte[] line, int n, byte[] needle) {
    return indexOf(line, n, needle) >= 0;
  }

  private static int indexOf(byte[] line, int n, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= n; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (line[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() throws Exception {
    in.close();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
