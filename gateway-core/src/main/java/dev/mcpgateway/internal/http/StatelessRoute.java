package dev.mcpgateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.ServerConfig;
import java.util.concurrent.CompletionStage;

/**
 * Where the endpoints hand requests of the stateless revision (2026-07-28): no session, the
 * protocol version, client capabilities and client info in every request's {@code _meta}.
 */
public interface StatelessRoute {
  /** The stateless revision's name. */
  String VERSION = "2026-07-28";
  String META_VERSION = "io.modelcontextprotocol/protocolVersion";

  /**
   * Whether a POST body belongs to the stateless revision: its {@code _meta} names a protocol
   * version, or it names no session and its {@code MCP-Protocol-Version} header is not one of the
   * session-based revisions.
   */
  static boolean claims(GatewayRequest request, JsonNode body) {
    if (!body.isObject()) {
      return false;
    }
    JsonNode meta = body.path("params").path("_meta");
    if (meta.isObject() && meta.has(META_VERSION)) {
      return true;
    }
    if (request.header(ClientSessions.SESSION_HEADER).isPresent()) {
      return false;
    }
    String header = request.header(ClientSessions.VERSION_HEADER).orElse(null);
    return header != null && !ClientSessions.VERSIONS.contains(header) && !"2024-11-05".equals(header)
        && !"initialize".equals(body.path("method").asText());
  }

  /** Whether a GET or DELETE comes from a client of the stateless revision, which has neither. */
  static boolean claimsOther(GatewayRequest request) {
    String header = request.header(ClientSessions.VERSION_HEADER).orElse(null);
    return request.header(ClientSessions.SESSION_HEADER).isEmpty() && header != null
        && !ClientSessions.VERSIONS.contains(header) && !"2024-11-05".equals(header);
  }

  /** 405 for a GET or DELETE of a stateless client. */
  static GatewayResponse methodNotAllowed(String method) {
    return Http.error(405, method + " is not part of protocol revision " + VERSION + ": send every request as a POST")
        .withHeader("Allow", "POST");
  }

  /**
   * A POST of the stateless revision.
   *
   * @param server the server of a routed endpoint; null for the unified endpoint
   * @param epoch the revocation epoch read before {@code identity} was authenticated
   */
  CompletionStage<GatewayResponse> post(GatewayRequest request, JsonNode body, Http.Accept accept, ServerConfig server,
      Identity identity, long epoch);
}
