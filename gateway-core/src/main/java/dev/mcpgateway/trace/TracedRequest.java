package dev.mcpgateway.trace;

import java.util.Map;
import java.util.Objects;

/**
 * A client's request as tracing sees it. It carries no argument, no payload and no credential:
 * only names, ids and the propagation fields the tracing asked for ({@link RequestTracing#fields()}).
 *
 * @param server the gateway's name of the server the request goes to
 * @param method the JSON-RPC method, such as {@code tools/call}
 * @param requestId the JSON-RPC id as JSON text ({@code 7}, {@code "a"}); null when absent or null
 * @param target the tool's name of a {@code tools/call}, the prompt's of a {@code prompts/get}; else null
 * @param sessionId the MCP session's id; null for {@code initialize}, which opens it
 * @param protocolVersion the MCP revision of the session, or the one {@code initialize} asks for
 * @param clientAddress the client's IP address as the transport saw it; null when unknown
 * @param headerPropagation the propagation fields among the HTTP headers, by lower-case name
 * @param metaPropagation the propagation fields among the request's {@code params._meta} string entries
 */
public record TracedRequest(String server, String method, String requestId, String target, String sessionId,
    String protocolVersion, String clientAddress, Map<String, String> headerPropagation,
    Map<String, String> metaPropagation) {

  public TracedRequest {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(method, "method");
    headerPropagation = Map.copyOf(headerPropagation);
    metaPropagation = Map.copyOf(metaPropagation);
  }
}
