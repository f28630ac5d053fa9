package dev.mcpgateway.trace;

import java.util.Map;
import java.util.Objects;

/**
 * A message the gateway sends on behalf of a traced request: a call to a backend, or a request a
 * backend sends to the client. Names and ids only, no argument or payload.
 *
 * @param server the gateway's name of the server
 * @param method the JSON-RPC method
 * @param requestId the id of the message as its receiver sees it, as JSON text; null when unknown
 * @param target the tool's name of a {@code tools/call}, the prompt's of a {@code prompts/get}; else null
 * @param transport how the message travels: {@code pipe} (a backend's stdio) or {@code tcp} (HTTP)
 * @param address the receiver's host for a remote backend; else null
 * @param port the receiver's port for a remote backend; else 0
 * @param propagation for a backend's request to the client, the propagation fields the backend
 *     put in its {@code params._meta}; else empty
 */
public record TracedCall(String server, String method, String requestId, String target, String transport, String address,
    int port, Map<String, String> propagation) {

  /**
   * Copies {@code propagation}; rejects a null server or method.
   *
   * @param server the gateway's name of the server
   * @param method the JSON-RPC method
   * @param requestId the id of the message as its receiver sees it, as JSON text; null when unknown
   * @param target the tool's name of a {@code tools/call}, the prompt's of a {@code prompts/get};
   *     else null
   * @param transport how the message travels: {@code pipe} (a backend's stdio) or {@code tcp} (HTTP)
   * @param address the receiver's host for a remote backend; else null
   * @param port the receiver's port for a remote backend; else 0
   * @param propagation for a backend's request to the client, the propagation fields the backend
   *     put in its {@code params._meta}; else empty
   */
  public TracedCall {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(method, "method");
    propagation = Map.copyOf(propagation);
  }
}
