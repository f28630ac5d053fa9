package dev.mcpgateway.auth.apikey;

import java.util.Optional;

/** Judges whether a key is strong enough, without ever saying anything about its content. */
final class KeyStrength {
  private KeyStrength() {}

  /** Why {@code secret} is weak; empty when it is strong. */
  static Optional<String> weakness(String secret) {
    if (secret.length() < ApiKeyAuthenticator.MIN_STRONG_KEY_LENGTH) {
      return Optional.of("is shorter than " + ApiKeyAuthenticator.MIN_STRONG_KEY_LENGTH + " characters");
    }
    if (secret.chars().distinct().count() < ApiKeyAuthenticator.MIN_DISTINCT_CHARACTERS) {
      return Optional.of("has fewer than " + ApiKeyAuthenticator.MIN_DISTINCT_CHARACTERS + " distinct characters");
    }
    return Optional.empty();
  }
}
