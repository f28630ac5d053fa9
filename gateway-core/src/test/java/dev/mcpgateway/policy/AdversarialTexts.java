package dev.mcpgateway.policy;

import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Texts of about a megabyte built to make a backtracking matcher take quadratic or exponential
 * time, one set per redaction rule and per argument guard, each with the answer a correct
 * matcher gives. {@code RedactionLinearTimeTest} checks the answers; the benchmark
 * {@code RedactionBenchmark} times them.
 */
public final class AdversarialTexts {
  /** About how long each text is, in characters. */
  public static final int SIZE = 1 << 20;
  /** The server every case runs against. */
  public static final String SERVER = "srv";
  /** An environment secret of {@link #SERVER}. */
  public static final String SECRET = "s3cr3t-env-value-0123456789abcdef";
  /** A secret that makes a naive search compare it almost whole at every position of a run of {@code a}. */
  public static final String SECRET_AAAB = "a".repeat(40) + "b";

  private AdversarialTexts() {}

  /**
   * One text for a redaction rule and what the redaction makes of it. {@code streamsExactly} is
   * false for host names longer than a streaming window, which a stream redacts in part.
   */
  public record TextCase(String rule, String name, String input, String expected, boolean streamsExactly) {
    TextCase(String rule, String name, String input, String expected) {
      this(rule, name, input, expected, true);
    }
  }

  /** One call for an argument guard and whether it is denied. */
  public record GuardCase(String rule, String name, String tool, Map<String, Object> arguments, boolean denied) {}

  /** The redaction every text case runs through: every kind on, and the secrets of {@link #SERVER}. */
  public static Redaction redaction() {
    return Redaction.builder().privateAddresses(true).internalHostNames(true)
        .secrets(SERVER, List.of(SECRET, SECRET_AAAB)).build();
  }

  /** The text cases, by rule: each redaction kind and the environment secrets. */
  public static List<TextCase> textCases() {
    List<TextCase> cases = new ArrayList<>();
    String ghp19 = "ghp_" + "A1b2C3d4E5f6G7h8I9j" + "-";
    cases.add(same("github-token", "ghp_ and 19 characters, repeated", repeat(ghp19)));
    cases.add(same("github-token", "ghp_ and a megabyte of letters", "ghp_" + "a".repeat(SIZE)));
    cases.add(same("github-token", "github_pat_ and 19 characters, repeated", repeat("github_pat_" + "a".repeat(19) + " ")));
    cases.add(same("aws-access-key", "AKIA repeated", repeat("AKIA")));
    cases.add(same("aws-access-key", "AKIA and 15 characters, repeated", repeat("AKIA" + "B".repeat(15) + " ")));
    cases.add(same("private-key", "-----BEGIN and a megabyte of capitals, no end", "-----BEGIN " + "A".repeat(SIZE)));
    cases.add(same("private-key", "-----BEGIN -----END repeated", repeat("-----BEGIN -----END ")));
    cases.add(new TextCase("private-key", "a key block without an end line",
        "-----BEGIN RSA PRIVATE KEY-----\n" + "x".repeat(SIZE), "[REDACTED:private-key]"));
    cases.add(same("jwt", "eyJ- repeated (near-miss)", repeat("eyJ-")));
    String jwtUnit = "eyJaaaaa.eyJaaaaa.eyJaaaaa.";
    cases.add(new TextCase("jwt", "eyJaaaaa. repeated", repeat(jwtUnit), repeatTo("[REDACTED:jwt].", jwtUnit)));
    cases.add(same("bearer", "bearer repeated", repeat("bearer ")));
    cases.add(same("bearer", "Bearer and a megabyte of spaces", "Bearer" + " ".repeat(SIZE) + "x"));
    cases.add(same("api-key", "sk- and 19 characters with dashes, repeated", repeat("sk-" + "a-".repeat(9) + "a" + " ")));
    cases.add(new TextCase("api-key", "sk- and a megabyte of dashed words", "sk-" + "a-".repeat(SIZE / 2) + "a",
        "[REDACTED:api-key]"));
    String ipUnit = "10.10.10.10.";
    cases.add(new TextCase("private-ip", "10.10.10.10. repeated", repeat(ipUnit), repeatTo("[REDACTED:private-ip].", ipUnit)));
    cases.add(same("private-ip", "a megabyte of digits", "1".repeat(SIZE)));
    cases.add(same("private-ip", "10. and digits, repeated", repeat("10.1234.")));
    cases.add(same("internal-host", "dotted words a.a.a.", repeat("a.")));
    cases.add(new TextCase("internal-host", "dotted words ending in .corp", repeat("a.") + "corp", "[REDACTED:internal-host]",
        false));
    cases.add(new TextCase("internal-host", "a hyphenated megabyte label", "a-".repeat(SIZE / 2) + "a.local",
        "[REDACTED:internal-host]", false));
    cases.add(new TextCase("internal-host", "a.local. repeated (one long name)", repeat("a.local."), "[REDACTED:internal-host].",
        false));
    cases.add(same("internal-host", "dotted words with hyphens, no suffix", repeat("ab-cd.")));
    cases.add(same("secret", "the secret but its last character, repeated", repeat(SECRET.substring(0, SECRET.length() - 1))));
    cases.add(same("secret", "a megabyte of the first character of aaa...ab", "a".repeat(SIZE)));
    cases.add(new TextCase("secret", "the secret repeated", repeat(SECRET + " "), repeatTo("[REDACTED:secret] ", SECRET + " ")));
    return cases;
  }

