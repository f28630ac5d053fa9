package dev.mcpgateway.auth.apikey;

import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.KEY;
import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuilderTest {

  @Test
  void rejectsRepeatedThrottlingNamingBothSettings() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().throttling(5, Duration.ofMinutes(1)).withoutThrottling())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("throttling is set twice: 5 failures per PT1M and off");
  }

  @Test
  void rejectsRepeatedWeakKeyPolicy() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().weakKeys(WeakKeyPolicy.WARN).weakKeys(WeakKeyPolicy.REFUSE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("weakKeys is set twice: WARN and REFUSE");
  }

  @Test
  void rejectsNonsensicalThrottling() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().throttling(0, Duration.ofMinutes(1)))
        .hasMessage("maxFailures must be at least 1: 0");
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().throttling(3, Duration.ZERO))
        .hasMessage("window must be positive: PT0S");
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().maxTrackedHosts(0))
        .hasMessage("maxTrackedHosts must be at least 1: 0");
  }

  @Test
  void rejectsTwoKeysWithOneName() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key("ci", KEY).key("ci", OTHER_KEY).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 'ci' already exists: revoke it first");
  }

  @Test
  void rejectsOneSecretUnderTwoNamesWithoutShowingIt() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key("a", KEY).key("b", KEY).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keys 'a' and 'b' have the same secret");
  }

  @ParameterizedTest
  @ValueSource(strings = {" ", "\t", "\n"})
  void rejectsKeysThatCannotArriveIntactInAHeader(String whitespace) {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key("ci", whitespace + KEY).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("key 'ci' ")
        .hasMessageNotContaining(KEY);
  }

  @Test
  void rejectsAKeyThatLooksLikeTheBearerScheme() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key("ci", "Bearer " + KEY).build())
        .hasMessage("key 'ci' starts with 'Bearer ': the gateway expects plain keys");
  }

  @Test
  void rejectsEmptyKeysAndNames() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key("ci", "").build()).hasMessage("key 'ci' is empty");
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key(" ", KEY).build()).hasMessage("key name must not be blank");
  }

  @Test
  void rejectsAnEmptyServerSet() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key("ci", KEY, Set.of()).build())
        .hasMessage("servers of key 'ci' is empty: leave it out to allow every server");
  }

  @Test
  void describesItselfWithoutSecrets() {
    ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder().key("ci", KEY).throttling(5, Duration.ofMinutes(2)).build();

    assertThat(auth).hasToString("ApiKeyAuthenticator{keys=[ci], throttling=5 failures per 120s}");
  }
}
