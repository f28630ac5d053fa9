package dev.mcpgateway.auth.apikey;

import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.KEY;
import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WeakKeyTest {
  private static final String SHORT_KEY = "my-secret-api-key-123";
  private static final String MONOTONOUS_KEY = "abababababababababababababababab";

  @Test
  void warnsAtStartAboutAKeyShorterThan32CharactersWithoutShowingIt() {
    LogCapture log = LogCapture.start();

    ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder().key("dev", SHORT_KEY).build();

    assertThat(auth.authenticate(request(SHORT_KEY)).isSuccess()).isTrue();
    assertThat(log.lines()).anySatisfy(line -> assertThat(line)
        .contains("WARN auth - API key 'dev' is shorter than 32 characters"));
    assertThat(log.text()).doesNotContain(SHORT_KEY);
  }

  @Test
  void warnsAboutAKeyOfFewDistinctCharacters() {
    LogCapture log = LogCapture.start();

    ApiKeyAuthenticator.builder().key("dev", MONOTONOUS_KEY).build();

    assertThat(log.lines()).anySatisfy(line -> assertThat(line)
        .contains("WARN auth - API key 'dev' has fewer than 8 distinct characters"));
  }

  @Test
  void staysQuietAboutAStrongKey() {
    LogCapture log = LogCapture.start();

    ApiKeyAuthenticator.builder().key("prod", KEY).build();

    assertThat(log.text()).doesNotContain("API key 'prod'");
  }

  @Test
  void refusesAWeakKeyWhenAskedToWithoutShowingIt() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key("dev", SHORT_KEY).weakKeys(WeakKeyPolicy.REFUSE).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 'dev' is weak: it is shorter than 32 characters")
        .hasMessageNotContaining(SHORT_KEY);
  }

  @Test
  void refusesAWeakKeyAddedAtRuntimeWhenAskedTo() {
    ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder().key("prod", KEY).weakKeys(WeakKeyPolicy.REFUSE).build();

    assertThatThrownBy(() -> auth.addKey("dev", MONOTONOUS_KEY))
        .hasMessage("key 'dev' is weak: it has fewer than 8 distinct characters");
    assertThat(auth.keyNames()).containsExactly("prod");
  }

  @Test
  void acceptsAStrongKeyWhenRefusingWeakOnes() {
    ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder().key("prod", KEY).weakKeys(WeakKeyPolicy.REFUSE).build();

    assertThat(auth.authenticate(request(KEY)).isSuccess()).isTrue();
  }
}
