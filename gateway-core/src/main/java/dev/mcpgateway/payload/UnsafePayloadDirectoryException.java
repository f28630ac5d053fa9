package dev.mcpgateway.payload;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The payload directory cannot be trusted: it is a symbolic link, not a directory, owned by
 * another user or writable by group or others. The message names the directory, its owner and
 * mode, and how to fix it.
 */
public final class UnsafePayloadDirectoryException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path directory;

  /**
   * Creates the error for {@code directory} with a message that says what is wrong and what to do.
   *
   * @param directory the directory refused
   * @param message what is wrong and what to do
   */
  public UnsafePayloadDirectoryException(Path directory, String message) {
    super(message);
    this.directory = directory;
  }

  /** {@return the directory refused} */
  public Path directory() {
    return directory;
  }
}
