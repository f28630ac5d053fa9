package dev.mcpgateway.auth.apikey;

import dev.mcpgateway.auth.Identity;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One configured key: its name, the SHA-256 digest the requests are compared with, and the
 * identity a matching request gets. The secret itself is not kept.
 */
final class ApiKey {
  private final String name;
  private final byte[] digest;
  private final Identity identity;

  private ApiKey(String name, byte[] digest, Identity identity) {
    this.name = name;
    this.digest = digest;
    this.identity = identity;
  }

  /**
   * Validates a key and keeps only its digest.
   *
   * @param servers the servers the key may use; {@code null} for all
   * @throws IllegalArgumentException naming the key (never showing it) when it can never
   *     arrive intact in an HTTP header or would be mistaken for the Bearer scheme
   */
  static ApiKey of(String name, String secret, Set<String> servers) {
    return of(name, secret, servers, false);
  }

  /** Like {@link #of(String, String, Set)}; an {@code admin} key may also use {@code POST /close}. */
  static ApiKey of(String name, String secret, Set<String> servers, boolean admin) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(secret, "secret of key '" + name + "'");
    if (name.isBlank()) {
      throw new IllegalArgumentException("key name must not be blank");
    }
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("key '" + name + "' is empty");
    }
    if (AuthorizationValue.hasControlCharacters(secret) || secret.indexOf('\t') >= 0) {
      throw new IllegalArgumentException("key '" + name + "' contains control characters");
    }
    if (!secret.strip().equals(secret)) {
      // HTTP strips leading and trailing whitespace of header values: such a key never matches.
      throw new IllegalArgumentException("key '" + name + "' starts or ends with whitespace");
    }
    if (AuthorizationValue.isBearer(secret)) {
      throw new IllegalArgumentException("key '" + name + "' starts with 'Bearer ': the gateway expects plain keys");
    }
    Identity identity = Identity.of(name, secret);
    if (servers != null) {
      if (servers.isEmpty()) {
        throw new IllegalArgumentException("servers of key '" + name + "' is empty: leave it out to allow every server");
      }
      identity = identity.withAllowedServers(Set.copyOf(servers));
    }
    if (admin) {
      identity = identity.asAdmin();
    }
    return new ApiKey(name, AuthorizationValue.sha256(secret), identity);
  }

  String name() {
    return name;
  }

  byte[] digest() {
    return digest;
  }

  Identity identity() {
    return identity;
  }

  /** Servers this key may use; empty means all. */
  Optional<Set<String>> servers() {
    return identity.allowedServers();
  }

  @Override
  public String toString() {
    return "ApiKey{" + name + "}";
  }
}
