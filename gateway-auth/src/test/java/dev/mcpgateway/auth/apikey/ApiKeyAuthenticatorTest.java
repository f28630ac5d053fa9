package dev.mcpgateway.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Identity;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyAuthenticatorTest {
  static final String KEY = "k7Qx9Lm2Vp4Rt8Wz3Ny6Bh1Jc5Fd0GsA";
  static final String OTHER_KEY = "Zr8Tq1Wm4Xn7Ys2Vb5Uc9Pd3Oe6Lf0KhB";

  private final ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder().key("ci", KEY).withoutThrottling().build();

  static AuthRequest request(String authorization) {
    return AuthRequest.of(authorization, "/mcp/github", "127.0.0.1:54322", name -> Optional.empty());
  }

  @Test
  void acceptsTheExactKeyAsTheKeysNamedIdentity() {
    AuthResult result = auth.authenticate(request(KEY));

    assertThat(result.isSuccess()).isTrue();
    Identity identity = result.identity().orElseThrow();
    assertThat(identity.name()).isEqualTo("ci");
    assertThat(identity.sessionKey()).isEqualTo(Identity.digest(KEY)).doesNotContain(KEY);
    assertThat(identity.mayUse("anything")).isTrue();
  }

  @Test
  void rejectsMissingHeaderWith401() {
    assertDenied(auth.authenticate(request(null)), 401, "authentication failed: missing API key");
  }

  @Test
  void treatsAnEmptyHeaderAsMissing() {
    assertDenied(auth.authenticate(request("")), 401, "authentication failed: missing API key");
  }

  @Test
  void rejectsWrongKeyWith401() {
    assertDenied(auth.authenticate(request("wrong-key")), 401, "authentication failed: invalid API key");
  }

  @Test
  void rejectsBearerSchemeWithHint() {
    AuthResult result = auth.authenticate(request("Bearer " + KEY));

    assertDenied(result, 401, "authentication failed: use the plain API key in Authorization, not the Bearer scheme");
    assertThat(result.message().orElseThrow()).doesNotContain(KEY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bearer ", "BEARER ", "Bearer  ", "Bearer\t"})
  void rejectsBearerSchemeInAnySpellingWithHint(String scheme) {
    AuthResult result = auth.authenticate(request(scheme + KEY));

    assertThat(result.status()).isEqualTo(401);
    assertThat(result.message().orElseThrow()).contains("not the Bearer scheme");
  }

  @Test
  void rejectsTheKeyInAnotherLetterCase() {
    assertDenied(auth.authenticate(request(KEY.toUpperCase())), 401, "authentication failed: invalid API key");
    assertDenied(auth.authenticate(request(KEY.toLowerCase())), 401, "authentication failed: invalid API key");
  }

  @ParameterizedTest
  @ValueSource(strings = {" ", "  ", "\t"})
  void rejectsTheKeyPaddedWithWhitespace(String padding) {
    assertDenied(auth.authenticate(request(padding + KEY)), 401, "authentication failed: invalid API key");
    assertDenied(auth.authenticate(request(KEY + padding)), 401, "authentication failed: invalid API key");
    assertDenied(auth.authenticate(request(padding + KEY + padding)), 401, "authentication failed: invalid API key");
  }

  @Test
  void rejectsPrefixesAndExtensionsOfTheKey() {
    assertDenied(auth.authenticate(request(KEY.substring(0, KEY.length() - 1))), 401, "authentication failed: invalid API key");
    assertDenied(auth.authenticate(request(KEY + "x")), 401, "authentication failed: invalid API key");
    assertDenied(auth.authenticate(request(KEY + KEY)), 401, "authentication failed: invalid API key");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r", "\r\n", "\u0000", "\u001b", "\u007f"})
  void rejectsControlCharactersWith400(String control) {
    String message = "authentication failed: Authorization header contains control characters";
    assertDenied(auth.authenticate(request(KEY + control)), 400, message);
    assertDenied(auth.authenticate(request(control + KEY)), 400, message);
    assertDenied(auth.authenticate(request(KEY.substring(0, 5) + control + KEY.substring(5))), 400, message);
  }

  @Test
  void allowsATabAsAnOrdinaryCharacterThatDoesNotMatch() {
    assertDenied(auth.authenticate(request("abc\tdef")), 401, "authentication failed: invalid API key");
  }

  @Test
  void givesEachOfSeveralKeysItsOwnIdentity() {
    ApiKeyAuthenticator two = ApiKeyAuthenticator.builder().key("alice", KEY).key("bob", OTHER_KEY).build();

    Identity alice = two.authenticate(request(KEY)).identity().orElseThrow();
    Identity bob = two.authenticate(request(OTHER_KEY)).identity().orElseThrow();

    assertThat(alice.name()).isEqualTo("alice");
    assertThat(bob.name()).isEqualTo("bob");
    assertThat(alice.sessionKey()).isNotEqualTo(bob.sessionKey());
    assertThat(two.keyNames()).containsExactly("alice", "bob");
  }

  @Test
  void restrictsAKeyToItsServers() {
    ApiKeyAuthenticator restricted = ApiKeyAuthenticator.builder()
        .key("ci", KEY, Set.of("github", "memory"))
        .key("admin", OTHER_KEY)
        .build();

    Identity ci = restricted.authenticate(request(KEY)).identity().orElseThrow();
    Identity admin = restricted.authenticate(request(OTHER_KEY)).identity().orElseThrow();

    assertThat(ci.mayUse("github")).isTrue();
    assertThat(ci.mayUse("memory")).isTrue();
    assertThat(ci.mayUse("slack")).isFalse();
    assertThat(ci.allowedServers()).contains(Set.of("github", "memory"));
    assertThat(admin.mayUse("slack")).isTrue();
  }

  @Test
  void deniesEveryoneWhenItHasNoKeys() {
    ApiKeyAuthenticator empty = ApiKeyAuthenticator.builder().build();

    assertThat(empty.isOpen()).isFalse();
    assertDenied(empty.authenticate(request(KEY)), 401, "authentication failed: invalid API key");
  }

  @Test
  void isNotOpen() {
    assertThat(auth.isOpen()).isFalse();
  }

  @Test
  void neverShowsTheKeyInResultsOrToString() {
    ApiKeyAuthenticator both = ApiKeyAuthenticator.builder().key("ci", KEY).build();

    for (String value : new String[] {KEY, KEY + "x", "Bearer " + KEY, KEY + "\n", null}) {
      AuthResult result = both.authenticate(request(value));
      assertThat(result.toString()).doesNotContain(KEY);
      result.message().ifPresent(message -> assertThat(message).doesNotContain(KEY));
    }
    assertThat(both.toString()).doesNotContain(KEY).contains("ci");
  }

  static void assertDenied(AuthResult result, int status, String message) {
    assertThat(result.kind()).isEqualTo(AuthResult.Kind.DENIED);
    assertThat(result.status()).isEqualTo(status);
    assertThat(result.message()).contains(message);
    assertThat(result.identity()).isEmpty();
  }
}
