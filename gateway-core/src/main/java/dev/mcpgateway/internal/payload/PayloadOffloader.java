package dev.mcpgateway.internal.payload;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.backend.ChunkedMessage;
import dev.mcpgateway.backend.MessageSink;
import dev.mcpgateway.internal.connection.BackendCall;
import dev.mcpgateway.internal.connection.BackendConnection;
import dev.mcpgateway.internal.connection.BackendRedactor;
import dev.mcpgateway.internal.connection.LargeResults;
import dev.mcpgateway.internal.connection.RedactingJsonOutput;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.payload.PayloadStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands tool results above the size threshold to the {@link PayloadStore} and answers the
 * client with a small result: where the payload is, its size, a preview and an inferred schema.
 *
 * <p>The message is scanned with a streaming parser and the result's bytes are written as they
 * stream, every string redacted on its way ({@link RedactingJsonOutput}), so a large result is
 * never turned into a tree or a string and a secret split between two chunks is still caught.
 * The preview is cut from what was written, so it holds nothing the file does not. Results with
 * {@code isError: true} are never offloaded.
 */
public final class PayloadOffloader implements LargeResults {
  private static final Logger LOG = LoggerFactory.getLogger(PayloadOffloader.class);
  public static final String META_KEY = "dev.mcpgateway/payload";

  private final PayloadStore store;
  private final long threshold;
  private final int previewBytes;
  private final BackendRedactor redactor;
  private Path temporarySpool;

  public PayloadOffloader(PayloadStore store, long threshold, int previewBytes) {
    this(store, threshold, previewBytes, null);
  }

  /** {@code redactor} may be null: the payload is then written as it came. */
  public PayloadOffloader(PayloadStore store, long threshold, int previewBytes, BackendRedactor redactor) {
    this.store = store;
    this.threshold = threshold;
    this.previewBytes = previewBytes;
    this.redactor = redactor;
  }

  /** Whether a message of this size may need offloading. */
  @Override
  public boolean mayOffload(int messageBytes) {
    return messageBytes > threshold;
  }

  /** Offloads the result of a {@code tools/call} response; {@code false} when the message is not one to offload. */
  @Override
  public boolean tryOffload(BackendConnection connection, byte[] message) {
    return tryOffload(connection, Source.of(message));
  }

  /**
   * As {@link #tryOffload(BackendConnection, byte[])}, reading the message from its chunks: it
   * is scanned, stored and described without ever being gathered into one array.
   */
  @Override
  public boolean tryOffload(BackendConnection connection, ChunkedMessage message) {
    return tryOffload(connection, Source.of(message));
  }

  private boolean tryOffload(BackendConnection connection, Source source) {
    Scan scan;
    try {
      scan = source.scan();
    } catch (IOException e) {
      return false; // not JSON: the normal path logs and discards it
    }
    if (scan == null || scan.resultLength <= threshold || scan.isError) {
      return false;
    }
    BackendCall exchange = connection.clientCall(scan.id);
    if (exchange == null || !"tools/call".equals(exchange.method()) || connection.abandon(scan.id) == null) {
      return false;
    }
    String sessionKey = exchange.callerKey();
    String server = exchange.server();
    PayloadStore.StoredPayload stored;
    Head head = new Head(previewBytes + 1);
    try {
      stored = store.store(sessionKey, out -> write(source, scan, server, new Head.Tee(out, head)));
    } catch (IOException | RuntimeException e) {
      storeFailed(exchange, scan.resultLength, e);
      return true;
    }
    answer(exchange, stored, redactor == null ? preview(source, scan) : head.preview(previewBytes),
        source.schema(scan.resultStart, scan.resultLength));
    return true;
  }

  /** Opens the sink for one large message of {@code connection}'s backend: it is spooled to disk as it arrives. */
  @Override
  public MessageSink spool(BackendConnection connection, String server) {
    return new SpooledMessage(connection, this, server);
  }

  @Override
  public long threshold() {
    return threshold;
  }

  public int previewBytes() {
    return previewBytes;
  }

  /** May be null: results are then spooled as they came. */
  public BackendRedactor redactor() {
    return redactor;
  }

