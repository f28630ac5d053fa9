/**
 * Distributed tracing of the requests that pass the gateway: the SPI a tracing module
 * implements ({@link dev.mcpgateway.trace.RequestTracing}), the spans it hands back
 * ({@link dev.mcpgateway.trace.TraceSpan}) and what the gateway tells them, in JDK types only.
 * {@code gateway-opentelemetry} implements it with OpenTelemetry.
 */
package dev.mcpgateway.trace;
