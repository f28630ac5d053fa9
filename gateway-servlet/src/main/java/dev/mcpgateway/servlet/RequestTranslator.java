package dev.mcpgateway.servlet;

import dev.mcpgateway.GatewayRequest;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import java.util.Enumeration;
import java.util.Set;
import java.util.HashSet;

/** Translates the servlet view of a request (all but its body) to a {@link GatewayRequest.Builder}. */
final class RequestTranslator {

  private RequestTranslator() {}

  static GatewayRequest.Builder translate(HttpServletRequest request) {
    GatewayRequest.Builder builder = GatewayRequest.builder(request.getMethod(), path(request))
        .remoteAddress(remoteAddress(request.getRemoteAddr(), request.getRemotePort()));
    String local = request.getLocalAddr();
    if (local != null && !local.isEmpty()) {
      // lets the gateway refuse foreign Host names on loopback listeners (DNS rebinding)
      builder.localAddress(local.startsWith("[") && local.endsWith("]") ? local.substring(1, local.length() - 1) : local);
    }
    // Containers differ in whether a repeated header name is listed once or per line.
    Set<String> seen = new HashSet<>();
    for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
      String name = names.nextElement();
      if (!seen.add(GatewayRequest.headerKey(name))) {
        continue;
      }
      for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
        builder.header(name, values.nextElement());
      }
    }
    return builder;
  }

  /**
   * The gateway-relative path: the path info under a {@code /*} or {@code /prefix/*} mapping,
   * the whole path in the context under the default mapping {@code /}. Used as the container
   * decoded it.
   */
  static String path(HttpServletRequest request) {
    String path = request.getPathInfo();
    HttpServletMapping mapping = request.getHttpServletMapping();
    if (mapping != null && mapping.getMappingMatch() == MappingMatch.DEFAULT) {
      path = request.getServletPath() + (path == null ? "" : path);
    }
    if (path == null || path.isEmpty()) {
      return "/";
    }
    return path.startsWith("/") ? path : "/" + path;
  }

  /** {@code host:port}, with an IPv6 host in brackets; {@code "unknown"} when the container does not know. */
  static String remoteAddress(String host, int port) {
    if (host == null || host.isEmpty()) {
      return "unknown";
    }
    String bracketed = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return port > 0 ? bracketed + ":" + port : bracketed;
  }
}
