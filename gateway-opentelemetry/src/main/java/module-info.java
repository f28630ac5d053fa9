/**
 * OpenTelemetry tracing for the MCP gateway: {@code OpenTelemetryTracing.create(OpenTelemetry)},
 * so the OpenTelemetry API is required transitively. Only the API: the host application brings
 * the SDK and its exporters.
 *
 * <p>{@code io.opentelemetry.api} and {@code io.opentelemetry.context} are automatic modules;
 * their names are the stable {@code Automatic-Module-Name} of their manifests, hence the
 * suppressed warnings.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.mcpgateway.opentelemetry {
  requires transitive dev.mcpgateway.core;
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;

  exports dev.mcpgateway.opentelemetry;
}
