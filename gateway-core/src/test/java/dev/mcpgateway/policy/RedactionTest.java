package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RedactionTest {
  static final String GHP = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
  static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  static final String PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----";

  private static String redacted(Redaction redaction, String text) {
    FakeResult result = FakeResult.text(text);
    redaction.onResponse(FakeCall.tool("srv", "echo", "{}"), result);
    return result.firstText();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "github-token | token " + "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8" + " here",
      "github-token | gho_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
      "github-token | x=ghs_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8;",
      "github-token | github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789",
      "github-token | TOKEN_ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
      "aws-access-key | aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
      "jwt | id_token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "bearer | Authorization: Bearer abc.def-ghi_jkl~123",
      "api-key | OPENAI_API_KEY=sk-proj-" + "abcdefghijklmnopqrstuvwxyz012345",
      "api-key | sk-ant-api03-" + "abcdefghijklmnopqrstuvwxyz0123456789"})
  void replacesEachCredentialKindWithItsMarker(String kind, String text) {
    Redaction redaction = Redaction.builder().build();
    String out = redacted(redaction, text);
    assertThat(out).contains("[REDACTED:" + kind + "]");
    assertThat(out).doesNotContainPattern("ghp_|gho_|ghs_|github_pat_|AKIA|eyJ|abc\\.def|sk-(proj|ant)");
  }

  @Test
  void replacesAWholePrivateKeyBlock() {
    String out = redacted(Redaction.builder().build(), "key:\n" + PEM + "\nafter");
    assertThat(out).isEqualTo("key:\n[REDACTED:private-key]\nafter");
  }

  @Test
  void replacesTheExactValuesOfTheServersEnvironmentSecretsOnly() {
    Redaction redaction = Redaction.builder()
        .secrets("srv", List.of("hunter2-password", "short"))
        .secrets("other", List.of("other-server-secret"))
        .build();
    assertThat(redacted(redaction, "pw=hunter2-password; other-server-secret; short"))
        .isEqualTo("pw=[REDACTED:secret]; other-server-secret; short");
  }

  @Test
  void leavesPrivateAddressesAndInternalHostsAloneUnlessAsked() {
    String text = "db at 10.1.2.3 and 192.168.0.10, api.corp and build01.internal, public 8.8.8.8 example.com";
    assertThat(redacted(Redaction.builder().build(), text)).isEqualTo(text);
    assertThat(redacted(Redaction.builder().privateAddresses(true).internalHostNames(true).build(), text))
        .isEqualTo("db at [REDACTED:private-ip] and [REDACTED:private-ip], [REDACTED:internal-host] and "
            + "[REDACTED:internal-host], public 8.8.8.8 example.com");
  }

  @Test
  void truncatesLongTextsButNotBinaryData() {
    Redaction redaction = Redaction.builder().maxTextChars(10).build();
    FakeResult result = FakeResult.of("{\"content\":[{\"type\":\"text\",\"text\":\"" + "a".repeat(25) + "\"},"
        + "{\"type\":\"image\",\"data\":\"" + "B".repeat(40) + "\",\"mimeType\":\"image/png\"}]}");
    FakeCall call = FakeCall.tool("srv", "t", "{}");
    redaction.onResponse(call, result);
    assertThat(result.firstText()).isEqualTo("aaaaaaaaaa... [truncated 15 characters]");
    assertThat(result.json()).contains("B".repeat(40));
    assertThat(call.attributes().get(Redaction.ATTRIBUTE)).isEqualTo(Map.of("truncated", 1));
  }

  @Test
  void redactsStructuredContentKeysAndErrorAnswers() {
    Redaction redaction = Redaction.builder().secrets("srv", List.of("env-secret-value")).build();
    FakeResult structured = FakeResult.of("{\"structuredContent\":{\"" + GHP + "\":{\"note\":\"env-secret-value\"}}}");
    redaction.onResponse(FakeCall.tool("srv", "t", "{}"), structured);
    assertThat(structured.json()).isEqualTo("{\"structuredContent\":{\"[REDACTED:github-token]\":{\"note\":\"[REDACTED:secret]\"}}}");

    FakeResult error = FakeResult.error("{\"code\":-32000,\"message\":\"git failed with " + GHP + "\",\"data\":{\"env\":\"env-secret-value\"}}");
    redaction.onResponse(FakeCall.tool("srv", "t", "{}"), error);
    assertThat(error.json()).doesNotContain(GHP).doesNotContain("env-secret-value").contains("[REDACTED:github-token]");
  }

  @Test
  void countsEachRedactionByKindWithoutTheSecret() {
    Redaction redaction = Redaction.builder().build();
    FakeCall call = FakeCall.tool("srv", "t", "{}");
    redaction.onResponse(call, FakeResult.text(GHP + " " + GHP + " " + JWT));
    assertThat(call.attributes().get(Redaction.ATTRIBUTE)).isEqualTo(Map.of("github-token", 2, "jwt", 1));
    assertThat(redaction.counts().get(Redaction.Kind.GITHUB_TOKEN)).isEqualTo(2);
    assertThat(call.attributes().toString()).doesNotContain(GHP);
  }

  @Test
  void redactsTheSameWayThroughThePublicTextMethod() {
    Map<String, Integer> found = new HashMap<>();
    assertThat(Redaction.builder().build().redact("Bearer " + GHP, List.of(), found)).isEqualTo("[REDACTED:bearer]");
    assertThat(found).containsEntry("bearer", 1);
  }
}
