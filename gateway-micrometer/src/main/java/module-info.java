/**
 * Micrometer metrics for the MCP gateway: {@code MicrometerMetrics.create(MeterRegistry)}, so
 * Micrometer is required transitively.
 *
 * <p>{@code micrometer.core} is an automatic module; its name is the stable
 * {@code Automatic-Module-Name} of its manifest, hence the suppressed warnings.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.mcpgateway.micrometer {
  requires transitive dev.mcpgateway.core;
  requires transitive micrometer.core;

  exports dev.mcpgateway.micrometer;
}
