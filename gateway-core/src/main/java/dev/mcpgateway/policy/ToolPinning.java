package dev.mcpgateway.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mcpgateway.config.ToolPinningMode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a digest of every tool's definition the first time a server lists it, and warns or
 * refuses when the definition later changes: a defence against a server that swaps a tool's
 * description or schema after it was reviewed ("rug pull"). In refusing mode a changed tool is
 * hidden from {@code tools/list} and calls to it are denied. Thread-safe.
 */
public final class ToolPinning implements Interceptor {
  private static final Logger LOG = LoggerFactory.getLogger("dev.mcpgateway.policy.ToolPinning");
  private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private final ToolPinningMode mode;
  private final ConcurrentHashMap<String, String> pins = new ConcurrentHashMap<>();
  private final Set<String> changed = ConcurrentHashMap.newKeySet();

  /**
   * Creates a pinning interceptor that warns ({@link ToolPinningMode#WARN}) or also refuses
   * ({@link ToolPinningMode#REFUSE}) when a definition changes.
   *
   * @param mode {@link ToolPinningMode#WARN} or {@link ToolPinningMode#REFUSE}
   * @throws IllegalArgumentException for {@link ToolPinningMode#OFF}, which pins nothing: leave
   *     the interceptor out of the chain instead
   */
  public ToolPinning(ToolPinningMode mode) {
    this.mode = java.util.Objects.requireNonNull(mode, "mode");
    if (mode == ToolPinningMode.OFF) {
      throw new IllegalArgumentException("tool pinning mode OFF pins nothing; leave ToolPinning out of the chain, "
          + "or use WARN or REFUSE");
    }
  }

  /**
   * The pinned digest of a tool, for tests and reviews; null when never listed.
   *
   * @param server the server's name
   * @param tool the tool's name
   * @return the digest; null when never listed
   */
  public String pin(String server, String tool) {
    return pins.get(server + "\u0000" + tool);
  }

  @Override
  public Verdict onRequest(McpCall call) {
    if (mode == ToolPinningMode.REFUSE) {
      String tool = call.toolName().orElse(null);
      if (tool != null && changed.contains(call.server() + "\u0000" + tool)) {
        return Verdict.deny("tool '" + tool + "' on server '" + call.server() + "' changed its definition since it was pinned; "
            + "review the change and restart the gateway to accept it");
      }
    }
    return Verdict.pass();
  }

  @Override
  @SuppressWarnings("unchecked")
  public Verdict onResponse(McpCall call, McpResult result) {
    if (!"tools/list".equals(call.method())) {
      return Verdict.pass();
    }
    result.result().ifPresent(r -> {
      Object tools = r.get("tools");
      if (!(tools instanceof List)) {
        return;
      }
      for (Object tool : (List<Object>) tools) {
        if (tool instanceof Map) {
          check(call.server(), (Map<String, Object>) tool);
        }
      }
    });
    if (mode == ToolPinningMode.REFUSE) {
      ToolAllowlist.Tools.filter(result, tool -> !changed.contains(call.server() + "\u0000" + tool));
    }
    return Verdict.pass();
  }

  private void check(String server, Map<String, Object> tool) {
    String name = String.valueOf(tool.get("name"));
    String key = server + "\u0000" + name;
    String digest = digest(tool);
    String pinned = pins.putIfAbsent(key, digest);
    if (pinned != null && !pinned.equals(digest) && changed.add(key)) {
      LOG.warn("Tool '{}' on server '{}' changed its definition since it was pinned (digest {} -> {}){}", name, server,
          pinned.substring(0, 12), digest.substring(0, 12), mode == ToolPinningMode.REFUSE ? "; it is refused" : "");
    }
  }

  private static String digest(Map<String, Object> tool) {
    try {
      byte[] canonical = CANONICAL.writeValueAsBytes(tool);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "ToolPinning{" + mode + "}";
  }
}
