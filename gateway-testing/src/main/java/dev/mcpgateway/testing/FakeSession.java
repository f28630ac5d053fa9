package dev.mcpgateway.testing;

import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.session.McpSession;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A plain {@link McpSession} for testing session stores. Immutable. */
public final class FakeSession implements McpSession {
  private final String id;
  private final String server;
  private final Identity identity;
  private final Instant createdAt = Instant.now();

  private FakeSession(String id, String server, Identity identity) {
    this.id = id;
    this.server = server;
    this.identity = identity;
  }

  /** A session with a random id on {@code server}, owned by an identity made from {@code credential}. */
  public static FakeSession on(String server, String credential) {
    return new FakeSession(UUID.randomUUID().toString(), server, Identity.of("fake", Objects.requireNonNull(credential)));
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String server() {
    return server;
  }

  @Override
  public Identity identity() {
    return identity;
  }

  @Override
  public String protocolVersion() {
    return "2025-06-18";
  }

  @Override
  public Instant createdAt() {
    return createdAt;
  }

  @Override
  public String toString() {
    return "FakeSession{" + server + "}";
  }
}
