package dev.mcpgateway.auth.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Checks on a raw Authorization value, none of which reveals anything about the keys. */
final class AuthorizationValue {
  private static final String BEARER = "bearer";

  /** Cloned for each digest: cheaper than a provider look-up, and nothing kept per thread. */
  private static final MessageDigest SHA256;

  static {
    try {
      SHA256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private AuthorizationValue() {}

  /** Whether {@code value} holds a control character other than horizontal tab. */
  static boolean hasControlCharacters(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code value} uses the Bearer scheme: the word in any letter case, alone or before a space or tab. */
  static boolean isBearer(String value) {
    if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    return value.length() == BEARER.length() || value.charAt(BEARER.length()) == ' ' || value.charAt(BEARER.length()) == '\t';
  }

  /** The SHA-256 digest of the UTF-8 bytes of {@code value}. */
  static byte[] sha256(String value) {
    try {
      return ((MessageDigest) SHA256.clone()).digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
    }
  }
}
