package dev.mcpgateway.benchmarks;

import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH: one {@code tools/call} through the whole core, {@link McpGateway#handle} to the echo
 * server and back, without HTTP; run with {@code -prof gc} for the bytes allocated per call.
 * Needs the echo server: {@code -Dbench.echo=build/bench/echo-server} (run.sh passes it).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class GatewayHandleBenchmark {
  @Param({"bare", "secure"})
  public String mode;

  private McpGateway gateway;
  private String session;
  private final AtomicLong ids = new AtomicLong();

  @Setup(Level.Trial)
  public void setUp() {
    gateway = BenchGateway.gateway(System.getProperty("bench.echo", "build/bench/echo-server"), mode.equals("secure"));
    GatewayResponse init = gateway.handle(request(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
        + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"b\",\"version\":\"1\"}}}"))
        .toCompletableFuture().join();
    session = init.headers().get("Mcp-Session-Id");
    if (session == null) {
      throw new IllegalStateException("initialize failed: " + init.status() + " " + init.bodyText());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    gateway.close();
  }

  @Benchmark
  public GatewayResponse toolsCall() {
    return gateway.handle(request(session, "{\"jsonrpc\":\"2.0\",\"id\":" + ids.incrementAndGet()
        + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hello from wrk\"}}}"))
        .toCompletableFuture().join();
  }

  private GatewayRequest request(String session, String body) {
    GatewayRequest.Builder request = GatewayRequest.post("/mcp/echo").header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream").header("Host", "127.0.0.1:8000")
        .localAddress("127.0.0.1").remoteAddress("127.0.0.1:50000").body(body);
    if (mode.equals("secure")) {
      request.header("Authorization", BenchGateway.API_KEY);
    }
    if (session != null) {
      request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
    }
    return request.build();
  }
}
