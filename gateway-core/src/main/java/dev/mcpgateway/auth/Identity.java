package dev.mcpgateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling: a display name for logs and audit, a session key that groups the caller's
 * MCP sessions and backends, and optionally the servers the caller may use.
 *
 * <p>The session key is a one-way digest of the credential (see {@link #of(String, String)}),
 * never the credential itself, so it can appear in logs, labels and paths. Immutable.
 *
 * @param name display name, for example the API key's name; never the key
 * @param sessionKey one-way digest that keys backend pooling and payload storage
 * @param allowedServers servers this identity may use; empty means all
 * @param admin whether this identity may use the gateway's admin endpoint ({@code POST /close})
 */
public record Identity(String name, String sessionKey, Optional<Set<String>> allowedServers, boolean admin) {

  private static final Identity ANONYMOUS = new Identity("anonymous", digest(""), Optional.empty());

  /**
   * Validates and copies.
   *
   * @param name display name, for example the API key's name; never the key
   * @param sessionKey one-way digest that keys backend pooling and payload storage
   * @param allowedServers servers this identity may use; empty means all
   * @param admin whether this identity may use the gateway's admin endpoint ({@code POST /close})
   */
  public Identity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sessionKey, "sessionKey");
    allowedServers = Objects.requireNonNull(allowedServers, "allowedServers").map(Set::copyOf);
  }

  /**
   * An identity that is not an admin.
   *
   * @param name display name, for example the API key's name; never the key
   * @param sessionKey one-way digest that keys backend pooling and payload storage
   * @param allowedServers servers this identity may use; empty means all
   */
  public Identity(String name, String sessionKey, Optional<Set<String>> allowedServers) {
    this(name, sessionKey, allowedServers, false);
  }

  /**
   * An identity named {@code name} whose session key is the SHA-256 digest of
   * {@code credential}; allowed every server.
   *
   * @param name the caller's name
   * @param credential the secret the caller presented
   * @return the identity
   */
  public static Identity of(String name, String credential) {
    return new Identity(name, digest(credential), Optional.empty());
  }

  /** {@return the identity of callers when authentication is off and no Authorization is sent} */
  public static Identity anonymous() {
    return ANONYMOUS;
  }

  /**
   * A copy allowed only the named servers.
   *
   * @param servers the servers it may use
   * @return the copy
   */
  public Identity withAllowedServers(Set<String> servers) {
    return new Identity(name, sessionKey, Optional.of(servers), admin);
  }

  /** {@return a copy that may use the admin endpoint} */
  public Identity asAdmin() {
    return new Identity(name, sessionKey, allowedServers, true);
  }

  /**
   * Whether this identity may use {@code server}.
   *
   * @param server the server's name
   * @return {@code true} when {@code server} is allowed
   */
  public boolean mayUse(String server) {
    return allowedServers.map(servers -> servers.contains(server)).orElse(true);
  }

  /**
   * The session key of a credential: the SHA-256 digest of the credential behind a fixed prefix,
   * in hex.
   *
   * @param credential the credential
   * @return 32 hex digits: the first 16 bytes of the digest
   */
  public static String digest(String credential) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] hash = sha256.digest(("mcp-gateway-session:" + credential).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
