package dev.mcpgateway.auth.apikey;

import dev.mcpgateway.auth.AuthRequest;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lines {@link ApiKeyAuthenticator} writes to the {@code auth} category. They name the
 * key, the remote address and the path, never any part of a credential.
 */
final class AuthLog {
  private static final int MAX_FIELD_LENGTH = 200;
  private final Logger log = LoggerFactory.getLogger("auth");

  void failed(String reason, AuthRequest request) {
    log.warn("Authentication failed: {}, remote={}, path={}", reason, field(request.remoteAddress()), field(request.path()));
  }

  void throttled(AuthRequest request, Duration retryAfter) {
    log.warn("Authentication throttled: too many failures, remote={}, path={}, retryAfterSeconds={}",
        field(request.remoteAddress()), field(request.path()), seconds(retryAfter));
  }

  void lockedOut(String host, int failures, Duration window) {
    log.warn("Authentication locked out: {} failures within {}s, host={}, for {}s",
        failures, window.toSeconds(), field(host), window.toSeconds());
  }

  void sharedCountsUnavailable(RuntimeException e) {
    log.warn("Authentication failures counted across replicas are unavailable ({}); this replica throttles on its own meanwhile",
        e.getMessage());
  }

  void sharedCountsBack() {
    log.info("Authentication failures are counted across replicas again");
  }

  void succeeded(String keyName, AuthRequest request) {
    if (!log.isDebugEnabled()) {
      return; // every request passes here: nothing to build when nobody reads it
    }
    log.debug("Authenticated key '{}', remote={}, path={}", keyName, field(request.remoteAddress()), field(request.path()));
  }

  void weakKey(String keyName, String weakness) {
    log.warn("API key '{}' {}: use a random key of at least {} characters (WeakKeyPolicy.REFUSE refuses weak keys)",
        keyName, weakness, ApiKeyAuthenticator.MIN_STRONG_KEY_LENGTH);
  }

  void added(String keyName) {
    log.info("API key '{}' added", keyName);
  }

  void revoked(String keyName) {
    log.info("API key '{}' revoked; ending its sessions", keyName);
  }

  void listenerFailed(String keyName, RuntimeException e) {
    log.error("Revocation listener failed for key '{}'", keyName, e);
  }

  /** Whole seconds, rounded up, at least one: what {@code Retry-After} carries. */
  static long seconds(Duration duration) {
    long seconds = duration.toSeconds();
    return Math.max(1, duration.equals(Duration.ofSeconds(seconds)) ? seconds : seconds + 1);
  }

  /** A request field made safe for one log line: control characters replaced, length capped. */
  private static String field(String value) {
    StringBuilder safe = new StringBuilder(Math.min(value.length(), MAX_FIELD_LENGTH + 3));
    for (int i = 0; i < value.length() && i < MAX_FIELD_LENGTH; i++) {
      char c = value.charAt(i);
      safe.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return value.length() > MAX_FIELD_LENGTH ? safe.append("...").toString() : safe.toString();
  }
}
