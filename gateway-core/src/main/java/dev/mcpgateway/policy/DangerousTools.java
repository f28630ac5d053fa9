package dev.mcpgateway.policy;

import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Refuses tools whose names say they run commands (shell, exec, eval...) unless the server's
 * {@code tools} names them explicitly ({@code "*"} does not count): such tools are hidden from
 * {@code tools/list} and calls to them are denied. Names are matched word by word, in
 * snake_case, kebab-case, dotted or camelCase ({@code run_command}, {@code runCommand}).
 * The built-in list is matched by a hand-written scan in time linear in the name (tool names
 * come from clients and servers); a custom {@link Pattern} is the caller's to keep linear.
 * Thread-safe.
 */
final class DangerousTools implements Interceptor {
  /** Names of tools that execute commands or code, each a whole word of the name. */
  private static final String[] WORDS = {"shell", "bash", "sh", "zsh", "powershell", "pwsh", "cmd", "exec", "execute",
      "runcommand", "runshell", "runscript", "terminal", "eval", "subprocess", "spawn", "ossystem"};
  /** Word pairs that also match joined by {@code _}: {@code run_command}, {@code os_system}. */
  private static final String[][] PAIRS = {{"run", "command"}, {"run", "shell"}, {"run", "script"}, {"os", "system"}};

  /** The built-in list: {@code shell bash sh zsh powershell pwsh cmd exec execute run_command run_shell run_script terminal eval subprocess spawn os_system}. */
  static final Predicate<String> DEFAULT = DangerousTools::commandWord;
  /** Tool names this long or longer are not remembered: a client could fill memory with them. */
  private static final int MAX_REMEMBERED_LENGTH = 256;

  /** Verdicts by tool name kept at most; names beyond are matched each time (clients choose names). */
  private static final int MAX_REMEMBERED = 4096;

  private final Predicate<String> denied;
  private final String description;
  private final Map<String, Set<String>> explicit = new HashMap<>();
  private final java.util.concurrent.ConcurrentHashMap<String, Boolean> matches = new java.util.concurrent.ConcurrentHashMap<>();

  DangerousTools(GatewayConfig config, Pattern pattern) {
    this(config, name -> pattern.matcher(name).find(), pattern.pattern());
  }

  DangerousTools(GatewayConfig config, Predicate<String> denied, String description) {
    this.denied = denied;
    this.description = description;
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
    boolean match = denied.test(tool) || denied.test(camelToSnake(tool));
    if (matches.size() < MAX_REMEMBERED && tool.length() < MAX_REMEMBERED_LENGTH) {
      matches.put(tool, match);
    }
    return match;
  }

  /** {@code runCommand} as {@code run_Command}: an underscore between a lower-case letter or digit and an upper-case letter. */
  static String camelToSnake(String name) {
    StringBuilder out = null;
    for (int i = 1; i < name.length(); i++) {
      char before = name.charAt(i - 1);
      if ((before >= 'a' && before <= 'z' || before >= '0' && before <= '9') && Character.isUpperCase(name.charAt(i))) {
        if (out == null) {
          out = new StringBuilder(name.length() + 8).append(name, 0, i);
        }
        out.append('_');
      }
      if (out != null) {
        out.append(name.charAt(i));
      }
    }
    return out == null ? name : out.toString();
  }

  /**
   * Whether a word of {@code name} (split at {@code _ - .}), or two words joined by {@code _},
   * is on the built-in list; letter case is ignored. One pass over the name.
   */
  static boolean commandWord(String name) {
    int previousStart = -1;
    int previousEnd = -1;
    int start = 0;
    for (int i = 0; i <= name.length(); i++) {
      char c = i < name.length() ? name.charAt(i) : '.';
      if (c != '_' && c != '-' && c != '.') {
        continue;
      }
      for (String word : WORDS) {
        if (is(name, start, i, word)) {
          return true;
        }
      }
      if (previousStart >= 0) {
        for (String[] pair : PAIRS) {
          if (is(name, previousStart, previousEnd, pair[0]) && is(name, start, i, pair[1])) {
            return true;
          }
        }
      }
      // only an underscore joins two words into one (run_command, not run-command)
      previousStart = c == '_' ? start : -1;
      previousEnd = i;
      start = i + 1;
    }
    return false;
  }

  /** Whether {@code name[start, end)} is {@code word}, ignoring the case of ASCII letters. */
  private static boolean is(String name, int start, int end, String word) {
    if (end - start != word.length()) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      char c = name.charAt(start + i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != word.charAt(i)) {
        return false;
      }
    }
    return true;
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
    return "DangerousTools{" + description + "}";
  }

}
