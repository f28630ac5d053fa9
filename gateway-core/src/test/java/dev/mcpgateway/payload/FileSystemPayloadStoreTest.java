package dev.mcpgateway.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file system store's payload root checks, link handling and per-caller quota, on the real file system. */
class FileSystemPayloadStoreTest {
  @TempDir
  Path temp;

  private static PayloadStore.PayloadWriter bytes(int count) {
    return out -> out.write("x".repeat(count).getBytes(StandardCharsets.UTF_8));
  }

  private static List<Path> filesUnder(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  // ---- the payload root

  @Test
  void aMissingRootIsCreatedOwnerOnlyWithItsMissingParents() throws Exception {
    Path root = temp.resolve("a/b/payloads");

    FileSystemPayloadStore.builder(root).build();

    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(mode(root.getParent())).isEqualTo("rwx------");
    assertThat(Files.getOwner(root).getName()).isEqualTo(System.getProperty("user.name"));
  }

  @Test
  void anExistingRootOfTheGatewaysUserThatOnlyItMayWriteIsUsedAsItIs() throws Exception {
    Path root = Files.createDirectory(temp.resolve("payloads"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));

    FileSystemPayloadStore store = FileSystemPayloadStore.builder(root).build();

    assertThat(store.store("k", bytes(10)).sizeBytes()).isEqualTo(10);
    assertThat(mode(root)).isEqualTo("rwxr-xr-x");
  }

  @Test
  void aRootWritableByGroupOrOthersIsRefusedNamingItsModeAndTheFix() throws Exception {
    Path root = Files.createDirectory(temp.resolve("payloads"));
    for (String mode : List.of("rwxrwx---", "rwx---rwx", "rwxrwxrwx")) {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString(mode));

      assertThatThrownBy(() -> FileSystemPayloadStore.builder(root).build())
          .as(mode)
          .isInstanceOf(UnsafePayloadDirectoryException.class)
          .hasMessageContaining("payload directory " + root)
          .hasMessageContaining("owned by '" + System.getProperty("user.name") + "'")
          .hasMessageContaining(mode)
          .hasMessageContaining("writable by")
          .hasMessageContaining("chmod 700 " + root)
          .hasMessageContaining("does not exist yet");
    }
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> FileSystemPayloadStore.builder(root).build()).hasMessageContaining("mode 0777")
        .hasMessageContaining("writable by group and others");
    assertThat(filesUnder(root)).isEmpty();
  }

  @Test
  void aRootOwnedByAnotherUserIsRefusedNamingTheOwnerAndTheFix() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "giving a directory to another user needs root");
    Path root = Files.createDirectory(temp.resolve("payloads"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    UserPrincipal nobody = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(root, nobody);

    assertThatThrownBy(() -> FileSystemPayloadStore.builder(root).build())
        .isInstanceOf(UnsafePayloadDirectoryException.class)
        .hasMessageContaining("payload directory " + root + " is owned by 'nobody' with mode 0700 (rwx------)")
        .hasMessageContaining("not by 'root', the user the gateway runs as")
        .hasMessageContaining("chown root " + root);
  }

  @Test
  void aRootThatIsASymbolicLinkIsRefusedEvenToAPrivateDirectory() throws Exception {
    Path real = Files.createDirectory(temp.resolve("real"));
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
    Path link = Files.createSymbolicLink(temp.resolve("payloads"), real);

    assertThatThrownBy(() -> FileSystemPayloadStore.builder(link).build())
        .isInstanceOf(UnsafePayloadDirectoryException.class)
        .hasMessageContaining("payload directory " + link + " is a symbolic link to " + real)
        .hasMessageContaining("Set payloadDir to the real directory");
    Path dangling = Files.createSymbolicLink(temp.resolve("dangling"), temp.resolve("nowhere"));
    assertThatThrownBy(() -> FileSystemPayloadStore.builder(dangling).build())
        .hasMessageContaining("is a symbolic link to " + temp.resolve("nowhere"));
    assertThat(temp.resolve("nowhere")).doesNotExist();
  }

  @Test
  void aRootThatIsAFileIsRefused() throws Exception {
    Path file = Files.writeString(temp.resolve("payloads"), "x");

    assertThatThrownBy(() -> FileSystemPayloadStore.builder(file).build())
        .isInstanceOf(UnsafePayloadDirectoryException.class).hasMessageContaining("is not a directory");
  }

  // ---- links below the root

  @Test
  void aSessionDirectoryThatIsALinkIsNeverWrittenThroughOrReadThrough() throws Exception {
    Path root = temp.resolve("payloads");
    FileSystemPayloadStore store = FileSystemPayloadStore.builder(root).build();
    PayloadStore.StoredPayload stored = store.store("victim", bytes(10));
    // another caller's directory replaced by a link to the victim's, and one to a directory outside
    Path outside = Files.createDirectory(temp.resolve("outside"));
    Files.createSymbolicLink(store.sessionDirectory("thief"), store.sessionDirectory("victim"));
    Files.createSymbolicLink(store.sessionDirectory("writer"), outside);

    assertThat(store.open("thief", stored.id())).isEmpty();
    assertThatThrownBy(() -> store.store("writer", bytes(10)))
        .isInstanceOf(IOException.class).hasMessageContaining("is a symbolic link");
    assertThat(filesUnder(outside)).isEmpty();
    store.deleteAll("thief");
    store.deleteAll("writer");
    assertThat(Files.exists(store.sessionDirectory("thief"), LinkOption.NOFOLLOW_LINKS)).as("the link is removed").isFalse();
    assertThat(outside).as("not its target").isDirectory();
    try (InputStream own = store.open("victim", stored.id()).orElseThrow()) {
      assertThat(own.readAllBytes()).hasSize(10);
    }
  }

  @Test
  void aPayloadDirectoryThatIsALinkIsNotFollowed() throws Exception {
    FileSystemPayloadStore store = FileSystemPayloadStore.builder(temp.resolve("payloads")).build();
    PayloadStore.StoredPayload stored = store.store("k", bytes(10));
    Path planted = store.sessionDirectory("k").resolve("planted");
    Files.createSymbolicLink(planted, store.sessionDirectory("k").resolve(stored.id()));

    assertThat(store.open("k", "planted")).isEmpty();
    assertThat(store.open("k", stored.id())).isPresent().get().satisfies(InputStream::close);
  }

  @Test
  void linksInTheRootAreRemovedAtStartAndTheirTargetsKept() throws Exception {
    Path root = temp.resolve("payloads");
    FileSystemPayloadStore.builder(root).build();
    Path outside = Files.createDirectory(temp.resolve("outside"));
    Files.writeString(outside.resolve("keep"), "x");
    Path link = Files.createSymbolicLink(root.resolve("0123456789abcdef0123456789abcdef"), outside);

    FileSystemPayloadStore.builder(root).build();

    assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(outside.resolve("keep")).hasContent("x");
  }

  // ---- the quota

  @Test
  void aPayloadThatWouldExceedTheCallersQuotaIsRefusedAndNothingOfItStays() throws Exception {
    FileSystemPayloadStore store = FileSystemPayloadStore.builder(temp.resolve("payloads")).quotaBytes(1000).build();
    store.store("a", bytes(600));
    store.store("a", bytes(400));

    assertThatThrownBy(() -> store.store("a", out -> {
      out.write(new byte[0]);
      out.write('{'); // one byte over: refused on the byte that crosses the quota
    }))
        .isInstanceOf(PayloadQuotaExceededException.class)
        .hasMessageContaining("payload quota of 1000 bytes")
        .hasMessageContaining("1000 bytes are stored already")
        .hasMessageContaining("deleted when its last session ends");

    assertThat(store.usedBytes("a")).isEqualTo(1000);
    assertThat(filesUnder(store.sessionDirectory("a"))).hasSize(2);
    try (Stream<Path> dirs = Files.list(store.sessionDirectory("a"))) {
      assertThat(dirs).hasSize(2); // the refused payload's directory is gone too
    }
    assertThat(store.store("b", bytes(1000)).sizeBytes()).as("another caller has its own quota").isEqualTo(1000);
  }

  @Test
  void aPayloadRefusedHalfWayIsDeletedAndItsBytesReleased() throws Exception {
    FileSystemPayloadStore store = FileSystemPayloadStore.builder(temp.resolve("payloads")).quotaBytes(100_000).build();
    PayloadQuotaExceededException refused = org.junit.jupiter.api.Assertions.assertThrows(PayloadQuotaExceededException.class,
        () -> store.store("a", out -> {
          for (int i = 0; i < 20; i++) {
            out.write(new byte[8192]); // 163,840 bytes in all; the 13th chunk crosses the quota
          }
        }));

    assertThat(refused.quotaBytes()).isEqualTo(100_000);
    assertThat(refused.usedBytes()).isZero();
    assertThat(store.usedBytes("a")).isZero();
    assertThat(filesUnder(store.root())).isEmpty();
    assertThat(store.store("a", bytes(100_000)).sizeBytes()).isEqualTo(100_000);
  }

  @Test
  void deletingACallersPayloadsGivesItsQuotaBack() throws Exception {
    FileSystemPayloadStore store = FileSystemPayloadStore.builder(temp.resolve("payloads")).quotaBytes(1000).build();
    store.store("a", bytes(1000));
    assertThatThrownBy(() -> store.store("a", bytes(1))).isInstanceOf(PayloadQuotaExceededException.class);

    store.deleteAll("a");

    assertThat(store.usedBytes("a")).isZero();
    assertThat(store.store("a", bytes(1000)).sizeBytes()).isEqualTo(1000);
  }

  @Test
  void payloadsLeftOnDiskAtStartCountTowardsTheQuotaAndExpiredOnesDoNot() throws Exception {
    Path root = temp.resolve("payloads");
    FileSystemPayloadStore before = FileSystemPayloadStore.builder(root).build();
    before.store("a", bytes(700));
    before.store("a", bytes(200));
    before.store("old", bytes(900));
    Files.setLastModifiedTime(before.sessionDirectory("old"),
        java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofDays(2))));

    FileSystemPayloadStore after = FileSystemPayloadStore.builder(root).retention(Duration.ofDays(1)).quotaBytes(1000).build();

    assertThat(after.usedBytes("a")).isEqualTo(900);
    assertThat(after.usedBytes("old")).isZero();
    assertThatThrownBy(() -> after.store("a", bytes(101))).isInstanceOf(PayloadQuotaExceededException.class)
        .hasMessageContaining("900 bytes are stored already");
    assertThat(after.store("a", bytes(100)).sizeBytes()).isEqualTo(100);
    assertThat(after.store("old", bytes(1000)).sizeBytes()).isEqualTo(1000);
  }

  @Test
  void concurrentPayloadsOfOneCallerNeverTogetherExceedTheQuota() throws Exception {
    FileSystemPayloadStore store = FileSystemPayloadStore.builder(temp.resolve("payloads")).quotaBytes(1000).build();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Boolean>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        results.add(pool.submit(() -> {
          try {
            store.store("a", bytes(100));
            return true;
          } catch (PayloadQuotaExceededException e) {
            return false;
          }
        }));
      }
      int stored = 0;
      for (Future<Boolean> result : results) {
        stored += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(stored).isEqualTo(10);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.usedBytes("a")).isEqualTo(1000);
    assertThat(filesUnder(store.root())).hasSize(10);
  }

  @Test
  void theQuotaMustBePositive() {
    assertThatThrownBy(() -> FileSystemPayloadStore.builder(temp).quotaBytes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quotaBytes");
  }
}
