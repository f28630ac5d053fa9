package dev.mcpgateway.auth.apikey;

import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.auth.AuthRequest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthLogTest {
  private final FakeTicker ticker = new FakeTicker();
  private final ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder()
      .key("ci", KEY).throttling(2, Duration.ofSeconds(30)).ticker(ticker).build();

  private static AuthRequest request(String authorization, String path) {
    return AuthRequest.of(authorization, path, "127.0.0.1:54322", name -> Optional.empty());
  }

  @Test
  void logsAWrongKeyAtWarnWithRemoteAndPathInTheSeedsWords() {
    LogCapture log = LogCapture.start();

    auth.authenticate(request("wrong-key", "/mcp/github"));

    assertThat(log.lines()).anySatisfy(line -> assertThat(line)
        .endsWith("WARN auth - Authentication failed: invalid API key, remote=127.0.0.1:54322, path=/mcp/github"));
  }

  @Test
  void logsEveryKindOfFailureAtWarn() {
    LogCapture log = LogCapture.start();

    auth.authenticate(request(null, "/mcp/a"));
    auth.authenticate(request("Bearer " + KEY, "/mcp/b"));
    ticker.advance(Duration.ofMinutes(1));
    auth.authenticate(request(KEY + "\n", "/mcp/c"));

    assertThat(log.text())
        .contains("WARN auth - Authentication failed: missing API key, remote=127.0.0.1:54322, path=/mcp/a")
        .contains("WARN auth - Authentication failed: Bearer scheme instead of the plain API key, remote=127.0.0.1:54322, path=/mcp/b")
        .contains("WARN auth - Authentication failed: Authorization header contains control characters, remote=127.0.0.1:54322, path=/mcp/c");
  }

  @Test
  void logsTheLockOutAndEveryThrottledRequest() {
    LogCapture log = LogCapture.start();

    auth.authenticate(request("wrong-1", "/mcp/a"));
    auth.authenticate(request("wrong-2", "/mcp/a"));
    auth.authenticate(request(KEY, "/mcp/a"));

    assertThat(log.text())
        .contains("WARN auth - Authentication locked out: 2 failures within 30s, host=127.0.0.1, for 30s")
        .contains("WARN auth - Authentication throttled: too many failures, remote=127.0.0.1:54322, path=/mcp/a, retryAfterSeconds=30");
  }

  @Test
  void logsSuccessWithTheKeysNameOnly() {
    LogCapture log = LogCapture.start();

    auth.authenticate(request(KEY, "/mcp/github"));

    assertThat(log.text()).contains("DEBUG auth - Authenticated key 'ci', remote=127.0.0.1:54322, path=/mcp/github");
  }

  @Test
  void neutralisesControlCharactersInLoggedFields() {
    LogCapture log = LogCapture.start();

    auth.authenticate(AuthRequest.of("wrong", "/mcp/x\nFAKE auth - Authenticated", "10.0.0.1:1\r", name -> Optional.empty()));

    assertThat(log.text()).contains("remote=10.0.0.1:1?, path=/mcp/x?FAKE auth - Authenticated");
    assertThat(log.lines()).noneMatch(line -> line.startsWith("FAKE"));
  }

  @Test
  void neverLogsAnyPartOfAKeyWhateverTheRequest() {
    LogCapture log = LogCapture.start();

    for (String value : new String[] {KEY, KEY + " ", " " + KEY, "Bearer " + KEY, KEY.toLowerCase(), KEY + "\u0000", null}) {
      auth.authenticate(request(value, "/mcp/github"));
      ticker.advance(Duration.ofMinutes(1));
    }
    auth.addKey("rotated", KEY + "2");
    auth.revokeKey("rotated");

    LeakCheck.assertNoPieceOf(KEY, log.text());
  }
}
