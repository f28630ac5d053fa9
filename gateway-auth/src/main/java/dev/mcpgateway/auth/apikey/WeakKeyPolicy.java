package dev.mcpgateway.auth.apikey;

/**
 * What {@link ApiKeyAuthenticator} does with a weak key: one shorter than
 * {@value ApiKeyAuthenticator#MIN_STRONG_KEY_LENGTH} characters or made of fewer than
 * {@value ApiKeyAuthenticator#MIN_DISTINCT_CHARACTERS} distinct characters.
 */
public enum WeakKeyPolicy {
  /** Accepts the key and logs a WARN naming it (never showing it). The default. */
  WARN,
  /** Refuses the key: building the authenticator or adding the key fails. */
  REFUSE
}
