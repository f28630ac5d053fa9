package dev.mcpgateway.policy;

import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lets only the tools a server's {@code tools} names through ({@code "*"} allows all): other
 * tools disappear from {@code tools/list} and calls to them are refused before they reach the
 * backend.
 */
final class ToolAllowlist implements Interceptor {
  private final Map<String, Set<String>> allowed = new HashMap<>();

  ToolAllowlist(GatewayConfig config) {
    for (ServerConfig server : config.servers().values()) {
      if (!server.tools().contains("*")) {
        allowed.put(server.name(), Set.copyOf(server.tools()));
      }
    }
  }

  private boolean allows(String server, String tool) {
    Set<String> tools = allowed.get(server);
    return tools == null || tools.contains(tool);
  }

  @Override
  public Verdict onRequest(McpCall call) {
    if (!allowed.containsKey(call.server())) {
      return Verdict.pass();
    }
    return call.toolName()
        .filter(tool -> !allows(call.server(), tool))
        .map(tool -> Verdict.deny("tool '" + tool + "' is not allowed on server '" + call.server() + "'"))
        .orElse(Verdict.pass());
  }

  @Override
  public Verdict onResponse(McpCall call, McpResult result) {
    if ("tools/list".equals(call.method()) && allowed.containsKey(call.server())) {
      Tools.filter(result, tool -> allows(call.server(), tool));
    }
    return Verdict.pass();
  }

  @Override
  public String toString() {
    return "ToolAllowlist" + allowed;
  }

  /** Helpers for {@code tools/list} results. */
  static final class Tools {
    private Tools() {}

    /** Removes the tools whose name {@code keep} rejects from a {@code tools/list} result. */
    @SuppressWarnings("unchecked")
    static void filter(McpResult result, java.util.function.Predicate<String> keep) {
      result.result().ifPresent(r -> {
        Object tools = r.get("tools");
        if (tools instanceof List) {
          ((List<Object>) tools).removeIf(tool -> !(tool instanceof Map)
              || !keep.test(String.valueOf(((Map<String, Object>) tool).get("name"))));
        }
      });
    }
  }
}
