package dev.mcpgateway.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.internal.jsonrpc.ClientBody;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.session.CaffeineSessionStore;
import dev.mcpgateway.session.McpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH micro-benchmarks of the gateway's hot path, each doing what the gateway does per
 * {@code tools/call}: JSON-RPC parsing and id rewriting both ways, the API-key check, the session
 * lookup. SSE encoding is in {@code dev.mcpgateway.internal.session.SseEncodingBenchmark}.
 *
 * <pre>benchmarks/run.sh jmh [regex]</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class HotPathBenchmarks {
  static final byte[] REQUEST = ("{\"jsonrpc\":\"2.0\",\"id\":1000000042,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
      + "\"arguments\":{\"message\":\"hello from wrk\"}}}").getBytes(StandardCharsets.UTF_8);
  static final byte[] RESPONSE = ("{\"jsonrpc\":\"2.0\",\"id\":17,\"result\":{\"content\":[{\"type\":\"text\","
      + "\"text\":\"hello from wrk\"}]}}").getBytes(StandardCharsets.UTF_8);
  private static final String KEY = BenchGateway.API_KEY;

  private Authenticator apiKeys;
  private AuthRequest goodKey;
  private CaffeineSessionStore sessions;
  private String[] sessionIds;
  private int next;
  private final JsonNode clientId = LongNode.valueOf(1000000042L);

  @Setup(Level.Trial)
  public void setUp() {
    apiKeys = ApiKeyAuthenticator.builder().key("default", KEY).build();
    goodKey = AuthRequest.of(KEY, "/mcp/echo", "127.0.0.1:50000", name -> Optional.empty());
    sessions = CaffeineSessionStore.builder().maximumSessions(20_000).idleTimeout(Duration.ofMinutes(30)).build();
    Identity identity = Identity.of("default", KEY);
    sessionIds = new String[10_000];
    for (int i = 0; i < sessionIds.length; i++) {
      String id = UUID.randomUUID().toString();
      sessionIds[i] = id;
      sessions.add(new McpSession(id, identity.sessionKey(), "echo", "2025-06-18", java.util.Map.of(), java.util.Map.of(),
          dev.mcpgateway.config.ServerConfig.Isolation.KEY, Instant.EPOCH));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    sessions.close();
  }

  /** Client to backend: parse the request, put the backend-side id in, serialize. */
  @Benchmark
  public byte[] requestParseAndRewriteId() throws IOException {
    ObjectNode message = (ObjectNode) Json.parse(REQUEST);
    JsonNode id = message.get("id");
    String method = message.get("method").asText();
    message.set("id", LongNode.valueOf(17));
    return method.length() > 0 && id != null ? Json.bytes(message) : null;
  }

  /** Reading a client's POST body the gateway's way, keeping odd ids exactly: compare with {@link #requestJacksonTree}. */
  @Benchmark
  public JsonNode requestClientBody() throws IOException {
    return ClientBody.parse(REQUEST);
  }

  /** Reading the same body as a plain Jackson tree. */
  @Benchmark
  public JsonNode requestJacksonTree() throws IOException {
    return Json.parse(REQUEST);
  }

  /** Backend to client: parse the response, put the client's id back, serialize. */
  @Benchmark
  public byte[] responseParseAndRewriteId() throws IOException {
    ObjectNode message = (ObjectNode) Json.parse(RESPONSE);
    long backendId = message.get("id").longValue();
    message.set("id", clientId);
    return backendId > 0 ? Json.bytes(message) : null;
  }

  /** The spec 7.1 API-key check of one request with the right key. */
  @Benchmark
  public AuthResult apiKeyCheck() {
    return apiKeys.authenticate(goodKey);
  }

  /** Looking an MCP session up by its id among 10,000. */
  @Benchmark
  public Optional<McpSession> sessionLookup() {
    int i = next++ % sessionIds.length;
    return sessions.get(sessionIds[i]);
  }
}