  /** The configuration the guard cases run with: server {@link #SERVER} with path, extension and size guards. */
  public static GatewayConfig guardConfig() {
    return GatewayConfig.builder().server(ServerConfig.command("server").build(SERVER)).build();
  }

  /** The argument guard the guard cases run through. */
  public static ArgumentGuard argumentGuard() {
    return ArgumentGuard.forServer(SERVER).allowedDirectories(List.of(Path.of("/projects"))).allowedExtensions(Set.of("txt", "md"))
        .build();
  }

  /** The size guard: arguments of at most 64 KiB. */
  public static ArgumentGuard sizeGuard() {
    return ArgumentGuard.forServer(SERVER).maxArgumentBytes(64 * 1024).build();
  }

  /** The interceptor that decides the cases of a guard rule. */
  public static Interceptor guardFor(String rule) {
    switch (rule) {
      case "dangerous-tools":
        return Policies.dangerousTools(guardConfig());
      case "argument-size":
        return sizeGuard();
      default:
        return argumentGuard();
    }
  }

  /** The guard cases, by rule: tool names, paths, extensions and argument size. */
  public static List<GuardCase> guardCases() {
    List<GuardCase> cases = new ArrayList<>();
    cases.add(new GuardCase("dangerous-tools", "snake_case words a_a_a_", "a_".repeat(SIZE / 2) + "b", Map.of(), false));
    cases.add(new GuardCase("dangerous-tools", "camelCase words aBaB", "aB".repeat(SIZE / 2), Map.of(), false));
    cases.add(new GuardCase("dangerous-tools", "run_run_..._command", "run_".repeat(SIZE / 4) + "command", Map.of(), true));
    cases.add(new GuardCase("dangerous-tools", "dotted near-misses she.she.", "she.".repeat(SIZE / 4), Map.of(), false));
    cases.add(new GuardCase("argument-paths", "a megabyte of segments", "read", args("path", "/projects/" + "a/".repeat(SIZE / 2) + "b.txt"),
        false));
    cases.add(new GuardCase("argument-paths", "dot segments", "read", args("path", "/projects/" + "./".repeat(SIZE / 2) + "../x.txt"),
        true));
    cases.add(new GuardCase("argument-paths", "a file URI of slashes", "read", args("path", "file:" + "/".repeat(SIZE) + "projects/x.txt"),
        false));
    cases.add(new GuardCase("argument-extensions", "dotted file name", "read", args("path", "/projects/" + "a.".repeat(SIZE / 2) + "txt"),
        false));
    cases.add(new GuardCase("argument-extensions", "dotted file name, wrong extension", "read",
        args("path", "/projects/" + "a.".repeat(SIZE / 2) + "exe"), true));
    cases.add(new GuardCase("argument-size", "a megabyte argument", "write", args("content", "x".repeat(SIZE)), true));
    return cases;
  }

  /** A {@code tools/call} of {@code tool} on {@link #SERVER}. */
  public static McpCall call(String tool, Map<String, Object> arguments) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("name", tool);
    params.put("arguments", new LinkedHashMap<>(arguments));
    ConcurrentHashMap<String, Object> attributes = new ConcurrentHashMap<>();
    Instant now = Instant.now();
    return new McpCall() {
      @Override
      public String server() {
        return SERVER;
      }

      @Override
      public Identity identity() {
        return Identity.anonymous();
      }

      @Override
      public String method() {
        return "tools/call";
      }

      @Override
      public Map<String, Object> params() {
        return params;
      }

      @Override
      public Instant receivedAt() {
        return now;
      }

      @Override
      public ConcurrentHashMap<String, Object> attributes() {
        return attributes;
      }
    };
  }

  private static Map<String, Object> args(String name, Object value) {
    return Map.of(name, value);
  }

  private static TextCase same(String rule, String name, String input) {
    return new TextCase(rule, name, input, input);
  }

  /** {@code unit} repeated to about {@link #SIZE} characters, whole units only. */
  static String repeat(String unit) {
    return unit.repeat(Math.max(1, SIZE / unit.length()));
  }

  /** {@code replacement} as often as {@link #repeat} repeats {@code unit}. */
  private static String repeatTo(String replacement, String unit) {
    return replacement.repeat(Math.max(1, SIZE / unit.length()));
  }
}
