package dev.mcpgateway.redis;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks cluster bus messages with HMAC-SHA256 under the cluster secret.
 *
 * <p>A signed message is one version byte ({@code 1}), the 32-byte MAC, then the payload. The MAC
 * covers the version, the Redis channel and the payload, so a message cannot be moved to another
 * topic or prefix. Messages are not numbered: whoever can read the channel can replay one, so
 * what travels on the bus should be safe to receive twice. Thread-safe.
 */
final class MessageSigner {
  static final int MINIMUM_SECRET_BYTES = 32;
  private static final byte VERSION = 1;
  private static final int MAC_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  MessageSigner(byte[] secret) {
    if (secret.length < MINIMUM_SECRET_BYTES) {
      throw new IllegalArgumentException("the cluster secret must have at least " + MINIMUM_SECRET_BYTES + " bytes, it has "
          + secret.length);
    }
    this.key = new SecretKeySpec(secret, ALGORITHM);
  }

  /** {@code payload} signed for {@code channel}. */
  byte[] sign(byte[] channel, byte[] payload) {
    byte[] signed = new byte[1 + MAC_BYTES + payload.length];
    signed[0] = VERSION;
    System.arraycopy(mac(channel, payload, 0, payload.length), 0, signed, 1, MAC_BYTES);
    System.arraycopy(payload, 0, signed, 1 + MAC_BYTES, payload.length);
    return signed;
  }

  /** The payload of {@code signed} when its signature for {@code channel} holds, else null. */
  byte[] verify(byte[] channel, byte[] signed) {
    if (signed.length < 1 + MAC_BYTES || signed[0] != VERSION) {
      return null;
    }
    byte[] expected = mac(channel, signed, 1 + MAC_BYTES, signed.length - 1 - MAC_BYTES);
    if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(signed, 1, 1 + MAC_BYTES))) {
      return null;
    }
    return Arrays.copyOfRange(signed, 1 + MAC_BYTES, signed.length);
  }

  private byte[] mac(byte[] channel, byte[] payload, int offset, int length) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update(VERSION);
      mac.update(channel);
      mac.update((byte) 0); // channels are visible ASCII: the zero byte ends the channel unambiguously
      mac.update(payload, offset, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }
}
