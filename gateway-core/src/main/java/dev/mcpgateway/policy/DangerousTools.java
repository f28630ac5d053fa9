package dev.mcpgateway.policy;

import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refuses tools whose names say they run commands (shell, exec, eval...) unless the server's
 * {@code tools} names them explicitly ({@code "*"} does not count): such tools are hidden from
 * {@code tools/list} and calls to them are denied. Names are matched word by word, in
 * snake_case, kebab-case, dotted or camelCase ({@code run_command}, {@code runCommand}).
 * Thread-safe.
 */
final class DangerousTools implements Interceptor {
  /** Names of tools that execute commands or code. */
  static final Pattern DEFAULT = Pattern.compile(
      "(?i)(^|[_\\-.])(shell|bash|sh|zsh|powershell|pwsh|cmd|exec|execute|run_?command|run_?shell|run_?script|terminal|eval"
      + "|subprocess|spawn|os_?system)([_\\-.]|$)");
  private static final Pattern CAMEL = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])");

  private final Pattern pattern;
  private final Map<String, Set<String>> explicit = new HashMap<>();

  DangerousTools(GatewayConfig config, Pattern pattern) {
    this.pattern = pattern;
    for (ServerConfig server : config.servers().values()) {
      explicit.put(server.name(), Set.copyOf(server.tools()));
    }
  }

  private boolean refused(String server, String tool) {
    // runCommand and run_command name the same thing
    String words = CAMEL.matcher(tool).replaceAll("_");
    return (pattern.matcher(tool).find() || pattern.matcher(words).find()) && !explicit.getOrDefault(server, Set.of()).contains(tool);
  }

  @Override
  public Verdict onRequest(McpCall call) {
    return call.toolName()
        .filter(tool -> refused(call.server(), tool))
        .map(tool -> Verdict.deny("tool '" + tool + "' on server '" + call.server()
            + "' runs commands and is refused by default; list it in the server's \"tools\" to allow it"))
        .orElse(Verdict.pass());
  }

  @Override
  public Verdict onResponse(McpCall call, McpResult result) {
    if ("tools/list".equals(call.method())) {
      ToolAllowlist.Tools.filter(result, tool -> !refused(call.server(), tool));
    }
    return Verdict.pass();
  }

  @Override
  public String toString() {
    return "DangerousTools{" + pattern.pattern() + "}";
  }

}
