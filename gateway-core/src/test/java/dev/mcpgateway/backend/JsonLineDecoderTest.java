package dev.mcpgateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Line splitting, and the hand-over of lines over 1 MiB as chunks. */
class JsonLineDecoderTest {
  private static final int LIMIT = 8 * 1024 * 1024;

  private final List<byte[]> lines = new ArrayList<>();
  private final List<ChunkedMessage> chunked = new ArrayList<>();
  private final JsonLineDecoder decoder = new JsonLineDecoder("test", LIMIT, lines::add, chunked::add);

  /** A line of {@code length} bytes whose every byte depends on its position, so that a misplaced byte shows. */
  private static byte[] line(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) ('a' + (i * 7 + i / 1000) % 26);
    }
    return bytes;
  }

  private static byte[] concat(byte[]... parts) {
    int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Feeds {@code bytes} in pieces of {@code piece} bytes, as a pipe would deliver them. */
  private void feed(byte[] bytes, int piece) {
    for (int at = 0; at < bytes.length; at += piece) {
      decoder.feed(bytes, at, Math.min(piece, bytes.length - at));
    }
  }

  @Test
  void smallLinesArriveAsArraysWhateverThePieces() {
    feed(ascii("{\"a\":1}\n{\"b\":2}\r\n\n   \n{\"c\":3}"), 3);
    decoder.finish();
    assertThat(lines).extracting(b -> new String(b, StandardCharsets.UTF_8)).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
    assertThat(chunked).isEmpty();
  }

  @Test
  void aLineOfExactlyOneMebibyteIsAnArrayAndOneByteMoreIsChunked() {
    byte[] atLimit = line(JsonLineDecoder.LARGE);
    byte[] over = line(JsonLineDecoder.LARGE + 1);
    feed(concat(atLimit, ascii("\n"), over, ascii("\n")), 16384);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).isEqualTo(atLimit);
    assertThat(chunked).hasSize(1);
    assertThat(chunked.get(0).toArray()).isEqualTo(over);
  }

  @Test
  void largeLinesKeepTheirBytesAcrossChunkAndPieceBoundaries() {
    byte[] first = line(3 * JsonLineDecoder.CHUNK + 17);
    byte[] second = line(2 * JsonLineDecoder.CHUNK); // ends exactly on a chunk boundary
    byte[] small = ascii("{\"between\":true}");
    for (int piece : new int[] {1 << 20, 16384, 65537, 4 * 1024 * 1024}) {
      lines.clear();
      chunked.clear();
      feed(concat(first, ascii("\n"), small, ascii("\n"), second, ascii("\n")), piece);
      assertThat(chunked).as("pieces of %d", piece).hasSize(2);
      assertThat(chunked.get(0).length()).isEqualTo(first.length);
      assertThat(chunked.get(0).toArray()).isEqualTo(first);
      assertThat(chunked.get(1).toArray()).isEqualTo(second);
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0)).isEqualTo(small);
    }
  }

  @Test
  void aCarriageReturnBeforeTheNewlineIsDroppedEvenAloneInTheLastChunk() {
    byte[] body = line(2 * JsonLineDecoder.CHUNK); // the '\r' starts a chunk of its own
    feed(concat(body, ascii("\r\n"), line(JsonLineDecoder.LARGE + 5), ascii("\r\n")), 16384);
    assertThat(chunked).hasSize(2);
    assertThat(chunked.get(0).toArray()).isEqualTo(body);
    assertThat(chunked.get(1).length()).isEqualTo(JsonLineDecoder.LARGE + 5);
  }

  @Test
  void aLastLineWithoutNewlineIsDeliveredChunkedOnFinish() {
    byte[] body = line(JsonLineDecoder.LARGE + 100);
    feed(body, 16384);
    assertThat(chunked).isEmpty();
    decoder.finish();
    assertThat(chunked).hasSize(1);
    assertThat(chunked.get(0).toArray()).isEqualTo(body);
  }

  @Test
  void aLargeBlankLineIsSkipped() {
    byte[] blank = new byte[JsonLineDecoder.LARGE + 10];
    Arrays.fill(blank, (byte) ' ');
    blank[blank.length / 2] = '\t';
    feed(concat(blank, ascii("\r\n{}\n")), 16384);
    assertThat(chunked).isEmpty();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).isEqualTo(ascii("{}"));
  }

  @Test
  void linesOverTheLimitAreDiscardedAndTheNextOneArrives() {
    JsonLineDecoder small = new JsonLineDecoder("test", 2 * 1024 * 1024, lines::add, chunked::add);
    byte[] tooLong = line(2 * 1024 * 1024 + 2);
    byte[] atLimitWithCr = concat(line(2 * 1024 * 1024), ascii("\r"));
    byte[] next = line(JsonLineDecoder.LARGE + 1);
    byte[] all = concat(tooLong, ascii("\n"), atLimitWithCr, ascii("\n"), next, ascii("\n"), ascii("{}\n"));
    for (int at = 0; at < all.length; at += 16384) {
      small.feed(all, at, Math.min(16384, all.length - at));
    }
    assertThat(chunked).hasSize(2);
    assertThat(chunked.get(0).length()).isEqualTo(2 * 1024 * 1024);
    assertThat(chunked.get(1).toArray()).isEqualTo(next);
    assertThat(lines).hasSize(1);
  }

  @Test
  void aLineOneByteOverTheLimitWithoutCarriageReturnIsDiscarded() {
    JsonLineDecoder small = new JsonLineDecoder("test", 2 * 1024 * 1024, lines::add, chunked::add);
    byte[] all = concat(line(2 * 1024 * 1024 + 1), ascii("\n{}\n"));
    small.feed(all, 0, all.length);
    assertThat(chunked).isEmpty();
    assertThat(lines).hasSize(1);
  }

  @Test
  void withoutAChunkedConsumerLargeLinesArriveAsArrays() {
    List<byte[]> only = new ArrayList<>();
    JsonLineDecoder plain = new JsonLineDecoder("test", LIMIT, only::add);
    byte[] body = line(3 * JsonLineDecoder.CHUNK + 3);
    byte[] all = concat(body, ascii("\r\n"));
    for (int at = 0; at < all.length; at += 16384) {
      plain.feed(all, at, Math.min(16384, all.length - at));
    }
    assertThat(only).hasSize(1);
    assertThat(only.get(0)).isEqualTo(body);
  }
}
