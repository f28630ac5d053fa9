package dev.mcpgateway.auth;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What an {@link Authenticator} sees of a request: the Authorization value, the path, the
 * remote address and a way to read any other header.
 *
 * <p>Immutable. The Authorization value is a secret: never log it or put it in a message.
 */
public final class AuthRequest {
  private final String authorization;
  private final String path;
  private final String remoteAddress;
  private final Function<String, Optional<String>> headers;

  private AuthRequest(String authorization, String path, String remoteAddress,
      Function<String, Optional<String>> headers) {
    this.authorization = authorization;
    this.path = Objects.requireNonNull(path, "path");
    this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
    this.headers = Objects.requireNonNull(headers, "headers");
  }

  /**
   * Creates a request view.
   *
   * @param authorization the raw Authorization header, or {@code null} when absent
   * @param path the gateway-relative path, for logs
   * @param remoteAddress {@code host:port} of the caller, for logs and throttling
   * @param headers reads any header by case-insensitive name
   * @return the request view
   */
  public static AuthRequest of(String authorization, String path, String remoteAddress,
      Function<String, Optional<String>> headers) {
    return new AuthRequest(authorization, path, remoteAddress, headers);
  }

  /**
   * A request with only an Authorization value, for tests and benchmarks.
   *
   * @param authorization the raw Authorization header value
   * @return the request view
   */
  public static AuthRequest of(String authorization) {
    return new AuthRequest(authorization, "/", "unknown", name -> Optional.empty());
  }

  /** {@return the raw Authorization header value, exactly as sent; empty when absent} */
  public Optional<String> authorization() {
    return Optional.ofNullable(authorization);
  }

  /** {@return the gateway-relative path, for example {@code /mcp/github}} */
  public String path() {
    return path;
  }

  /** {@return the caller's {@code host:port}} */
  public String remoteAddress() {
    return remoteAddress;
  }

  /** {@return the caller's host, without the port: the unit of brute-force throttling} */
  public String remoteHost() {
    int colon = remoteAddress.lastIndexOf(':');
    if (colon <= 0 || remoteAddress.startsWith("[") && !remoteAddress.endsWith("]") && colon < remoteAddress.indexOf(']')) {
      return remoteAddress;
    }
    return remoteAddress.substring(0, colon);
  }

  /**
   * {@return the first value of any header; empty when absent}
   *
   * @param name the header name, in any case
   */
  public Optional<String> header(String name) {
    return headers.apply(name);
  }

  @Override
  public String toString() {
    return "AuthRequest{path=" + path + ", remote=" + remoteAddress + ", authorization="
        + (authorization == null ? "absent" : "present") + "}";
  }
}
