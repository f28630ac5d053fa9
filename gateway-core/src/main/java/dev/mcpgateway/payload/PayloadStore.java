package dev.mcpgateway.payload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Keeps large tool results out of band, per session key, so that a client gets a small
 * reference instead of megabytes inline.
 *
 * <p>A payload belongs to the session key that stored it; {@link #open(String, String)} with
 * another key finds nothing. Implementations are thread-safe and may block on I/O.
 */
public interface PayloadStore extends AutoCloseable {

  /**
   * Stores a payload for {@code sessionKey}, streaming it from {@code writer}.
   *
   * @param sessionKey the caller's session key
   * @param writer writes the payload's bytes
   * @return where it was stored
   * @throws IOException when the payload cannot be stored
   */
  StoredPayload store(String sessionKey, PayloadWriter writer) throws IOException;

  /**
   * Stores the finished file {@code file} as a payload of {@code sessionKey}, taking it over:
   * whatever happens, {@code file} is gone when this returns. The gateway uses it for large
   * results it spooled while they arrived, before it knew whose they were. The default copies
   * the file through {@link #store} and deletes it; a store on the file system moves it.
   *
   * @param sessionKey the caller's session key
   * @param file the file to take over
   * @return where it was stored
   * @throws PayloadQuotaExceededException when the caller's payloads would exceed its quota
   */
  default StoredPayload storeFile(String sessionKey, Path file) throws IOException {
    try {
      return store(sessionKey, out -> Files.copy(file, out));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * A private directory where the gateway may spool large results while they arrive, on the same
   * file system as the payloads, so that {@link #storeFile} can move rather than copy. Empty
   * (the default): the gateway spools to a private temporary directory of its own.
   *
   * @return the directory; empty to let the gateway pick its own
   * @throws IOException when the directory cannot be created
   */
  default Optional<Path> spoolDirectory() throws IOException {
    return Optional.empty();
  }

  /**
   * Opens a payload of {@code sessionKey} by id; empty when the id is malformed, unknown or
   * belongs to another session key.
   *
   * @param sessionKey the caller's session key
   * @param payloadId the payload's id
   * @return a stream over the payload's bytes, which the caller closes; empty when not found
   * @throws IOException when the payload cannot be read
   */
  Optional<InputStream> open(String sessionKey, String payloadId) throws IOException;

  /**
   * Deletes every payload of {@code sessionKey}.
   *
   * @param sessionKey the caller's session key
   * @throws IOException when deleting fails
   */
  void deleteAll(String sessionKey) throws IOException;

  /** Releases resources; stored payloads stay unless deleted. Idempotent. */
  @Override
  default void close() {}

  /** Writes a payload's bytes. */
  @FunctionalInterface
  interface PayloadWriter {
    /**
     * Writes the whole payload to {@code out}, which the store owns.
     *
     * @param out where to write
     * @throws IOException when writing fails
     */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * A stored payload.
   *
   * @param id the payload's id within its session key
   * @param location where a client finds it (a path, possibly with a configured prefix)
   * @param sizeBytes its size
   */
  record StoredPayload(String id, String location, long sizeBytes) {}
}
