package dev.mcpgateway.internal.payload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.backend.ChunkedMessage;
import dev.mcpgateway.internal.connection.BackendRedactor;
import dev.mcpgateway.internal.connection.RedactingJsonOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offloader reads the same result from chunks as from one array: range, stored bytes, preview and schema. */
class PayloadOffloaderTest {
  private static final String RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"ab\u20ac\u20ac\u00e9\u00e9\ud83d\ude00xyz\"}],"
      + "\"structuredContent\":{\"rows\":[{\"id\":1,\"score\":2.5,\"ok\":true,\"note\":null},{\"id\":2}],\"more\":\"x\"}}";

  /** The message in chunks of {@code size} bytes, the last one with room to spare. */
  private static ChunkedMessage chunked(byte[] message, int size) {
    List<byte[]> chunks = new ArrayList<>();
    for (int at = 0; at < message.length; at += size) {
      chunks.add(Arrays.copyOf(Arrays.copyOfRange(message, at, Math.min(at + size, message.length)), size));
    }
    return ChunkedMessage.of(chunks, message.length);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] written(PayloadOffloader.Source source, PayloadOffloader.Scan scan) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    source.writeTo(out, scan.resultStart, scan.resultLength);
    return out.toByteArray();
  }

  @Test
  void chunksGiveTheSameRangeStoredBytesPreviewAndSchemaAsOneArray() throws Exception {
    for (String message : List.of(
        "{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":" + RESULT + "}",
        "{\"result\":" + RESULT + ",\"jsonrpc\":\"2.0\",\"extra\":{\"x\":[1,2]},\"id\":41}",
        "  {\"id\":41, \"result\" : " + RESULT + " }  ")) {
      byte[] bytes = utf8(message);
      PayloadOffloader.Source array = PayloadOffloader.Source.of(bytes);
      PayloadOffloader.Scan expected = array.scan();
      assertThat(expected.id).isEqualTo(41);
      assertThat(written(array, expected)).isEqualTo(utf8(RESULT));
      for (int size : new int[] {1, 2, 3, 7, 64, 4096}) {
        PayloadOffloader.Source chunks = PayloadOffloader.Source.of(chunked(bytes, size));
        PayloadOffloader.Scan scan = chunks.scan();
        assertThat(scan).usingRecursiveComparison().as("chunks of %d", size).isEqualTo(expected);
        assertThat(written(chunks, scan)).isEqualTo(utf8(RESULT));
        assertThat(chunks.schema(scan.resultStart, scan.resultLength))
            .isEqualTo(array.schema(expected.resultStart, expected.resultLength));
        for (int previewBytes = 0; previewBytes <= RESULT.length() + 1; previewBytes++) {
          PayloadOffloader offloader = new PayloadOffloader(null, 0, previewBytes);
          assertThat(offloader.preview(chunks, scan)).isEqualTo(offloader.preview(array, expected));
        }
      }
    }
  }

  @Test
  void aSecretSplitBetweenChunksIsRedactedInThePayloadAndItsPreview() throws Exception {
    String secret = "env-secret-0123456789";
    String token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    BackendRedactor redactor = new BackendRedactor(List.of(dev.mcpgateway.policy.Redaction.builder().build()),
        java.util.Map.of("srv", List.of(secret)));
    String result = "{\"content\":[{\"type\":\"text\",\"text\":\"a " + secret + " \\\"q\\\" \\u00e9\u20ac\\n" + token + "\"}],"
        + "\"structuredContent\":{\"" + secret + "\":[1,true,null,\"" + secret.substring(0, 3) + "\\u002d" + secret.substring(4) + "\"]}}";
    String expected = "{\"content\":[{\"type\":\"text\",\"text\":\"a [REDACTED:secret] \\\"q\\\" \u00e9\u20ac\\n[REDACTED:github-token]\"}],"
        + "\"structuredContent\":{\"[REDACTED:secret]\":[1,true,null,\"[REDACTED:secret]\"]}}";
    byte[] message = utf8("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":" + result + "}");
    for (int size = 1; size <= 48; size++) {
      PayloadOffloader.Source source = PayloadOffloader.Source.of(chunked(message, size));
      PayloadOffloader.Scan scan = source.scan();
      PayloadOffloader.Head head = new PayloadOffloader.Head(41);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      RedactingJsonOutput redacted = new RedactingJsonOutput(new PayloadOffloader.Head.Tee(out, head),
          target -> redactor.stream("srv", target));
      source.writeTo(redacted, scan.resultStart, scan.resultLength);
      redacted.finish();
      assertThat(out.toString(StandardCharsets.UTF_8)).as("chunks of %d", size).isEqualTo(expected);
      assertThat(head.preview(40)).isEqualTo(expected.substring(0, 40)).doesNotContain(secret.substring(0, 8));
    }
  }

  @Test
  void previewIsCutBeforeASplitCharacterAndSchemaDescribesTheResult() throws Exception {
    PayloadOffloader.Source source = PayloadOffloader.Source.of(chunked(utf8("{\"id\":1,\"result\":" + RESULT + "}"), 5));
    PayloadOffloader.Scan scan = source.scan();
    int ab = "{\"content\":[{\"type\":\"text\",\"text\":\"ab".length();
    assertThat(new PayloadOffloader(null, 0, ab + 1).preview(source, scan)).isEqualTo(RESULT.substring(0, ab));
    assertThat(new PayloadOffloader(null, 0, ab + 3).preview(source, scan)).isEqualTo(RESULT.substring(0, ab + 1));
    assertThat(source.schema(scan.resultStart, scan.resultLength).toString()).isEqualTo("{\"type\":\"object\",\"properties\":{"
        + "\"content\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\"},"
        + "\"text\":{\"type\":\"string\"}}},\"minItems\":1},\"structuredContent\":{\"type\":\"object\",\"properties\":{"
        + "\"rows\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
        + "\"score\":{\"type\":\"number\"},\"ok\":{\"type\":\"boolean\"},\"note\":{\"type\":\"null\"}}},\"minItems\":2},"
        + "\"more\":{\"type\":\"string\"}}}}}");
  }

  @Test
  void errorsRequestsAndErrorResultsAreRecognizedFromChunksToo() throws Exception {
    assertThat(PayloadOffloader.Source.of(chunked(utf8("{\"id\":1,\"error\":{\"code\":1}}"), 3)).scan()).isNull();
    assertThat(PayloadOffloader.Source.of(chunked(utf8("{\"id\":1,\"method\":\"x\",\"result\":{}}"), 3)).scan()).isNull();
    assertThat(PayloadOffloader.Source.of(chunked(utf8("{\"result\":{}}"), 3)).scan()).isNull();
    PayloadOffloader.Scan error = PayloadOffloader.Source.of(chunked(utf8("{\"id\":1,\"result\":{\"isError\":true}}"), 3)).scan();
    assertThat(error.isError).isTrue();
  }
}
