package dev.mcpgateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.internal.intercept.InterceptorChain;
import dev.mcpgateway.internal.jsonrpc.ClientBody;
import dev.mcpgateway.policy.McpResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit line of a call reads its arguments from the client's tree while nobody made maps of
 * them: its text is the one the maps give, character for character, redaction and cuts included.
 */
class AuditArgumentsTest {
  private static final String SECRET = "s3cr3t-Value";

  @TempDir
  Path dir;

  private static final McpResult OK = new McpResult() {
    @Override
    public boolean isError() {
      return false;
    }

    @Override
    public Optional<Map<String, Object>> result() {
      return Optional.of(Map.of("content", List.of()));
    }

    @Override
    public Optional<String> errorMessage() {
      return Optional.empty();
    }
  };

  @Test
  void theLineFromTheTreeIsTheLineFromTheMaps() throws Exception {
    Path file = dir.resolve("audit.log");
    Clock clock = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);
    Random random = new Random(7_12_2026);
    int calls = 1_500;
    try (AuditLog audit = AuditLog.builder().file(file).clock(clock).secrets("srv", List.of(SECRET)).build()) {
      for (int i = 0; i < calls; i++) {
        String arguments = i % 50 == 0 ? odd(random) : object(random, 0);
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":"
            + arguments + "}}";
        ObjectNode message = (ObjectNode) ClientBody.parse(body.getBytes(StandardCharsets.UTF_8));

        InterceptorChain.Call fromTree = new InterceptorChain.Call("srv", Identity.of("caller", "key"), "tools/call", message);
        assertThat(fromTree.argumentsTree()).isNotNull();
        audit.onResponse(fromTree, OK);
        InterceptorChain.Call fromMaps = new InterceptorChain.Call("srv", Identity.of("caller", "key"), "tools/call", message);
        fromMaps.params(); // as an interceptor that reads the arguments does
        assertThat(fromMaps.argumentsTree()).isNull();
        audit.onResponse(fromMaps, OK);
      }
    }

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2 * calls);
    for (int i = 0; i < lines.size(); i += 2) {
      assertThat(lines.get(i)).isEqualTo(lines.get(i + 1));
    }
    assertThat(String.join("\n", lines)).doesNotContain(SECRET).contains("[REDACTED").contains("...(");
  }

  /** Arguments that are not an object: none, for the trail. */
  private static String odd(Random random) {
    String[] odd = {"\"text\"", "[1,2]", "7", "null", "true"};
    return odd[random.nextInt(odd.length)];
  }

  private static String object(Random random, int depth) {
    StringBuilder out = new StringBuilder("{");
    int n = random.nextInt(depth == 0 ? 6 : 3);
    for (int i = 0; i < n; i++) {
      out.append(i > 0 ? "," : "").append('"').append(random.nextInt(20) == 0 ? SECRET : "k" + i).append("\":")
          .append(value(random, depth + 1));
    }
    return out.append('}').toString();
  }

  private static String value(Random random, int depth) {
    switch (depth > 3 ? 2 + random.nextInt(8) : random.nextInt(10)) {
      case 0:
        return object(random, depth);
      case 1: {
        StringBuilder out = new StringBuilder("[");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.append(i > 0 ? "," : "").append(value(random, depth + 1));
        }
        return out.append(']').toString();
      }
      case 2:
        return "\"plain " + random.nextInt(1000) + " \\u00e9 é \\\" \\\\ \\n\"";
      case 3:
        return "\"token " + SECRET + " and ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + "\"";
      case 4:
        return "\"" + "long ".repeat(60 + random.nextInt(40)) + "\"";
      case 5:
        return Integer.toString(random.nextInt());
      case 6:
        return random.nextBoolean() ? Long.toString(random.nextLong()) : "123456789012345678901234567890";
      case 7:
        return random.nextBoolean() ? "1.5e" + random.nextInt(10) : "-0.000" + random.nextInt(100);
      case 8:
        return random.nextBoolean() ? "true" : "false";
      default:
        return "null";
    }
  }
}
