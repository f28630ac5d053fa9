package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StdinStreamTest {
  @Test
  void readerGetsChunksInOrderThenEndOfFileAfterClose() throws Exception {
    StdinStream stream = new StdinStream(4);
    assertThat(stream.offer("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8), 100)).isTrue();
    assertThat(stream.offer("{\"b\":2}\n".getBytes(StandardCharsets.UTF_8), 100)).isTrue();

    byte[] buffer = new byte[64];
    int first = stream.read(buffer, 0, 64);
    int second = stream.read(buffer, first, 64 - first);
    stream.close();

    assertThat(new String(buffer, 0, first + second, StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}\n{\"b\":2}\n");
    assertThat(stream.read(buffer, 0, 64)).isEqualTo(-1);
    assertThat(stream.read()).isEqualTo(-1);
  }

  @Test
  void refusesChunksAfterCloseAndWhenFull() throws Exception {
    StdinStream stream = new StdinStream(1);
    assertThat(stream.offer(new byte[] {1}, 10)).isTrue();

    assertThat(stream.offer(new byte[] {2}, 10)).isFalse();
    stream.close();
    stream.close();
    assertThat(stream.offer(new byte[] {3}, 10)).isFalse();
  }
}
