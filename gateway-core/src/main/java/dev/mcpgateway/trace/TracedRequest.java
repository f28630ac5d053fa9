package dev.mcpgateway.trace;

import java.util.Map;
import java.util.Objects;

/**
 * A client's request as tracing sees it. It carries no argument, no payload and no credential:
 * only names, ids and the propagation fields the tracing asked for ({@link RequestTracing#fields()}).
 *
 * @param server the gateway's name of the server the request goes to; empty for a request of the
 *     unified endpoint that no single server serves (a list of every server's tools, a name no server has)
 * @param method the JSON-RPC method, such as {@code tools/call}
 * @param requestId the JSON-RPC id as JSON text ({@code 7}, {@code "a"}); null when absent or null
 * @param target the tool's name of a {@code tools/call}, the prompt's of a {@code prompts/get}; else null
 * @param sessionId the MCP session's id; null for {@code initialize}, which opens it, and for the
 *     requests of protocol revision 2026-07-28, which has no sessions
 * @param protocolVersion the MCP revision of the session, or the one {@code initialize} asks for, or
 *     the one a request of revision 2026-07-28 names
 * @param clientAddress the client's IP address as the transport saw it; null when unknown
 * @param headerPropagation the propagation fields among the HTTP headers, by lower-case name
 * @param metaPropagation the propagation fields among the request's {@code params._meta} string entries
 */
public record TracedRequest(String server, String method, String requestId, String target, String sessionId,
    String protocolVersion, String clientAddress, Map<String, String> headerPropagation,
    Map<String, String> metaPropagation) {

  /**
   * Copies the propagation maps; rejects a null server or method.
   *
   * @param server the gateway's name of the server the request goes to; empty for a request of the
   *     unified endpoint that no single server serves (a list of every server's tools, a name no
   *     server has)
   * @param method the JSON-RPC method, such as {@code tools/call}
   * @param requestId the JSON-RPC id as JSON text ({@code 7}, {@code "a"}); null when absent or null
   * @param target the tool's name of a {@code tools/call}, the prompt's of a {@code prompts/get};
   *     else null
   * @param sessionId the MCP session's id; null for {@code initialize}, which opens it, and for the
   *     requests of protocol revision 2026-07-28, which has no sessions
   * @param protocolVersion the MCP revision of the session, or the one {@code initialize} asks for,
   *     or the one a request of revision 2026-07-28 names
   * @param clientAddress the client's IP address as the transport saw it; null when unknown
   * @param headerPropagation the propagation fields among the HTTP headers, by lower-case name
   * @param metaPropagation the propagation fields among the request's {@code params._meta} string
   *     entries
   */
  public TracedRequest {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(method, "method");
    headerPropagation = Map.copyOf(headerPropagation);
    metaPropagation = Map.copyOf(metaPropagation);
  }
}
