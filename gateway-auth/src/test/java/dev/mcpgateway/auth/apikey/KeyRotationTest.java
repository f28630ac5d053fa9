package dev.mcpgateway.auth.apikey;

import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.KEY;
import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.OTHER_KEY;
import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeyRotationTest {
  private final ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder().key("old", KEY).withoutThrottling().build();

  @Test
  void acceptsAnAddedKeyAtOnce() {
    auth.addKey("new", OTHER_KEY);

    assertThat(auth.authenticate(request(OTHER_KEY)).identity().map(Identity::name)).contains("new");
    assertThat(auth.authenticate(request(KEY)).isSuccess()).isTrue();
    assertThat(auth.keyNames()).containsExactly("new", "old");
  }

  @Test
  void restrictsAnAddedKeyToItsServers() {
    auth.addKey("new", OTHER_KEY, Set.of("memory"));

    Identity identity = auth.authenticate(request(OTHER_KEY)).identity().orElseThrow();
    assertThat(identity.mayUse("memory")).isTrue();
    assertThat(identity.mayUse("github")).isFalse();
  }

  @Test
  void rejectsARevokedKey() {
    auth.addKey("new", OTHER_KEY);

    assertThat(auth.revokeKey("old")).isTrue();

    AuthResult result = auth.authenticate(request(KEY));
    assertThat(result.status()).isEqualTo(401);
    assertThat(result.message()).contains("authentication failed: invalid API key");
    assertThat(auth.authenticate(request(OTHER_KEY)).isSuccess()).isTrue();
    assertThat(auth.keyNames()).containsExactly("new");
  }

  @Test
  void tellsListenersTheSessionKeyOfARevokedKeySoItsSessionsEnd() {
    List<String> revoked = new ArrayList<>();
    auth.onRevoked(revoked::add);
    String sessionKey = auth.authenticate(request(KEY)).identity().orElseThrow().sessionKey();

    auth.revokeKey("old");

    assertThat(revoked).containsExactly(sessionKey);
    assertThat(sessionKey).isEqualTo(Identity.digest(KEY));
  }

  @Test
  void answersFalseAndTellsNoOneWhenRevokingAnUnknownKey() {
    List<String> revoked = new ArrayList<>();
    auth.onRevoked(revoked::add);

    assertThat(auth.revokeKey("nobody")).isFalse();
    assertThat(revoked).isEmpty();
  }

  @Test
  void keepsTellingOtherListenersWhenOneThrows() {
    List<String> revoked = new ArrayList<>();
    auth.onRevoked(key -> {
      throw new IllegalStateException("listener bug");
    });
    auth.onRevoked(revoked::add);

    assertThat(auth.revokeKey("old")).isTrue();

    assertThat(revoked).hasSize(1);
  }

  @Test
  void refusesToAddANameThatIsInUse() {
    assertThatThrownBy(() -> auth.addKey("old", OTHER_KEY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 'old' already exists: revoke it first");
  }

  @Test
  void refusesToAddASecretThatIsInUseWithoutShowingIt() {
    assertThatThrownBy(() -> auth.addKey("twin", KEY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keys 'old' and 'twin' have the same secret");
  }

  @Test
  void letsARevokedNameBeUsedAgainForANewKey() {
    auth.revokeKey("old");
    auth.addKey("old", OTHER_KEY);

    assertThat(auth.authenticate(request(OTHER_KEY)).identity().map(Identity::name)).contains("old");
    assertThat(auth.authenticate(request(KEY)).isSuccess()).isFalse();
  }

  @Test
  void staysConsistentWhileKeysChangeUnderConcurrentRequests() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        readers.add(pool.submit(() -> {
          for (int i = 0; i < 2_000; i++) {
            AuthResult result = auth.authenticate(request(KEY));
            if (!result.isSuccess()) {
              errors.add(new AssertionError("the old key must keep working: " + result));
            }
          }
        }));
      }
      for (int i = 0; i < 200; i++) {
        String secret = OTHER_KEY + i;
        auth.addKey("rotating-" + i, secret);
        assertThat(auth.authenticate(request(secret)).isSuccess()).isTrue();
        assertThat(auth.revokeKey("rotating-" + i)).isTrue();
        assertThat(auth.authenticate(request(secret)).isSuccess()).isFalse();
      }
      for (Future<?> reader : readers) {
        reader.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(errors).isEmpty();
    assertThat(auth.keyNames()).containsExactly("old");
  }
}