  /** A new private file (0600) to spool a message into: in the store's spool directory, else in a temporary one. */
  public Path newSpoolFile() throws IOException {
    Path dir = store.spoolDirectory().orElse(null);
    if (dir == null) {
      dir = temporarySpool();
    }
    return Files.createTempFile(dir, "message-", ".json");
  }

  private synchronized Path temporarySpool() throws IOException {
    if (temporarySpool == null) {
      temporarySpool = Files.createTempDirectory("mcp-gateway-spool-");
    }
    return temporarySpool;
  }

  /**
   * Stores a result spooled to {@code file} (redacted already) as the payload of the
   * {@code tools/call} that waits for backend id {@code id}, and answers it with the summary.
   * Returns false, leaving the file, when no {@code tools/call} waits for that id.
   *
   * @param resultBytes the size of the result as the backend wrote it, for the log and errors
   */
  public boolean offloadSpooled(BackendConnection connection, long id, Path file, long resultBytes, String preview, ObjectNode schema) {
    BackendCall exchange = connection.clientCall(id);
    if (exchange == null || !"tools/call".equals(exchange.method()) || connection.abandon(id) == null) {
      return false;
    }
    PayloadStore.StoredPayload stored;
    try {
      stored = store.storeFile(exchange.callerKey(), file);
    } catch (IOException | RuntimeException e) {
      storeFailed(exchange, resultBytes, e);
      return true;
    }
    answer(exchange, stored, preview, schema);
    return true;
  }

  private void storeFailed(BackendCall exchange, long resultBytes, Exception e) {
    if (e instanceof dev.mcpgateway.payload.PayloadQuotaExceededException) {
      LOG.warn("A result of {} bytes from server '{}' was not stored: the caller's payload quota of {} bytes is used up",
          resultBytes, exchange.server(), ((dev.mcpgateway.payload.PayloadQuotaExceededException) e).quotaBytes());
      exchange.onFailure(dev.mcpgateway.GatewayException.QUOTA_EXCEEDED, "the tool result of " + resultBytes
          + " bytes is over the size passed inline (" + threshold + " bytes) and was not stored: " + e.getMessage());
      return;
    }
    LOG.error("Could not store a payload of {} bytes from server '{}'", resultBytes, exchange.server(), e);
    exchange.onFailure(dev.mcpgateway.GatewayException.INTERNAL_ERROR,
        "the result of " + resultBytes + " bytes was too large to pass inline and could not be stored");
  }

  /** Answers the call with where its result is: path, id, size, preview and schema. */
  private void answer(BackendCall exchange, PayloadStore.StoredPayload stored, String preview, ObjectNode schema) {
    String server = exchange.server();
    ObjectNode summary = Json.object();
    summary.put("payloadPath", stored.location());
    summary.put("payloadId", stored.id());
    summary.put("sizeBytes", stored.sizeBytes());
    summary.put("preview", preview);
    summary.set("schema", schema);
    summary.put("note", "The tool result (" + stored.sizeBytes() + " bytes) exceeded " + threshold
        + " bytes and was stored as JSON at payloadPath; preview holds its first bytes, schema its shape.");
    ObjectNode result = Json.object();
    result.putArray("content").addObject().put("type", "text").put("text", new String(Json.bytes(summary), StandardCharsets.UTF_8));
    result.putObject("_meta").set(META_KEY, summary);
    ObjectNode response = Json.object();
    response.put("jsonrpc", "2.0");
    response.set("result", result);
    if (redactor != null) {
      redactor.secrets(server, response); // the schema names keys of the result
    }
    exchange.onResponse(response);
    LOG.debug("Offloaded a result of {} bytes from server '{}'", stored.sizeBytes(), server);
  }

  /** Writes the result's bytes, each string redacted on its way when there is a redactor. */
  private void write(Source source, Scan scan, String server, OutputStream out) throws IOException {
    if (redactor == null) {
      source.writeTo(out, scan.resultStart, scan.resultLength);
      return;
    }
    RedactingJsonOutput redacted = new RedactingJsonOutput(out, target -> redactor.stream(server, target));
    source.writeTo(redacted, scan.resultStart, scan.resultLength);
    redacted.finish();
  }

  /** The first bytes written to the store, for the preview. */
  public static final class Head {
    private final byte[] bytes;
    private int length;

    public Head(int capacity) {
      this.bytes = new byte[capacity];
    }

