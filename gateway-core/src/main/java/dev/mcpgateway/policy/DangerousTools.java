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

  /** Verdicts by tool name kept at most; names beyond are matched each time (clients choose names). */
  private static final int MAX_REMEMBERED = 4096;

  private final Pattern pattern;
  private final Map<String, Set<String>> explicit = new HashMap<>();
  private final java.util.concurrent.ConcurrentHashMap<String, Boolean> matches = new java.util.concurrent.ConcurrentHashMap<>();

  DangerousTools(GatewayConfig config, Pattern pattern) {
    this.pattern = pattern;
    for (ServerConfig server : config.servers().values()) {
      explicit.put(server.name(), Set.copyOf(server.tools()));
    }
  }

  private boolean refused(String server, String tool) {
    return commandLike(tool) && !explicit.getOrDefault(server, Set.of()).contains(tool);
  }

  /** Whether a tool's name says it runs commands; remembered, as agents call the same tools again and again. */
  private boolean commandLike(String tool) {
    Boolean known = matches.get(tool);
    if (known != null) {
      return known;
    }
    // runCommand and run_command name the same thing
    String words = CAMEL.matcher(tool).replaceAll("_");
    boolean match = pattern.matcher(tool).find() || pattern.matcher(words).find();
    if (matches.size() < MAX_REMEMBERED) {
      matches.put(tool, match);
    }
    return match;
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
