package dev.mcpgateway.policy;

import dev.mcpgateway.audit.AuditLog;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.config.ToolPinningMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The built-in interceptors, as static factories, and the default chain.
 *
 * <pre>{@code
 * McpGateway gateway = McpGateway.builder(config)
 *     .interceptors(List.of(
 *         Policies.audit(config),
 *         Policies.toolAllowlist(config),
 *         Policies.dangerousTools(config),
 *         ArgumentGuard.forServer("filesystem").allowedDirectories(List.of(Path.of("/projects"))).build(),
 *         Policies.redaction(config)))
 *     .build();
 * }</pre>
 */
public final class Policies {
  private Policies() {}

  /**
   * The chain a gateway uses when none is set, in this order:
   *
   * <ol>
   *   <li>{@link #audit(GatewayConfig, Function) audit log} (first, so that it sees every
   *       denial and the final answer; also appends to {@code auditFile} when configured);
   *   <li>{@link #toolAllowlist(GatewayConfig) tool allowlist};
   *   <li>{@link #dangerousTools(GatewayConfig) dangerous-tool deny list};
   *   <li>{@link #argumentGuards(GatewayConfig) argument guards} of the servers that configure
   *       {@code guards};
   *   <li>{@link #toolPinning(ToolPinningMode) tool pinning}, when {@code toolPinning} is
   *       {@code "warn"} or {@code "refuse"};
   *   <li>{@link #redaction(GatewayConfig, Function) redaction} (last, so that it is the first
   *       to see an answer and every other interceptor sees it redacted).
   * </ol>
   *
   * <p>Cheap name checks come before the argument guards, so that a refused tool is refused for
   * its name. The interceptors are new on each call; the gateway closes those it closes
   * (the audit log's file).
   *
   * @param environment where pass-through {@code env} values come from, to redact their values
   * @param config the gateway's configuration
   * @return the interceptors, in order
   */
  public static List<Interceptor> defaults(GatewayConfig config, Function<String, String> environment) {
    List<Interceptor> chain = new ArrayList<>();
    chain.add(audit(config, environment));
    chain.add(toolAllowlist(config));
    chain.add(dangerousTools(config));
    chain.addAll(argumentGuards(config));
    if (config.toolPinning() != ToolPinningMode.OFF) {
      chain.add(toolPinning(config.toolPinning()));
    }
    chain.add(redaction(config, environment));
    return List.copyOf(chain);
  }

  /**
   * The argument guards of every server whose configuration has {@code guards}; empty when none has.
   *
   * @param config the gateway's configuration
   * @return the guards
   */
  public static List<Interceptor> argumentGuards(GatewayConfig config) {
    List<Interceptor> guards = new ArrayList<>();
    for (ServerConfig server : config.servers().values()) {
      server.guards().ifPresent(g -> guards.addAll(ArgumentGuard.fromConfig(server.name(), g)));
    }
    return guards;
  }

  /**
   * {@link #defaults(GatewayConfig, Function)} with the process environment.
   *
   * @param config the gateway's configuration
   * @return the interceptors, in order
   */
  public static List<Interceptor> defaults(GatewayConfig config) {
    return defaults(config, System::getenv);
  }

  /**
   * Only the tools each server's {@code tools} lists ({@code "*"}: all).
   *
   * @param config the gateway's configuration
   * @return the interceptor
   */
  public static Interceptor toolAllowlist(GatewayConfig config) {
    return new ToolAllowlist(config);
  }

  /**
   * Refuses command-execution tools (shell, exec, eval...) unless a server's {@code tools} names them.
   *
   * @param config the gateway's configuration
   * @return the interceptor
   */
  public static Interceptor dangerousTools(GatewayConfig config) {
    return new DangerousTools(config, DangerousTools.DEFAULT, "built-in list");
  }

  /**
   * Refuses tools whose names match {@code pattern} unless a server's {@code tools} names them.
   * The pattern runs on names clients and servers choose: keep it free of nested repetition.
   *
   * @param config the gateway's configuration
   * @param pattern looked for anywhere in a tool's name
   * @return the interceptor
   */
  public static Interceptor denyTools(GatewayConfig config, Pattern pattern) {
    return new DangerousTools(config, pattern);
  }

  /**
   * Redacts credentials and each server's environment secrets from answers, and private
   * addresses, internal host names and long texts as the configuration's {@code redaction} asks.
   *
   * @param config the gateway's configuration
   * @param environment where pass-through {@code env} values come from, to redact their values
   * @return the interceptor
   */
  public static Redaction redaction(GatewayConfig config, Function<String, String> environment) {
    Redaction.Builder builder = Redaction.builder()
        .privateAddresses(config.redactPrivateAddresses())
        .internalHostNames(config.redactInternalHostNames())
        .maxTextChars(config.maxTextChars());
    secrets(config, environment).forEach(builder::secrets);
    return builder.build();
  }

  /**
   * {@link #redaction(GatewayConfig, Function)} with the process environment.
   *
   * @param config the gateway's configuration
   * @return the interceptor
   */
  public static Redaction redaction(GatewayConfig config) {
    return redaction(config, System::getenv);
  }

  /**
   * The audit trail, knowing each server's environment secrets so that it never writes them;
   * also appended to the configuration's {@code auditFile} when there is one. The caller closes
   * it (a gateway closes the interceptors of its chain).
   *
   * @param config the gateway's configuration
   * @param environment where pass-through {@code env} values come from, so that they are never written
   * @return the audit log
   */
  public static AuditLog audit(GatewayConfig config, Function<String, String> environment) {
    AuditLog.Builder builder = AuditLog.builder();
    config.auditFile().ifPresent(builder::file);
    secrets(config, environment).forEach(builder::secrets);
    return builder.build();
  }

  /**
   * {@link #audit(GatewayConfig, Function)} with the process environment.
   *
   * @param config the gateway's configuration
   * @return the audit log
   */
  public static AuditLog audit(GatewayConfig config) {
    return audit(config, System::getenv);
  }

  /**
   * Pins tool definitions at first sight and warns or refuses when they change.
   *
   * @param mode {@link ToolPinningMode#WARN} or {@link ToolPinningMode#REFUSE}
   * @return the interceptor
   * @throws IllegalArgumentException for {@link ToolPinningMode#OFF}, which needs no interceptor
   */
  public static ToolPinning toolPinning(ToolPinningMode mode) {
    return new ToolPinning(mode);
  }

  /** The values each server gets in its environment (resolved pass-through included). */
  static Map<String, List<String>> secrets(GatewayConfig config, Function<String, String> environment) {
    Map<String, List<String>> secrets = new java.util.HashMap<>();
    for (ServerConfig server : config.servers().values()) {
      List<String> values = new ArrayList<>();
      server.env().forEach((name, value) -> {
        String resolved = value.isEmpty() ? environment.apply(name) : value;
        if (resolved != null && !resolved.isEmpty()) {
          values.add(resolved);
        }
      });
      server.headers().values().forEach(values::add);
      secrets.put(server.name(), values);
    }
    return secrets;
  }
}