    public void add(byte[] b, int offset, int count) {
      int n = Math.min(count, bytes.length - length);
      if (n > 0) {
        System.arraycopy(b, offset, bytes, length, n);
        length += n;
      }
    }

    /** At most {@code previewBytes} of the head, cut so that no UTF-8 sequence is split. */
    public String preview(int previewBytes) {
      int end = Math.min(length, previewBytes);
      if (end < length) {
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
          end--;
        }
      }
      return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** Passes bytes on to the store's stream and keeps the first of them. */
    static final class Tee extends OutputStream {
      private final OutputStream out;
      private final Head head;

      Tee(OutputStream out, Head head) {
        this.out = out;
        this.head = head;
      }

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int offset, int count) throws IOException {
        head.add(b, offset, count);
        out.write(b, offset, count);
      }
    }
  }

  /** The first bytes of the result, cut so that no UTF-8 sequence is split. */
  public String preview(Source source, Scan scan) {
    // one byte past the preview, to see whether the cut splits a character
    byte[] head = source.copy(scan.resultStart, (int) Math.min(scan.resultLength, previewBytes + 1L));
    int end = Math.min(head.length, previewBytes);
    if (end < head.length) {
      // step back over continuation bytes (10xxxxxx) and the lead byte of a cut sequence
      while (end > 0 && (head[end] & 0xC0) == 0x80) {
        end--;
      }
    }
    return new String(head, 0, end, StandardCharsets.UTF_8);
  }

  /** A message to offload, as one array or as the chunks it arrived in: what the offloader reads of it. */
  public interface Source {
    /** The id, the result's byte range and its isError flag, or null when this is not a result response. */
    Scan scan() throws IOException;

    void writeTo(OutputStream out, int offset, int length) throws IOException;

    byte[] copy(int offset, int length);

    ObjectNode schema(int offset, int length);

    public static Source of(byte[] message) {
      return new Source() {
        @Override
        public Scan scan() throws IOException {
          try (JsonParser parser = Json.mapper().getFactory().createParser(message)) {
            return PayloadOffloader.scan(parser);
          }
        }

        @Override
        public void writeTo(OutputStream out, int offset, int length) throws IOException {
          out.write(message, offset, length);
        }

        @Override
        public byte[] copy(int offset, int length) {
          return Arrays.copyOfRange(message, offset, offset + length);
        }

        @Override
        public ObjectNode schema(int offset, int length) {
          return SchemaInference.infer(message, offset, length);
        }
      };
    }

    public static Source of(ChunkedMessage message) {
      return new Source() {
        @Override
        public Scan scan() throws IOException {
          // byte offsets from a parser over a stream count from the stream's start, as over an array
          try (JsonParser parser = Json.mapper().getFactory().createParser(message.inputStream())) {
            return PayloadOffloader.scan(parser);
          }
        }

        @Override
        public void writeTo(OutputStream out, int offset, int length) throws IOException {
          message.writeTo(out, offset, length);
        }

        @Override
        public byte[] copy(int offset, int length) {
          return message.toArray(offset, length);
        }

        @Override
        public ObjectNode schema(int offset, int length) {
          return SchemaInference.infer(message.inputStream(offset, length));
        }
      };
    }
  }

  /** Where a response's result lies. */
  public static final class Scan {
    long id = -1;
    int resultStart = -1;
    int resultLength;
    boolean isError;
  }

  /** Finds the id, the result's byte range and its isError flag, or null when this is not a result response. */
  public static Scan scan(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    Scan scan = new Scan();
    boolean hasId = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "id":
          if (value != JsonToken.VALUE_NUMBER_INT) {
            return null;
          }
          scan.id = parser.getLongValue();
          hasId = true;
          break;
        case "result":
          if (value != JsonToken.START_OBJECT) {
            return null;
          }
          scan.resultStart = (int) parser.currentTokenLocation().getByteOffset();
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            if (name.equals("isError") && token == JsonToken.VALUE_TRUE) {
              scan.isError = true;
            }
            parser.skipChildren();
          }
          scan.resultLength = (int) parser.currentLocation().getByteOffset() - scan.resultStart;
          break;
        case "method":
        case "error":
          return null;
        default:
          parser.skipChildren();
      }
    }
    return hasId && scan.resultStart >= 0 ? scan : null;
  }
}
