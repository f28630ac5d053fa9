package dev.mcpgateway.config;

/**
 * Whether tool definitions are pinned at their first {@code tools/list}, and what happens when
 * one later changes: {@link GatewayConfig#toolPinning()} ({@code "toolPinning"} in JSON:
 * {@code "off"}, {@code "warn"}, {@code "refuse"}), and the mode of the
 * {@code dev.mcpgateway.policy.ToolPinning} interceptor.
 */
public enum ToolPinningMode {
  /** No pinning (the default): the gateway's chain has no pinning interceptor. */
  OFF,
  /** A changed definition is logged as a WARN; the tool stays usable. */
  WARN,
  /** A changed definition is logged, the tool hidden from {@code tools/list} and calls to it refused. */
  REFUSE
}
