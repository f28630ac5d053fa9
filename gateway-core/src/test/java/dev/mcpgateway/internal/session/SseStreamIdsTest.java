package dev.mcpgateway.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The sequence number a replica following a stream reads back from each encoded event. */
class SseStreamIdsTest {

  @Test
  void theSequenceOfAnEncodedEventIsTheNumberAfterTheLastUnderscoreOfItsId() {
    assertThat(SseStream.sequenceOf(SseStream.encode("4294967297_12", "{}".getBytes(StandardCharsets.UTF_8)))).isEqualTo(12);
    assertThat(SseStream.sequenceOf("id: 7_0\ndata: \n\n".getBytes(StandardCharsets.US_ASCII))).isZero();
  }

  @Test
  void aCommentOrAnEventWithoutSuchAnIdHasNone() {
    assertThat(SseStream.sequenceOf(SseStream.KEEP_ALIVE)).isEqualTo(-1);
    assertThat(SseStream.sequenceOf("data: {}\n\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    assertThat(SseStream.sequenceOf("id: 7_\ndata: {}\n\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    assertThat(SseStream.sequenceOf("id: 7\ndata: {}\n\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    assertThat(SseStream.sequenceOf("id: 7_x1\ndata: {}\n\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    assertThat(SseStream.sequenceOf("id: 7_99999999999999999999\n\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
  }

  @Test
  void theNodeOfAStreamIdIsItsHighPart() {
    assertThat(SessionRegistry.nodeOf(Long.toString((5L << 32) + 3))).isEqualTo(5);
    assertThat(SessionRegistry.nodeOf("3")).isZero();
    assertThat(SessionRegistry.nodeOf("abc")).isEqualTo(-1);
    assertThat(SessionRegistry.nodeOf("-4")).isEqualTo(-1);
  }
}
