package dev.mcpgateway.auth.apikey;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The current keys, replaced as a whole on every change so that readers never lock.
 *
 * <p>Thread-safe: lookups read a volatile snapshot; changes are serialized.
 */
final class KeyRing {
  private volatile List<ApiKey> keys;

  KeyRing(List<ApiKey> keys) {
    this.keys = List.copyOf(keys);
  }

  /**
   * The key whose secret is {@code value}. Compares digests with {@link MessageDigest#isEqual}
   * against every key, without stopping at a match, so that the time taken tells nothing about
   * which key, or how much of one, matched.
   */
  Optional<ApiKey> match(String value) {
    byte[] digest = AuthorizationValue.sha256(value);
    ApiKey found = null;
    for (ApiKey key : keys) {
      if (MessageDigest.isEqual(digest, key.digest()) & found == null) {
        found = key;
      }
    }
    return Optional.ofNullable(found);
  }

  /** Adds a key; a name or secret already present is an error. */
  synchronized void add(ApiKey key) {
    for (ApiKey existing : keys) {
      if (existing.name().equals(key.name())) {
        throw new IllegalArgumentException("key '" + key.name() + "' already exists: revoke it first");
      }
      if (MessageDigest.isEqual(existing.digest(), key.digest())) {
        throw new IllegalArgumentException("keys '" + existing.name() + "' and '" + key.name() + "' have the same secret");
      }
    }
    List<ApiKey> copy = new ArrayList<>(keys);
    copy.add(key);
    keys = List.copyOf(copy);
  }

  /** Removes the key named {@code name}; empty when there was none. */
  synchronized Optional<ApiKey> remove(String name) {
    List<ApiKey> copy = new ArrayList<>(keys);
    for (int i = 0; i < copy.size(); i++) {
      if (copy.get(i).name().equals(name)) {
        ApiKey removed = copy.remove(i);
        keys = List.copyOf(copy);
        return Optional.of(removed);
      }
    }
    return Optional.empty();
  }

  /** The names of the current keys, sorted. */
  Set<String> names() {
    Set<String> names = new TreeSet<>();
    keys.forEach(key -> names.add(key.name()));
    return names;
  }
}
