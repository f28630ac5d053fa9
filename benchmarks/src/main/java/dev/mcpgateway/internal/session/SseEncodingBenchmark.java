package dev.mcpgateway.internal.session;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: encoding one JSON-RPC message as a server-sent event ({@link SseStream#encode}). In the
 * core's package (on the benchmark's class path only) because the encoder is package-private.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class SseEncodingBenchmark {
  private static final byte[] MESSAGE = ("{\"jsonrpc\":\"2.0\",\"id\":1000000042,\"result\":{\"content\":[{\"type\":\"text\","
      + "\"text\":\"hello from wrk\"}]}}").getBytes(StandardCharsets.UTF_8);
  private long sequence;

  @Benchmark
  public byte[] sseEncode() {
    long seq = ++sequence;
    return SseStream.encode("3f2a9c_" + seq, MESSAGE);
  }
}
