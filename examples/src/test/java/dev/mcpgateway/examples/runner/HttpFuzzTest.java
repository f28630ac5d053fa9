package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the HTTP surface of the runner: mutated JSON-RPC, wrong types in
 * every field, huge ids and numbers, deep nesting, invalid UTF-8, duplicate keys, odd headers,
 * methods and paths. Never a 500, never a hang, never a stack trace. The count is
 * {@code -Dgateway.fuzz.count} (default 3000), the seed {@code -Dgateway.fuzz.seed}.
 */
@Tag("fuzz")
class HttpFuzzTest {
  private static final int COUNT = Integer.getInteger("gateway.fuzz.count", 3000);
  private static final long SEED = Long.getLong("gateway.fuzz.seed", 20261122L);
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  @TempDir Path payloads;
  private GatewayRunner.Running running;

  @AfterEach
  void stop() {
    if (running != null) {
      running.stop();
    }
  }

  private static final String[] BODIES = {
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hi\"}}}",
    "{\"jsonrpc\":\"2.0\",\"id\":\"s-1\",\"method\":\"tools/list\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1,\"reason\":\"x\"}}",
    "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}",
    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
        + "\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}",
    "[{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]",
    "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///etc/passwd\"}}",
  };

  private static final String[] VALUES = {
    "null", "true", "-1", "0", "1e400", "-0.0", "123456789012345678901234567890", "9".repeat(99), "9".repeat(5000),
    "\"\"", "\"x\"", "\"" + "a".repeat(70_000) + "\"", "[]", "{}", "[[[[[[[[]]]]]]]]", "\"\\u0000\"", "\"\\ud800\"",
    "{\"a\":1,\"a\":2}", "\"2.0\"", "2.0", "\"tools/call\"", "-9223372036854775809", "1.5", "NaN", "'single'",
  };

  private static final String[][] HEADERS = {
    {"Content-Type", "application/json; charset=utf-16"}, {"Content-Type", "text/plain"}, {"Content-Type", ""},
    {"Content-Type", "application/json;;;"}, {"Accept", "*/*"}, {"Accept", "text/event-stream"}, {"Accept", ""},
    {"Accept", "application/json;q=abc"}, {"MCP-Protocol-Version", "1999-01-01"}, {"MCP-Protocol-Version", "\u00ff\u00fe"},
    {"Mcp-Session-Id", "x".repeat(8000)}, {"Mcp-Session-Id", "../../etc"}, {"Mcp-Session-Id", ""},
    {"Last-Event-ID", "abc_-5"}, {"Last-Event-ID", "_99999999999999999999"}, {"Last-Event-ID", "\u0080\u00ff"},
    {"Origin", "http://evil.example"}, {"Origin", "null"}, {"Authorization", "Bearer \u0001\u0002"},
    {"Authorization", "x".repeat(10_000)}, {"Host", "evil.example"}, {"Host", ""}, {"Transfer-Encoding", "chunked"},
    {"Content-Length", "-1"}, {"Content-Length", "99999999999999999999"}, {"Expect", "100-continue"}, {"X-\u00ff", "1"},
  };

