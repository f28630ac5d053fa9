package dev.mcpgateway.auth;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link Authenticator#authenticate(AuthRequest)}: an identity, a denial with
 * its HTTP status and client message, or a throttle with the time to wait.
 *
 * <p>Immutable. Messages reach the client as {@code {"error": message}}: they must not
 * contain any part of a credential.
 */
public final class AuthResult {
  /** What kind of outcome a result is. */
  public enum Kind {
    /** The caller is known; {@link #identity()} says who. */
    SUCCESS,
    /** The caller is refused with {@link #status()} and {@link #message()}. */
    DENIED,
    /** Too many failures from this caller: 429 with {@code Retry-After}. */
    THROTTLED
  }

  private final Kind kind;
  private final Identity identity;
  private final int status;
  private final String message;
  private final Duration retryAfter;

  private AuthResult(Kind kind, Identity identity, int status, String message, Duration retryAfter) {
    this.kind = kind;
    this.identity = identity;
    this.status = status;
    this.message = message;
    this.retryAfter = retryAfter;
  }

  /**
   * The caller is {@code identity}.
   *
   * @param identity who the caller is
   * @return a successful result
   */
  public static AuthResult success(Identity identity) {
    return new AuthResult(Kind.SUCCESS, Objects.requireNonNull(identity, "identity"), 200, null, null);
  }

  /**
   * The caller is refused.
   *
   * @param status 401 for missing or wrong credentials, 400 for a malformed header, 403 for a
   *     known caller without access
   * @param message the client-facing reason, such as {@code authentication failed: invalid API key}
   * @return a denial
   */
  public static AuthResult denied(int status, String message) {
    if (status < 400 || status > 499) {
      throw new IllegalArgumentException("status must be a 4xx code: " + status);
    }
    return new AuthResult(Kind.DENIED, null, status, Objects.requireNonNull(message, "message"), null);
  }

  /**
   * The caller failed too often and must wait {@code retryAfter} before trying again.
   *
   * @param retryAfter how long to wait
   * @return a throttle with status 429
   */
  public static AuthResult throttled(Duration retryAfter) {
    return new AuthResult(Kind.THROTTLED, null, 429, "too many failed authentication attempts",
        Objects.requireNonNull(retryAfter, "retryAfter"));
  }

  /** {@return what kind of outcome this is} */
  public Kind kind() {
    return kind;
  }

  /**
   * Whether the caller is authenticated.
   *
   * @return {@code true} on success
   */
  public boolean isSuccess() {
    return kind == Kind.SUCCESS;
  }

  /** {@return the authenticated identity; empty unless {@link #isSuccess()}} */
  public Optional<Identity> identity() {
    return Optional.ofNullable(identity);
  }

  /** {@return the HTTP status for a denial or throttle; 200 for success} */
  public int status() {
    return status;
  }

  /** {@return the client-facing reason of a denial or throttle; empty for success} */
  public Optional<String> message() {
    return Optional.ofNullable(message);
  }

  /** {@return how long a throttled caller must wait; empty unless throttled} */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public String toString() {
    return kind == Kind.SUCCESS ? "AuthResult{success " + identity + "}" : "AuthResult{" + kind + " " + status + " " + message + "}";
  }
}
