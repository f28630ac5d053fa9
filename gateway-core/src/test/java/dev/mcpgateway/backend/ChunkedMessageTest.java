package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading, copying and streaming ranges of a message held in chunks of uneven sizes. */
class ChunkedMessageTest {
  private static final byte[] ALL = new byte[100];

  static {
    for (int i = 0; i < ALL.length; i++) {
      ALL[i] = (byte) i;
    }
  }

  /** ALL in chunks of 10, 0, 33 and 60 bytes (the last only partly used: 57 bytes). */
  private static ChunkedMessage message() {
    byte[] last = new byte[60];
    System.arraycopy(ALL, 43, last, 0, 57);
    return ChunkedMessage.of(List.of(Arrays.copyOfRange(ALL, 0, 10), new byte[0], Arrays.copyOfRange(ALL, 10, 43), last), 100);
  }

  @Test
  void everyRangeReadsTheSameBytesEveryWay() throws Exception {
    ChunkedMessage message = message();
    assertThat(message.length()).isEqualTo(100);
    assertThat(message.toArray()).isEqualTo(ALL);
    for (int offset = 0; offset <= 100; offset += 3) {
      for (int length = 0; offset + length <= 100; length += 7) {
        byte[] expected = Arrays.copyOfRange(ALL, offset, offset + length);
        assertThat(message.toArray(offset, length)).isEqualTo(expected);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out, offset, length);
        assertThat(out.toByteArray()).isEqualTo(expected);
        try (InputStream in = message.inputStream(offset, length)) {
          assertThat(in.readAllBytes()).isEqualTo(expected);
          assertThat(in.read()).isEqualTo(-1);
        }
      }
    }
  }

  @Test
  void singleByteReadsAndSkipsWalkTheChunks() throws Exception {
    try (InputStream in = message().inputStream(5, 90)) {
      assertThat(in.read()).isEqualTo(5);
      assertThat(in.skip(40)).isEqualTo(40);
      assertThat(in.available()).isEqualTo(49);
      assertThat(in.read()).isEqualTo(46);
      assertThat(in.skip(1000)).isEqualTo(48);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void rejectsRangesOutsideTheMessageAndLengthsOverTheChunks() {
    assertThatThrownBy(() -> message().toArray(90, 11)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> message().inputStream(-1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> ChunkedMessage.of(List.of(new byte[3]), 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length 4");
  }
}
