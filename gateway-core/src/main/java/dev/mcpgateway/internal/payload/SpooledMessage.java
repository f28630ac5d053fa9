package dev.mcpgateway.internal.payload;

import dev.mcpgateway.GatewayException;
import dev.mcpgateway.backend.MessageSink;
import dev.mcpgateway.internal.connection.BackendConnection;
import dev.mcpgateway.internal.connection.BackendRedactor;
import dev.mcpgateway.internal.connection.PendingCall;
import dev.mcpgateway.internal.connection.RedactingJsonOutput;
import dev.mcpgateway.internal.jsonrpc.JsonPushScanner;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One large message from a backend, taken in as it arrives and never gathered: its
 * {@code result} goes to a spool file (redacted as it streams, with the first bytes kept for the
 * preview and its schema inferred on the way), everything around it (the envelope: {@code jsonrpc},
 * {@code id}, ... usually a few dozen bytes) stays in memory. A {@link JsonPushScanner} follows
 * the top-level keys, so that at the end, wherever the backend put the {@code id} (many servers
 * write it after the result), the message is known:
 * <ul>
 *   <li>the answer to a {@code tools/call} with a result object over the threshold and without
 *       {@code isError: true}: the spool file becomes the caller's payload (moved, charged to its
 *       quota) and the call gets the usual summary;
 *   <li>anything else (an error, another method's result, a notification, a request): put back
 *       together in memory, as it would have been gathered, and handled as any message.
 * </ul>
 * Memory: the envelope, a 64 KiB write buffer, the preview and the schema. Driven by one thread.
 */
public final class SpooledMessage implements MessageSink, JsonPushScanner.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(SpooledMessage.class);

  private final BackendConnection connection;
  private final PayloadOffloader offloader;
  private final String server;
  private final JsonPushScanner scanner = new JsonPushScanner(this);
  private final ByteArrayOutputStream envelope = new ByteArrayOutputStream(256);
  private final StreamingSchema schema = new StreamingSchema();
  private final PayloadOffloader.Head head;

  private boolean topIsObject;
  private boolean hasMethod;
  private boolean hasError;
  private boolean duplicateResult;
  private boolean idNext;
  private boolean resultNext;
  private boolean isErrorNext;
  private boolean isError;
  private boolean resultIsObject;
  private boolean resultSeen;
  private boolean inResult;
  private long id = -1;
  private boolean hasId;
  /** Where the result value starts and ends in the message; MAX_VALUE until known. */
  private long resultStart = Long.MAX_VALUE;
  private long resultEnd = Long.MAX_VALUE;

  private Path file;
  private OutputStream fileOut;
  private OutputStream resultOut;
  private RedactingJsonOutput redacting;
  private IOException spoolFailure;
  private boolean done;

  public SpooledMessage(BackendConnection connection, PayloadOffloader offloader, String server) {
    this.connection = connection;
    this.offloader = offloader;
    this.server = server;
    this.head = new PayloadOffloader.Head(offloader.previewBytes() + 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int count) {
    if (done || count == 0) {
      return;
    }
    long base = scanner.position();
    scanner.feed(bytes, offset, count);
    long end = base + count;
    // before the result, the result, after it: each part of this write goes where it belongs
    long resultFrom = Math.max(base, resultStart);
    long resultTo = Math.min(end, resultEnd);
    if (resultFrom >= end || resultTo <= base || resultFrom >= resultTo) {
      envelope.write(bytes, offset, count);
      return;
    }
    if (resultFrom > base) {
      envelope.write(bytes, offset, (int) (resultFrom - base));
    }
    toResult(bytes, offset + (int) (resultFrom - base), (int) (resultTo - resultFrom));
    if (resultTo < end) {
      envelope.write(bytes, offset + (int) (resultTo - base), (int) (end - resultTo));
    }
  }

  private void toResult(byte[] bytes, int offset, int count) {
    if (spoolFailure != null) {
      return;
    }
    try {
      if (resultOut == null) {
        openSpool();
      }
      resultOut.write(bytes, offset, count);
    } catch (IOException e) {
      spoolFailure = e;
      closeQuietly();
    }
  }

  private void openSpool() throws IOException {
    file = offloader.newSpoolFile();
    fileOut = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
    OutputStream tee = new PayloadOffloader.Head.Tee(fileOut, head);
    BackendRedactor redactor = offloader.redactor();
    if (redactor != null) {
      redacting = new RedactingJsonOutput(tee, target -> redactor.stream(server, target));
      resultOut = redacting;
    } else {
      resultOut = tee;
    }
  }

  @Override
  public void end() {
    if (done) {
      return;
    }
    done = true;
    scanner.finish();
    try {
      finishSpool();
    } catch (IOException e) {
      spoolFailure = e;
    }
    closeQuietly();
    try {
      deliver();
    } finally {
      deleteSpool();
    }
  }

  private void deliver() {
    long resultBytes = resultEnd == Long.MAX_VALUE || resultStart == Long.MAX_VALUE ? 0 : resultEnd - resultStart;
    boolean offloadable = scanner.complete() && topIsObject && hasId && !hasMethod && !hasError && !duplicateResult
        && resultIsObject && !isError && resultBytes > offloader.threshold();
    if (offloadable && spoolFailure != null) {
      fail("server '" + server + "' answered with a result of " + resultBytes
          + " bytes, too large to pass inline, and it could not be spooled to disk: " + spoolFailure.getMessage());
      return;
    }
    if (offloadable && offloader.offloadSpooled(connection, id, file, resultBytes, head.preview(offloader.previewBytes()),
        schema.schema())) {
      file = null; // the store took it over
      return;
    }
    byte[] whole;
    try {
      whole = reassemble();
    } catch (IOException e) {
      LOG.warn("Discarded a message of {} bytes from server '{}': it could not be read back from its spool file ({})",
          scanner.position(), server, e.getMessage());
      fail("server '" + server + "' sent an answer of " + scanner.position() + " bytes that could not be read back: "
          + e.getMessage());
      return;
    }
    if (whole == null) {
      LOG.warn("Discarded a message of {} bytes from server '{}': only tools/call results are stored as payloads, and it "
          + "is too large to pass inline", scanner.position(), server);
      fail("server '" + server + "' sent an answer of " + scanner.position() + " bytes: too large to pass inline, and only "
          + "tools/call results are stored as payloads");
      return;
    }
    connection.deliverWhole(whole);
  }

  /** The message put back together (its result redacted), or null when it cannot be one array. */
  private byte[] reassemble() throws IOException {
    if (spoolFailure != null) {
      throw spoolFailure;
    }
    long resultSize = file == null ? 0 : Files.size(file);
    long total = envelope.size() + resultSize;
    if (total > Integer.MAX_VALUE - 16) {
      return null;
    }
    byte[] whole = new byte[(int) total];
    byte[] around = envelope.toByteArray();
    int cut = resultStart == Long.MAX_VALUE ? around.length : (int) resultStart;
    System.arraycopy(around, 0, whole, 0, cut);
    if (file != null) {
      try (InputStream in = Files.newInputStream(file)) {
        int at = cut;
        int n;
        while (at < cut + resultSize && (n = in.read(whole, at, (int) (cut + resultSize - at))) > 0) {
          at += n;
        }
      }
    }
    System.arraycopy(around, cut, whole, (int) (cut + resultSize), around.length - cut);
    return whole;
  }

  /** Fails the call waiting for this message's id, if one does; otherwise there is no one to tell. */
  private void fail(String message) {
    if (!hasId) {
      return;
    }
    PendingCall call = connection.abandon(id);
    if (call != null) {
      call.onFailure(GatewayException.BACKEND_ERROR, connection.redacted(message));
    }
  }

  @Override
  public void abort(String reason) {
    if (done) {
      return;
    }
    done = true;
    closeQuietly();
    deleteSpool();
  }

  private void finishSpool() throws IOException {
    if (spoolFailure != null || resultOut == null) {
      return;
    }
    if (redacting != null) {
      redacting.finish();
    }
    fileOut.flush();
  }

  private void closeQuietly() {
    if (fileOut != null) {
      try {
        fileOut.close();
      } catch (IOException e) {
        if (spoolFailure == null) {
          spoolFailure = e;
        }
      }
      fileOut = null;
    }
  }

  private void deleteSpool() {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.warn("Could not delete the spool file {}: {}", file.getFileName(), e.getMessage());
      }
      file = null;
    }
  }

  // JsonPushScanner.Handler: follows the top-level keys, result.isError, and the result's shape.

  @Override
  public void startContainer(boolean object, long position) {
    int depth = scanner.depth(); // this container included
    if (depth == 1) {
      topIsObject = object;
      return;
    }
    if (inResult) {
      isErrorNext = false;
      schema.startContainer(object);
      return;
    }
    if (depth == 2) {
      idNext = false; // an id that is a container is no id of ours
      if (resultNext) {
        resultNext = false;
        resultStart = position;
        resultIsObject = object;
        inResult = true;
        schema.startContainer(object);
      }
    }
  }

  @Override
  public void endContainer(boolean object, long position) {
    if (!inResult) {
      return;
    }
    schema.endContainer();
    if (scanner.depth() == 1) {
      inResult = false;
      resultEnd = position;
    }
  }

  @Override
  public void key(JsonPushScanner scanner) {
    int depth = scanner.depth();
    if (depth == 1) {
      if (scanner.keyEquals("result")) {
        if (resultSeen) {
          duplicateResult = true;
        } else {
          resultSeen = true;
          resultNext = true;
        }
      } else if (scanner.keyEquals("id")) {
        idNext = true;
      } else if (scanner.keyEquals("method")) {
        hasMethod = true;
      } else if (scanner.keyEquals("error")) {
        hasError = true;
      }
      return;
    }
    if (!inResult) {
      return;
    }
    isErrorNext = depth == 2 && scanner.keyEquals("isError");
    if (schema.wantsKey()) {
      schema.key(scanner.key());
    } else {
      schema.skippedKey();
    }
  }

  @Override
  public void scalar(JsonPushScanner.Scalar type, long start, long end, JsonPushScanner scanner) {
    if (inResult) {
      if (isErrorNext && type == JsonPushScanner.Scalar.TRUE && scanner.depth() == 2) {
        isError = true;
      }
      isErrorNext = false;
      schemaScalar(type, scanner);
      return;
    }
    if (scanner.depth() != 1) {
      return;
    }
    if (resultNext) {
      resultNext = false; // a result that is no object is never offloaded: it stays in the envelope
    }
    if (idNext) {
      idNext = false;
      hasId = false;
      if (type == JsonPushScanner.Scalar.NUMBER) {
        try {
          id = Long.parseLong(scanner.literal());
          hasId = true;
        } catch (NumberFormatException e) {
          // not an id the gateway gave
        }
      }
    }
  }

  private void schemaScalar(JsonPushScanner.Scalar type, JsonPushScanner scanner) {
    if (type == JsonPushScanner.Scalar.NUMBER) {
      schema.number(scanner.literal());
    } else {
      schema.scalar(type);
    }
  }
}
