package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Authenticator} keeps, as JUnit 5 tests: extend it, build the
 * authenticator and give Authorization values it accepts.
 *
 * <p>What it checks: every request gets a result, never {@code null} or an exception, whatever
 * its Authorization value, and the result is well formed (an identity exactly on success, a 4xx
 * status and message on denial, 429 and a wait when throttled); an authenticator that is not
 * {@link Authenticator#isOpen() open} gives no identity for a missing credential or an invalid
 * one (the accepted ones with a character more or less, garbage, and the subclass's own), and
 * says 400 or 401 (or 429 when it throttles); no denial message shows a credential; an
 * identity's session key is never the credential or part of it, nor the other way round;
 * different callers get different session keys; the same credential gets the same identity on
 * every call, also from many threads at once. An open authenticator lets a request without
 * credentials in.
 *
 * <p>Accepted credentials come from {@code 127.0.0.1} and refused ones from
 * {@code 192.0.2.1} (a documentation address), so an authenticator that throttles a failing host
 * keeps answering the good one. Each test builds its own authenticator.
 *
 * <pre>{@code
 * class TokenAuthenticatorTest extends AuthenticatorContract {
 *   protected Authenticator newAuthenticator() { return new TokenAuthenticator(Map.of("t-alice", "alice", "t-bob", "bob")); }
 *   protected List<String> validAuthorizations() { return List.of("Bearer t-alice", "Bearer t-bob"); }
 * }
 * }</pre>
 */
public abstract class AuthenticatorContract {
  /** Where accepted credentials come from. */
  protected static final String GOOD_HOST = "127.0.0.1";
  /** Where refused credentials come from. */
  protected static final String FAILING_HOST = "192.0.2.1";

  /** For subclasses, one per authenticator implementation. */
  protected AuthenticatorContract() {
  }

  /**
   * A new authenticator.
   *
   * @return the authenticator under test
   */
  protected abstract Authenticator newAuthenticator();

  /**
   * Authorization values the authenticator accepts, exactly as a client sends them, each of a
   * different caller: at least two, each at least 6 characters long.
   *
   * @return the accepted values, one per caller
   */
  protected abstract List<String> validAuthorizations();

  /**
   * Authorization values it must refuse besides those the contract makes up; none by default.
   *
   * @return the values to refuse
   */
  protected List<String> invalidAuthorizations() {
    return List.of();
  }

  private static AuthRequest request(String authorization, String host) {
    return AuthRequest.of(authorization, "/mcp/contract", host + ":40000",
        name -> name.equalsIgnoreCase("Authorization") ? Optional.ofNullable(authorization) : Optional.empty());
  }

  private static AuthResult authenticate(Authenticator authenticator, String authorization, String host) {
    AuthResult result = authenticator.authenticate(request(authorization, host));
    assertThat(result).as("the result for %s", shown(authorization)).isNotNull();
    return result;
  }

  /** A value as a failure message may show it: a prefix and the length, so a long one stays short. */
  private static String shown(String authorization) {
    if (authorization == null) {
      return "no Authorization";
    }
    String start = authorization.length() <= 12 ? authorization : authorization.substring(0, 12) + "...";
    return "'" + start.replaceAll("\\p{Cntrl}", "?") + "' (" + authorization.length() + " characters)";
  }

  private List<String> valid() {
    List<String> valid = validAuthorizations();
    assertThat(valid).as("validAuthorizations(): at least two, of different callers").hasSizeGreaterThanOrEqualTo(2)
        .doesNotHaveDuplicates().allSatisfy(value -> assertThat(value).hasSizeGreaterThanOrEqualTo(6));
    return valid;
  }

  /** Wrong credentials, none of which any caller owns: near misses of the accepted ones, made-up ones, the subclass's. */
  private List<String> wrong() {
    List<String> wrong = new ArrayList<>(List.of("invalid-credential-0123456789", "Bearer invalid-credential-0123456789",
        "Basic dXNlcjpwYXNzd29yZA==", "k".repeat(64 * 1024), "ключ-неверный"));
    for (String value : valid()) {
      wrong.add(value + "x");
      wrong.add(value.substring(0, value.length() - 1));
    }
    wrong.addAll(invalidAuthorizations());
    wrong.removeAll(valid());
    return wrong;
  }

  /** Values no authenticator that checks credentials accepts: the wrong credentials and values that are hardly one. */
  private List<String> invalid() {
    List<String> invalid = new ArrayList<>(List.of("", "x", "Bearer", "Bearer "));
    invalid.addAll(wrong());
    return invalid;
  }

  /** Values that must get a result, not an exception: control characters, a lone surrogate, a huge header. */
  private List<String> odd() {
    List<String> odd = new ArrayList<>(invalid());
    odd.addAll(List.of(" ", "\t", "\u0000", "a\r\nX-Injected: 1", "\uD800", "\u007F".repeat(100), " ".repeat(10_000)));
    for (String value : valid()) {
      odd.add(value + "\n");
      odd.add(" " + value);
    }
    return odd;
  }

  private static void assertWellFormed(AuthResult result, String authorization) {
    String what = shown(authorization);
    switch (result.kind()) {
      case SUCCESS:
        assertThat(result.identity()).as(what).isPresent();
        assertThat(result.status()).as(what).isEqualTo(200);
        break;
      case DENIED:
        assertThat(result.identity()).as(what).isEmpty();
        assertThat(result.status()).as(what).isBetween(400, 499);
        assertThat(result.message()).as(what).isPresent();
        break;
      case THROTTLED:
        assertThat(result.identity()).as(what).isEmpty();
        assertThat(result.status()).as(what).isEqualTo(429);
        assertThat(result.retryAfter()).as(what).hasValueSatisfying(wait -> assertThat(wait).isPositive());
        break;
      default:
        throw new AssertionError("unknown kind " + result.kind());
    }
  }

  @Test
  void everyAuthorizationGetsAWellFormedResultAndNoException() {
    Authenticator authenticator = newAuthenticator();
    List<String> values = new ArrayList<>(odd());
    values.add(null);
    values.addAll(valid());

    for (String value : values) {
      assertWellFormed(authenticate(authenticator, value, FAILING_HOST), value);
    }
  }

  @Test
  void aMissingOrInvalidCredentialNeverYieldsAnIdentityUnlessTheAuthenticatorIsOpen() {
    Authenticator authenticator = newAuthenticator();

    AuthResult missing = authenticate(authenticator, null, FAILING_HOST);
    if (authenticator.isOpen()) {
      // open: everyone is let in, a request without credentials too
      assertThat(authenticate(authenticator, null, GOOD_HOST).isSuccess()).as("open, no Authorization").isTrue();
      return;
    }
    assertThat(missing.isSuccess()).as("no Authorization").isFalse();
    assertThat(missing.status()).as("no Authorization").isIn(401, 429);
    for (String value : invalid()) {
      AuthResult result = authenticate(authenticator, value, FAILING_HOST);
      assertThat(result.isSuccess()).as(shown(value)).isFalse();
      assertThat(result.status()).as(shown(value)).isIn(400, 401, 429);
    }
  }

  @Test
  void noDenialShowsACredential() {
    Authenticator authenticator = newAuthenticator();
    List<String> secrets = new ArrayList<>(valid());
    secrets.addAll(wrong());

    for (String value : odd()) {
      Optional<String> message = authenticate(authenticator, value, FAILING_HOST).message();
      if (message.isPresent()) {
        assertThat(secrets).as("the message for %s: %s", shown(value), message.get())
            .noneSatisfy(secret -> assertThat(message.get()).contains(secret));
      }
    }
  }

  @Test
  void theSessionKeyIsNeverTheCredentialNorPartOfIt() {
    Authenticator authenticator = newAuthenticator();

    for (String value : valid()) {
      AuthResult result = authenticate(authenticator, value, GOOD_HOST);
      assertThat(result.isSuccess()).as("%s is accepted: %s", shown(value), result).isTrue();
      Identity identity = result.identity().orElseThrow();
      assertThat(identity.sessionKey()).as(shown(value)).isNotBlank().doesNotContain(value);
      assertThat(value).as(shown(value)).doesNotContain(identity.sessionKey());
      assertThat(identity.name()).as(shown(value)).doesNotContain(value);
    }
  }

  @Test
  void differentCallersGetDifferentSessionKeys() {
    Authenticator authenticator = newAuthenticator();

    List<String> keys = valid().stream()
        .map(value -> authenticate(authenticator, value, GOOD_HOST).identity().orElseThrow().sessionKey()).toList();

    assertThat(keys).doesNotHaveDuplicates();
  }

  @Test
  void theSameCredentialGetsTheSameIdentityOnEveryCall() {
    Authenticator authenticator = newAuthenticator();

    for (String value : valid()) {
      Identity first = authenticate(authenticator, value, GOOD_HOST).identity().orElseThrow();
      for (int i = 0; i < 3; i++) {
        assertThat(authenticate(authenticator, value, GOOD_HOST).identity()).as(shown(value)).contains(first);
      }
    }
  }

  @Test
  void concurrentCallsGetTheAnswersOfSequentialOnes() throws Exception {
    Authenticator authenticator = newAuthenticator();
    List<String> valid = valid();
    List<Identity> expected = valid.stream()
        .map(value -> authenticate(authenticator, value, GOOD_HOST).identity().orElseThrow()).toList();
    List<String> invalid = authenticator.isOpen() ? List.of() : invalid();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Void>> callers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        callers.add(() -> {
          for (int i = 0; i < 200; i++) {
            int pick = thread + i;
            AuthResult good = authenticate(authenticator, valid.get(pick % valid.size()), GOOD_HOST);
            assertThat(good.identity()).contains(expected.get(pick % valid.size()));
            if (!invalid.isEmpty()) {
              String value = invalid.get(pick % invalid.size());
              assertThat(authenticate(authenticator, value, FAILING_HOST).isSuccess()).as(shown(value)).isFalse();
            }
          }
          return null;
        });
      }
      for (Future<Void> caller : threads.invokeAll(callers)) {
        caller.get();
      }
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
