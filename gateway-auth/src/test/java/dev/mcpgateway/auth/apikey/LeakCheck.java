package dev.mcpgateway.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

/** Asserts that a text holds neither a secret nor any 8-character piece of it. */
final class LeakCheck {
  static final int PIECE_LENGTH = 8;

  private LeakCheck() {}

  static void assertNoPieceOf(String secret, String text) {
    assertThat(secret.length()).isGreaterThanOrEqualTo(PIECE_LENGTH);
    String lower = text.toLowerCase(Locale.ROOT);
    for (int i = 0; i + PIECE_LENGTH <= secret.length(); i++) {
      String piece = secret.substring(i, i + PIECE_LENGTH);
      assertThat(lower).as("an 8-character piece of the key at %d", i).doesNotContain(piece.toLowerCase(Locale.ROOT));
    }
  }
}
