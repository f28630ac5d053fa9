package dev.mcpgateway.internal.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code requestState} of a parked call: opaque to the client and sealed with AES-256-GCM
 * under a key only this gateway holds, so that it can be neither read nor changed. It binds the
 * parked call, the caller, the server, a digest of the request, an expiry and the round.
 *
 * <p>Format: {@code <parked>.<sealed>}: the parked call's id (random, base64url), then base64url
 * (no padding) of a 12-byte nonce followed by the GCM ciphertext and tag of the compact JSON
 * {@code {"p":parked,"c":caller,"s":server,"d":digest,"e":expiresAtMillis,"r":round}} (and {@code "i"}, the
 * backend's own state, when a backend of the stateless revision made the round; {@code "h"}, the
 * replica that holds the parked call, when the gateway is one of a cluster), with the id as
 * associated data. The id in clear lets a state that fails its check still name the call it
 * claims, so that the call can be cancelled.
 */
final class RequestStates {
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  /** The longest state a client may send back; anything longer was not made here. */
  static final int MAX_LENGTH = 64 * 1024;
  /** The longest state of a backend the gateway wraps into its own. */
  static final int MAX_INNER = 32 * 1024;

  /** What a state carries. */
  record State(String parked, String caller, String server, String digest, long expiresAtMillis, int round, String inner,
      String holder) {
    State(String parked, String caller, String server, String digest, long expiresAtMillis, int round) {
      this(parked, caller, server, digest, expiresAtMillis, round, null, null);
    }
  }

  /** What a state names in clear, and what it carries when it passed its check (else null). */
  record Opened(String claimed, State state) {}

  private final SecretKey key;
  private final SecureRandom random = new SecureRandom();

  /** States only this gateway can open: the key is made at start and held in memory. */
  RequestStates() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    this.key = new SecretKeySpec(bytes, "AES");
  }

  /**
   * States every replica of a cluster can open: the key is derived from the secret they share
   * (SHA-256 of a label and the secret), so a retry may land on any of them.
   */
  RequestStates(String clusterSecret) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update("mcp-gateway requestState key\n".getBytes(StandardCharsets.US_ASCII));
      this.key = new SecretKeySpec(sha.digest(clusterSecret.getBytes(StandardCharsets.UTF_8)), "AES");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String seal(State state) {
    ObjectNode json = Json.object();
    json.put("p", state.parked());
    json.put("c", state.caller());
    json.put("s", state.server());
    json.put("d", state.digest());
    json.put("e", state.expiresAtMillis());
    json.put("r", state.round());
    if (state.inner() != null) {
      json.put("i", state.inner());
    }
    if (state.holder() != null) {
      json.put("h", state.holder());
    }
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(state.parked().getBytes(StandardCharsets.US_ASCII));
      byte[] sealed = cipher.doFinal(Json.bytes(json));
      return state.parked() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(NONCE + sealed.length)
          .put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** What {@code text} claims and carries; its state is null when this gateway did not make it or it was changed. */
  Opened open(String text) {
    if (text == null || text.length() > MAX_LENGTH) {
      return new Opened(null, null);
    }
    int dot = text.indexOf('.');
    String claimed = dot > 0 ? text.substring(0, dot) : null;
    if (claimed == null) {
      return new Opened(null, null);
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(text.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      return new Opened(claimed, null);
    }
    if (bytes.length <= NONCE + TAG_BITS / 8) {
      return new Opened(claimed, null);
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE));
      cipher.updateAAD(claimed.getBytes(StandardCharsets.UTF_8));
      JsonNode json = Json.mapper().readTree(cipher.doFinal(bytes, NONCE, bytes.length - NONCE));
      State state = new State(json.path("p").asText(), json.path("c").asText(), json.path("s").asText(),
          json.path("d").asText(), json.path("e").asLong(), json.path("r").asInt(), json.path("i").asText(null),
          json.path("h").asText(null));
      return new Opened(claimed, state.parked().equals(claimed) ? state : null);
    } catch (GeneralSecurityException | java.io.IOException e) {
      return new Opened(claimed, null);
    }
  }

  /** A new parked call's id: 128 random bits, base64url. */
  String newId() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
