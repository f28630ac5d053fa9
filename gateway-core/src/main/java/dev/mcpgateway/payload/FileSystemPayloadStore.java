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
import java.nio.file.attribute.BasicFileAttributes;
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
 * <p>The root must be private to the gateway's user: {@link Builder#build()} creates it
 * {@code 0700} when it does not exist, and refuses an existing one that is a symbolic link, is
 * owned by another user or is writable by group or others ({@link UnsafePayloadDirectoryException}).
 * Session and payload directories are never followed when they are links.
 *
 * <p>Each session key (each caller) may keep at most {@link Builder#quotaBytes(long)} bytes of
 * payloads (default 1 GiB): a payload that would go over it is refused with
 * {@link PayloadQuotaExceededException} and nothing of it stays on disk. Payloads already on
 * disk at start (those retention keeps) count towards their caller's quota.
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
  /** The spool directory in the root: not a session directory (those are hex digests). */
  static final String SPOOL = ".spool";
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Default most bytes of payloads one session key may keep: 1 GiB. */
  public static final long DEFAULT_QUOTA_BYTES = 1L << 30;

  private final Path root;
  private final String pathPrefix;
  private final boolean posix;
  private final PayloadQuota quota;

  private FileSystemPayloadStore(Builder b) throws IOException {
    this.root = b.root.toAbsolutePath().normalize();
    this.pathPrefix = b.pathPrefix;
    this.quota = new PayloadQuota(b.quotaBytes);
    this.posix = PayloadRoot.prepare(root);
    deleteTree(root.resolve(SPOOL)); // what a stopped gateway was spooling is no one's payload
    if (b.retention != null) {
      removeOlderThan(b.clock.instant().minus(b.retention));
    }
    countStoredPayloads();
  }

  /**
   * Starts a builder storing under {@code directory}.
   *
   * @param directory the root directory of the payloads
   * @return a new builder
   */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** {@return the directory holding every session's payloads} */
  public Path root() {
    return root;
  }

  /**
   * {@return the directory of one session key's payloads (which may not exist yet)}
   *
   * @param sessionKey the caller's session key
   */
  public Path sessionDirectory(String sessionKey) {
    return root.resolve(sessionDir(sessionKey));
  }

  /** {@return the most bytes of payloads one session key may keep} */
  public long quotaBytes() {
    return quota.quotaBytes();
  }

  /**
   * {@return the bytes of payloads {@code sessionKey} keeps now (including payloads being written)}
   *
   * @param sessionKey the caller's session key
   */
  public long usedBytes(String sessionKey) {
    return quota.used(sessionDir(sessionKey));
  }

  /**
   * Streams a payload to {@code {root}/{sessionDir}/{id}/payload.json}.
   *
   * @throws PayloadQuotaExceededException when the session key's payloads would exceed the quota;
   *     what was written of this payload is deleted
   * @throws IOException when the session directory is a link or not a directory, or writing fails
   */
  @Override
  public StoredPayload store(String sessionKey, PayloadWriter writer) throws IOException {
    Objects.requireNonNull(sessionKey, "sessionKey");
    String sessionName = sessionDir(sessionKey);
    Path payloadDir = newPayloadDirectory(sessionName);
    String id = payloadDir.getFileName().toString();
    Path file = payloadDir.resolve(FILE);
    long size;
    PayloadQuota.LimitedStream out = null;
    try {
      // CREATE_NEW (O_EXCL) never follows a link at the file's name
      out = quota.limit(sessionName, new BufferedOutputStream(posix
          ? Files.newOutputStream(Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE)),
              StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)
          : Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), 64 * 1024));
      try (OutputStream stream = out) {
        writer.writeTo(stream);
        stream.flush();
      }
      size = out.count();
    } catch (IOException | RuntimeException e) {
      if (out != null) {
        out.release(); // what was written of it is deleted below
      }
      deleteTree(payloadDir);
      throw e;
    }
    return new StoredPayload(id, location(file), size);
  }

  /** A new payload directory (0700) with a random id in the session directory, created if needed. */
  private Path newPayloadDirectory(String sessionName) throws IOException {
    Path sessionDir = root.resolve(sessionName);
    createSessionDirectory(sessionDir);
    while (true) {
      Path payloadDir = sessionDir.resolve(newId());
      try {
        PayloadRoot.createPrivateDirectory(payloadDir);
        return payloadDir;
      } catch (FileAlreadyExistsException e) {
        // a random id repeated; draw another
      }
    }
  }

  /**
   * Moves a finished file (one spooled in {@link #spoolDirectory()}) to
   * {@code {root}/{sessionDir}/{id}/payload.json}, charging its size to the session key's quota;
   * a file on another file system is copied. The file is gone when this returns.
   *
   * @throws PayloadQuotaExceededException when the session key's payloads would exceed the quota
   */
  @Override
  public StoredPayload storeFile(String sessionKey, Path file) throws IOException {
    Objects.requireNonNull(sessionKey, "sessionKey");
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isRegularFile()) {
        throw new IOException("only a regular file can become a payload: " + file.getFileName());
      }
      if (!file.toAbsolutePath().normalize().startsWith(root)) {
        return store(sessionKey, out -> Files.copy(file, out));
      }
      String sessionName = sessionDir(sessionKey);
      long size = attributes.size();
      quota.reserve(sessionName, size);
      Path payloadDir = null;
      try {
        payloadDir = newPayloadDirectory(sessionName);
        Path target = payloadDir.resolve(FILE);
        Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        if (posix) {
          Files.setPosixFilePermissions(target, FILE_MODE);
        }
        return new StoredPayload(payloadDir.getFileName().toString(), location(target), size);
      } catch (IOException | RuntimeException e) {
        quota.release(sessionName, size);
        if (payloadDir != null) {
          deleteTree(payloadDir);
        }
        throw e;
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** {@code {root}/.spool}, created (0700) on first use; emptied when a store is built on the root. */
  @Override
  public Optional<Path> spoolDirectory() throws IOException {
    Path spool = root.resolve(SPOOL);
    if (!isRealDirectory(spool)) {
      try {
        PayloadRoot.createPrivateDirectory(spool);
      } catch (FileAlreadyExistsException e) {
        if (!isRealDirectory(spool)) {
          throw new IOException("payload spool " + spool + " is not a directory; the payload store never follows links", e);
        }
      }
    }
    return Optional.of(spool);
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
    Path payloadDir = sessionDir.resolve(payloadId);
    Path file = payloadDir.resolve(FILE).normalize();
    // every level is checked without following links: a link is never how a payload is found
    if (!file.startsWith(sessionDir) || !isRealDirectory(sessionDir) || !isRealDirectory(payloadDir)
        || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
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
    String sessionName = sessionDir(sessionKey);
    try {
      deleteTree(root.resolve(sessionName));
    } finally {
      quota.forget(sessionName);
    }
  }

  /**
   * Removes session directories last modified before {@code cutoff}; returns how many.
   *
   * @param cutoff the oldest modification time kept
   * @return how many directories were removed
   * @throws IOException when listing or deleting fails
   */
  public int removeOlderThan(Instant cutoff) throws IOException {
    int removed = 0;
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        if (dir.getFileName().toString().equals(SPOOL)) {
          continue;
        }
        FileTime modified = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS);
        if (modified.toInstant().isBefore(cutoff)) {
          deleteTree(dir);
          quota.forget(dir.getFileName().toString());
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

  /** Creates a session directory (0700), or checks that the existing one is a directory and no link. */
  private static void createSessionDirectory(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      try {
        PayloadRoot.createPrivateDirectory(dir);
        return;
      } catch (FileAlreadyExistsException e) {
        // another call of the same caller created it meanwhile
      }
    }
    if (!isRealDirectory(dir)) {
      throw new IOException("payload path " + dir + " is " + (Files.isSymbolicLink(dir) ? "a symbolic link" : "not a directory")
          + "; the payload store never follows links below its root, so nothing is stored there");
    }
  }

  private static boolean isRealDirectory(Path dir) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attributes.isDirectory() && !attributes.isSymbolicLink();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Counts what retention left on disk towards each caller's quota. Links in the root are
   * removed (never their targets): the store creates none, and never follows one.
   */
  private void countStoredPayloads() throws IOException {
    long total = 0;
    try (Stream<Path> entries = Files.list(root)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        if (entry.getFileName().toString().equals(SPOOL)) {
          continue;
        }
        if (Files.isSymbolicLink(entry)) {
          LOG.warn("Removing the symbolic link {} from the payload directory; payload directories are never links", entry);
          Files.deleteIfExists(entry);
        } else if (isRealDirectory(entry)) {
          total += quota.count(entry.getFileName().toString(), entry);
        }
      }
    }
    if (total > 0) {
      LOG.info("The payload directory {} holds {} bytes of payloads from before the start of {} caller(s); each caller "
          + "may keep {} bytes", root, total, quota.callers(), quota.quotaBytes());
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

  /** Builds a {@link FileSystemPayloadStore}. */
  public static final class Builder {
    private final Path root;
    private String pathPrefix;
    private Duration retention = Duration.ofHours(24);
    private Clock clock = Clock.systemUTC();
    private long quotaBytes = DEFAULT_QUOTA_BYTES;

    private Builder(Path root) {
      this.root = Objects.requireNonNull(root, "directory");
    }

    /**
     * Shows paths to clients under {@code prefix} instead of the directory (for agents that mount it elsewhere).
     *
     * @param prefix the path prefix
     * @return this builder
     */
    public Builder pathPrefix(String prefix) {
      this.pathPrefix = prefix;
      return this;
    }

    /**
     * At start, removes session directories older than this (default 24 hours).
     *
     * @param retention the age past which a directory is removed
     * @return this builder
     */
    public Builder retention(Duration retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * Keeps every directory at start.
     *
     * @return this builder
     */
    public Builder keepOldPayloads() {
      this.retention = null;
      return this;
    }

    /**
     * The most bytes of payloads one session key (one caller) may keep on disk; default 1 GiB.
     *
     * @param bytes the quota, positive
     * @return this builder
     */
    public Builder quotaBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("quotaBytes must be positive: " + bytes);
      }
      this.quotaBytes = bytes;
      return this;
    }

    /**
     * The clock for the retention check; for tests.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Creates the directory (0700) if needed, or checks the existing one; removes expired
     * payloads, counts the rest towards their callers' quotas, and builds the store.
     *
     * @return the store
     * @throws UnsafePayloadDirectoryException when the directory is a link, not a directory,
     *     owned by another user or writable by group or others
     */
    public FileSystemPayloadStore build() throws IOException {
      return new FileSystemPayloadStore(this);
    }
  }
}