  private static final String SPECIALS = "{}[]\",:\\ \u0000x9-e";
  private static final String[] METHODS = {"POST", "POST", "POST", "POST", "GET", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO"};
  private static final String[] PATHS = {"/mcp/test", "/mcp/test", "/mcp/test", "/mcp/test", "/mcp", "/mcp/", "/mcp/test/x",
    "/mcp/%00", "/mcp/..%2f..%2fetc", "/health", "/health?x=1", "/", "/mcp/t%ZZ", "/" + "a".repeat(9000)};

  @Test
  void mutatedRequestsNeverGet500NorHangNorShowAStackTrace() throws Exception {
    running = GatewayRunner.start(GatewayHttp.config(payloads, Duration.ofSeconds(5)), "127.0.0.1", 0);
    GatewayHttp http = new GatewayHttp(running.port);
    String session = http.initialize("fuzz-key");
    Random seeds = new Random(SEED);
    List<Long> caseSeeds = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      caseSeeds.add(seeds.nextLong());
    }
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger[] statuses = new AtomicInteger[600];
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = new AtomicInteger();
    }
    AtomicInteger noAnswer = new AtomicInteger();
    long started = System.nanoTime();
    ExecutorService workers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (long caseSeed : caseSeeds) {
        done.add(workers.submit(() -> {
          byte[] request = mutate(new Random(caseSeed), session);
          try {
            GatewayHttp.RawResponse response = GatewayHttp.raw(running.port, request, DEADLINE);
            int status = response.status();
            if (status >= 0 && status < 600) {
              statuses[status].incrementAndGet();
            } else {
              noAnswer.incrementAndGet(); // closed without an answer: allowed for broken HTTP, counted
            }
            String problem = !response.complete() ? "no answer within " + DEADLINE
                : status >= 500 && status != 503 ? "status " + status
                : looksLikeStackTrace(response.text()) ? "stack trace in the answer" : null;
            if (problem != null) {
              failures.add("seed " + caseSeed + ": " + problem + "\n  request: " + preview(request) + "\n  answer: "
                  + preview(response.text().getBytes(StandardCharsets.ISO_8859_1)));
            }
          } catch (Exception e) {
            failures.add("seed " + caseSeed + ": " + e + "\n  request: " + preview(request));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      workers.shutdownNow();
    }
    StringBuilder summary = new StringBuilder();
    for (int i = 0; i < statuses.length; i++) {
      if (statuses[i].get() > 0) {
        summary.append(' ').append(i).append('=').append(statuses[i].get());
      }
    }
    System.out.printf("[reliability] fuzz: %d requests in %d ms, statuses:%s, closed without status: %d%n", COUNT,
        (System.nanoTime() - started) / 1_000_000, summary, noAnswer.get());
    assertThat(failures).as("fuzz failures (seed %d)", SEED).isEmpty();
    // the gateway still works afterwards
    assertThat(http.call("fuzz-key", http.initialize("fuzz-key"), 99, "echo", "{\"message\":\"after\"}").path("result").path("content")
        .path(0).path("text").asText()).isEqualTo("after");
  }

  static boolean looksLikeStackTrace(String text) {
    return text.contains("\tat ") || text.contains("at dev.mcpgateway") || text.contains("at org.eclipse")
        || text.contains("at java.") || text.contains("Exception") || text.contains("Caused by");
  }

  private static String preview(byte[] bytes) {
    String text = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.ISO_8859_1);
    return text.replace("\r", "\\r").replace("\n", "\\n") + (bytes.length > 300 ? "... (" + bytes.length + " bytes)" : "");
  }

  /** One fuzz case: a request as raw bytes, from a valid one with a few mutations. */
  static byte[] mutate(Random random, String session) {
    String method = random.nextInt(3) == 0 ? METHODS[random.nextInt(METHODS.length)] : "POST";
    String path = random.nextInt(4) == 0 ? PATHS[random.nextInt(PATHS.length)] : "/mcp/test";
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Host", "127.0.0.1"});
    headers.add(new String[] {"Content-Type", "application/json"});
    headers.add(new String[] {"Accept", "application/json, text/event-stream"});
    headers.add(new String[] {"Authorization", "fuzz-key"});
    if (random.nextInt(5) != 0) {
      // DELETE with the real session would end it and leave later cases at the 404 door
      headers.add(new String[] {"Mcp-Session-Id", method.equals("DELETE") ? "not-" + session : session});
    }
    int headerMutations = random.nextInt(3);
    for (int i = 0; i < headerMutations; i++) {
      String[] odd = HEADERS[random.nextInt(HEADERS.length)];
      headers.removeIf(h -> h[0].equalsIgnoreCase(odd[0]) && random.nextBoolean());
      headers.add(odd);
    }
    byte[] body = body(random);
    boolean declaredLength = headers.stream().noneMatch(h -> h[0].equalsIgnoreCase("Content-Length")
        || h[0].equalsIgnoreCase("Transfer-Encoding"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, method + " " + path + " HTTP/1.1\r\n");
    for (String[] h : headers) {
      write(out, h[0] + ": " + h[1] + "\r\n");
    }
    if (declaredLength) {
      write(out, "Content-Length: " + body.length + "\r\n");
    }
    write(out, "Connection: close\r\n\r\n");
    out.write(body, 0, body.length);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
  }

  private static byte[] body(Random random) {
    String json = BODIES[random.nextInt(BODIES.length)];
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      switch (random.nextInt(9)) {
        case 0: // a value of the wrong type in some field
        case 1: {
          List<int[]> spots = valueSpots(json);
          if (!spots.isEmpty()) {
            int[] spot = spots.get(random.nextInt(spots.size()));
            json = json.substring(0, spot[0]) + VALUES[random.nextInt(VALUES.length)] + json.substring(spot[1]);
          }
          break;
        }
        case 2: { // deep nesting
          int depth = random.nextBoolean() ? 100 + random.nextInt(60) : 5000 + random.nextInt(50_000);
          String open = random.nextBoolean() ? "[" : "{\"a\":";
          String close = open.equals("[") ? "]" : "}";
          json = json.replaceFirst("\\{\\}|\"hi\"", java.util.regex.Matcher.quoteReplacement(open.repeat(depth) + "1" + close.repeat(depth)));
          break;
        }
        case 3: // duplicate keys
          json = json.replaceFirst("\"jsonrpc\":\"2.0\"", "\"jsonrpc\":\"2.0\",\"jsonrpc\":\"1.0\",\"id\":null");
          break;
        case 4: // huge id
          json = json.replaceFirst("\"id\":[^,}]+", random.nextBoolean() ? "\"id\":" + "7".repeat(90)
              : "\"id\":\"" + "i".repeat(100_000) + "\"");
          break;
        case 5: // truncation
          json = json.substring(0, random.nextInt(json.length() + 1));
          break;
        case 6: { // a random character replaced
          if (!json.isEmpty()) {
            int at = random.nextInt(json.length());
            json = json.substring(0, at) + SPECIALS.charAt(random.nextInt(SPECIALS.length())) + json.substring(at + 1);
          }
          break;
        }
        default:
          break;
      }
    }
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    if (random.nextInt(6) == 0 && bytes.length > 0) { // invalid UTF-8
      byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80}};
      byte[] insert = bad[random.nextInt(bad.length)];
      int at = random.nextInt(bytes.length);
      byte[] mutated = new byte[bytes.length + insert.length];
      System.arraycopy(bytes, 0, mutated, 0, at);
      System.arraycopy(insert, 0, mutated, at, insert.length);
      System.arraycopy(bytes, at, mutated, at + insert.length, bytes.length - at);
      bytes = mutated;
    }
    if (random.nextInt(10) == 0) { // a BOM
      byte[] withBom = new byte[bytes.length + 3];
      withBom[0] = (byte) 0xEF;
      withBom[1] = (byte) 0xBB;
      withBom[2] = (byte) 0xBF;
      System.arraycopy(bytes, 0, withBom, 3, bytes.length);
      bytes = withBom;
    }
    return bytes;
  }

  /** Where the values of fields are: after {@code ":"}, up to the next {@code ,} or {@code }} at that level (roughly). */
  private static List<int[]> valueSpots(String json) {
    List<int[]> spots = new ArrayList<>();
    for (int i = json.indexOf("\":"); i >= 0; i = json.indexOf("\":", i + 1)) {
      int start = i + 2;
      if (start >= json.length()) {
        break;
      }
      char first = json.charAt(start);
      int end;
      if (first == '"') {
        end = json.indexOf('"', start + 1) + 1;
      } else if ((first == '{' || first == '[') && start + 1 < json.length()) {
        end = start + 1 + (json.charAt(start + 1) == (first == '{' ? '}' : ']') ? 1 : 0);
        if (end == start + 1) {
          continue; // a non-empty container: replace its inner values instead
        }
      } else if (first == '{' || first == '[') {
        continue;
      } else {
        end = start;
        while (end < json.length() && ",}]".indexOf(json.charAt(end)) < 0) {
          end++;
        }
      }
      if (end > start) {
        spots.add(new int[] {start, end});
      }
    }
    return spots;
  }
}
