package dev.mcpgateway.internal.http;

import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses browser requests from foreign origins and, on loopback listeners, requests whose
 * {@code Host} is not a loopback name: the DNS rebinding defence the MCP transport asks for.
 */
public final class OriginPolicy {
  private final Set<String> allowed;

  public OriginPolicy(Set<String> allowedOrigins) {
    this.allowed = Set.copyOf(allowedOrigins.stream().map(OriginPolicy::normalize).toList());
  }

  /** Why the request is refused, or null when it may pass. */
  public String refusal(GatewayRequest request) {
    String origin = request.header("origin").orElse(null);
    if (origin != null && !origin.equals("null") && !allowed.contains(normalize(origin)) && !isLoopbackOrigin(origin)) {
      return "origin '" + Json.truncate(origin) + "' is not allowed";
    }
    if (origin != null && origin.equals("null")) {
      return "origin 'null' is not allowed";
    }
    String local = request.localAddress().orElse(null);
    if (local != null && isLoopbackAddress(local)) {
      String host = request.header("host").orElse(null);
      if (host != null && !isLoopbackName(hostName(host))) {
        return "host '" + Json.truncate(host) + "' is not allowed on a loopback listener";
      }
    }
    return null;
  }

  private static String normalize(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }

  private static boolean isLoopbackOrigin(String origin) {
    try {
      URI uri = URI.create(origin.trim());
      String scheme = uri.getScheme();
      return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && uri.getHost() != null
          && isLoopbackName(uri.getHost());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The host part of a Host header: without port, IPv6 without brackets. */
  public static String hostName(String host) {
    String h = host.trim();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 ? h.substring(1, end) : h;
    }
    int colon = h.indexOf(':');
    return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.substring(0, colon) : h;
  }

  public static boolean isLoopbackName(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.endsWith(".localhost") || isLoopbackAddress(h);
  }

  public static boolean isLoopbackAddress(String address) {
    String a = address.toLowerCase(Locale.ROOT);
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    return a.equals("::1") || a.equals("0:0:0:0:0:0:0:1") || loopbackV4(a, 0) || (a.startsWith("::ffff:") && loopbackV4(a, 7));
  }

  /** Whether {@code a} from {@code from} on is {@code 127.d.d.d}, each d one to three digits (checked on every request). */
  private static boolean loopbackV4(String a, int from) {
    if (!a.startsWith("127.", from)) {
      return false;
    }
    int i = from + 4;
    for (int group = 0; group < 3; group++) {
      int digits = 0;
      while (i < a.length() && a.charAt(i) >= '0' && a.charAt(i) <= '9' && digits < 4) {
        i++;
        digits++;
      }
      if (digits == 0 || digits > 3) {
        return false;
      }
      if (group < 2) {
        if (i >= a.length() || a.charAt(i) != '.') {
          return false;
        }
        i++;
      }
    }
    return i == a.length();
  }
}
