package dev.mcpgateway.payload;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link PayloadStore}: {@code {dir}/{sessionDir}/{payloadId}/payload.json}, as in
 * the seed's layout.
 *
 * <p>{@code sessionDir} is a one-way digest of the session key, so no credential or session
 * key appears in a path; {@code payloadId} is random. Directories are created {@code 0700},
 * files {@code 0600} (on POSIX file systems). A payload id is only ever resolved inside the
 * caller's own session directory, and ids with separators or dots are refused. Payloads are
 * streamed to disk, never held in memory whole. Thread-safe.
 *
 * <pre>{@code
 * PayloadStore store = FileSystemPayloadStore.builder(Path.of("/tmp/jq-payloads"))
 *     .retention(Duration.ofHours(24))
 *     .build();
 * }</pre>
 */
public final class FileSystemPayloadStore implements PayloadStore {
  private static final Logger LOG = LoggerFactory.getLogger(FileSystemPayloadStore.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final String FILE = "payload.json";
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path root;
  private final String pathPrefix;
  private final boolean posix;

  private FileSystemPayloadStore(Builder b) throws IOException {
    this.root = b.root.toAbsolutePath().normalize();
    this.pathPrefix = b.pathPrefix;
    createPrivateDirectories(root);
    this.posix = Files.getFileStore(root).supportsFileAttributeView("posix");
    if (b.retention != null) {
      removeOlderThan(b.clock.instant().minus(b.retention));
    }
  }

  /** Starts a builder storing under {@code directory}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** The directory holding every session's payloads. */
  public Path root() {
    return root;
  }

  /** The directory of one session key's payloads (which may not exist yet). */
  public Path sessionDirectory(String sessionKey) {
    return root.resolve(sessionDir(sessionKey));
  }

  @Override
  public StoredPayload store(String sessionKey, PayloadWriter writer) throws IOException {
    Objects.requireNonNull(sessionKey, "sessionKey");
    Path sessionDir = sessionDirectory(sessionKey);
    createPrivateDirectories(sessionDir);
    String id;
    Path payloadDir;
    while (true) {
      id = newId();
      payloadDir = sessionDir.resolve(id);
      try {
        createPrivateDirectory(payloadDir);
        break;
      } catch (FileAlreadyExistsException e) {
        // a random id repeated; draw another
      }
    }
    Path file = payloadDir.resolve(FILE);
    long size;
    try (CountingStream out = new CountingStream(new BufferedOutputStream(posix
        ? Files.newOutputStream(Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE)), StandardOpenOption.WRITE)
        : Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), 64 * 1024))) {
      writer.writeTo(out);
      out.flush();
      size = out.count;
    } catch (IOException | RuntimeException e) {
      deleteTree(payloadDir);
      throw e;
    }
    return new StoredPayload(id, location(file), size);
  }

  private String location(Path file) {
    if (pathPrefix == null) {
      return file.toString();
    }
    String relative = root.relativize(file).toString().replace('\\', '/');
    return pathPrefix.endsWith("/") ? pathPrefix + relative : pathPrefix + "/" + relative;
  }

  @Override
  public Optional<InputStream> open(String sessionKey, String payloadId) throws IOException {
    if (payloadId == null || !ID.matcher(payloadId).matches()) {
      return Optional.empty();
    }
    Path sessionDir = sessionDirectory(sessionKey);
    Path file = sessionDir.resolve(payloadId).resolve(FILE).normalize();
    if (!file.startsWith(sessionDir) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void deleteAll(String sessionKey) throws IOException {
    deleteTree(sessionDirectory(sessionKey));
  }

  /** Removes session directories last modified before {@code cutoff}; returns how many. */
  public int removeOlderThan(Instant cutoff) throws IOException {
    int removed = 0;
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        FileTime modified = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS);
        if (modified.toInstant().isBefore(cutoff)) {
          deleteTree(dir);
          removed++;
        }
      }
    }
    if (removed > 0) {
      LOG.info("Removed {} payload director{} older than the retention period", removed, removed == 1 ? "y" : "ies");
    }
    return removed;
  }

  private static String sessionDir(String sessionKey) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha256.digest(("payload-dir:" + sessionKey).getBytes(StandardCharsets.UTF_8)), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static String newId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null && !Files.exists(parent)) {
      createPrivateDirectories(parent);
    }
    try {
      createPrivateDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("payload path " + dir + " exists and is not a directory", e);
      }
    }
  }

  private void createPrivateDirectory(Path dir) throws IOException {
    boolean usePosix = Files.getFileStore(dir.getParent()).supportsFileAttributeView("posix");
    FileAttribute<?>[] attributes = usePosix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIR_MODE)} : new FileAttribute<?>[0];
    Files.createDirectory(dir, attributes);
    if (usePosix) {
      Files.setPosixFilePermissions(dir, DIR_MODE); // the umask may have narrowed or widened it
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }

  @Override
  public String toString() {
    return "FileSystemPayloadStore{" + root + "}";
  }

  private static final class CountingStream extends java.io.FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  /** Builds a {@link FileSystemPayloadStore}. */
  public static final class Builder {
    private final Path root;
    private String pathPrefix;
    private Duration retention = Duration.ofHours(24);
    private Clock clock = Clock.systemUTC();

    private Builder(Path root) {
      this.root = Objects.requireNonNull(root, "directory");
    }

    /** Shows paths to clients under {@code prefix} instead of the directory (for agents that mount it elsewhere). */
    public Builder pathPrefix(String prefix) {
      this.pathPrefix = prefix;
      return this;
    }

    /** At start, removes session directories older than this (default 24 hours). */
    public Builder retention(Duration retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /** Keeps every directory at start. */
    public Builder keepOldPayloads() {
      this.retention = null;
      return this;
    }

    /** The clock for the retention check; for tests. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Creates the directory (0700) if needed, removes expired payloads, and builds the store. */
    public FileSystemPayloadStore build() throws IOException {
      return new FileSystemPayloadStore(this);
    }
  }
}
