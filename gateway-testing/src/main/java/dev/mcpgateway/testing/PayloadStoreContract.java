package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.payload.PayloadQuotaExceededException;
import dev.mcpgateway.payload.PayloadStore;
import dev.mcpgateway.payload.PayloadStore.StoredPayload;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link PayloadStore} keeps, as JUnit 5 tests: extend it and implement
 * {@link #newStore}.
 *
 * <p>What it checks: a payload reads back byte for byte, streamed in and out; a payload is only
 * found with the session key that stored it; ids that try to reach another payload or out of the
 * store (separators, dots, another caller's id, junk) find nothing and throw nothing;
 * {@code deleteAll} removes one session key's payloads and no other's, and gives its quota back;
 * each session key has its own quota, a payload over it is refused with
 * {@link PayloadQuotaExceededException} and leaves nothing behind, also when many are stored at
 * once; a writer that fails stores nothing; {@code storeFile} takes the file over, stored or
 * refused; the spool directory, when there is one, is a directory; {@code close} is idempotent
 * (the contract closes every store twice).
 *
 * <pre>{@code
 * class S3PayloadStoreTest extends PayloadStoreContract {
 *   protected PayloadStore newStore(long quotaBytes) {
 *     return new S3PayloadStore(bucket, quotaBytes);
 *   }
 * }
 * }</pre>
 */
public abstract class PayloadStoreContract {
  /** A private directory for this test, for stores that need one; the contract spools files here too. */
  @TempDir
  protected Path temporaryDirectory;

  private final List<PayloadStore> stores = new ArrayList<>();

  /** For subclasses, one per store implementation. */
  protected PayloadStoreContract() {
  }

  /**
   * A new, empty store in which each session key may keep at most {@code quotaBytes} bytes of payloads.
   *
   * @param quotaBytes the quota per session key
   * @return the store under test
   * @throws IOException when the store cannot be made, which fails the test
   */
  protected abstract PayloadStore newStore(long quotaBytes) throws IOException;

  private PayloadStore store(long quotaBytes) throws IOException {
    PayloadStore store = newStore(quotaBytes);
    stores.add(store);
    return store;
  }

  /** Closes every store twice: closing is idempotent. */
  @AfterEach
  void closeStores() {
    stores.forEach(PayloadStore::close);
    stores.forEach(PayloadStore::close);
  }

  /** {@code count} bytes of a pattern that shows a shifted or lost block. */
  private static byte[] bytes(int count, int seed) {
    byte[] bytes = new byte[count];
    for (int i = 0; i < count; i++) {
      bytes[i] = (byte) (i * 31 + seed + (i >> 10));
    }
    return bytes;
  }

  /** Writes {@code bytes} in blocks of at most 8 KiB, as a streamed result arrives. */
  private static PayloadStore.PayloadWriter streamed(byte[] bytes) {
    return out -> {
      for (int at = 0; at < bytes.length; at += 8192) {
        out.write(bytes, at, Math.min(8192, bytes.length - at));
      }
    };
  }

  private static Optional<byte[]> read(PayloadStore store, String sessionKey, String id) throws IOException {
    Optional<InputStream> in = store.open(sessionKey, id);
    if (in.isEmpty()) {
      return Optional.empty();
    }
    try (InputStream stream = in.get()) {
      return Optional.of(stream.readAllBytes());
    }
  }

  private static boolean found(PayloadStore store, String sessionKey, String id) {
    try {
      return read(store, sessionKey, id).isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aPayloadReadsBackByteForByte() throws IOException {
    PayloadStore store = store(1L << 30);
    byte[] large = bytes(3 * 1024 * 1024 + 17, 1);

    StoredPayload empty = store.store("alice", out -> { });
    StoredPayload one = store.store("alice", out -> out.write(7));
    StoredPayload big = store.store("alice", streamed(large));

    assertThat(List.of(empty, one, big)).allSatisfy(stored -> {
      assertThat(stored.id()).isNotBlank();
      assertThat(stored.location()).isNotBlank();
    });
    assertThat(List.of(empty.id(), one.id(), big.id())).doesNotHaveDuplicates();
    assertThat(empty.sizeBytes()).isZero();
    assertThat(one.sizeBytes()).isEqualTo(1);
    assertThat(big.sizeBytes()).isEqualTo(large.length);
    assertThat(read(store, "alice", empty.id())).hasValueSatisfying(b -> assertThat(b).isEmpty());
    assertThat(read(store, "alice", one.id())).hasValueSatisfying(b -> assertThat(b).containsExactly(7));
    assertThat(read(store, "alice", big.id())).hasValueSatisfying(b -> assertThat(Arrays.equals(b, large))
        .as("3 MiB read back unchanged").isTrue());
  }

  @Test
  void aPayloadIsOnlyFoundWithTheSessionKeyThatStoredIt() throws IOException {
    PayloadStore store = store(1L << 20);
    StoredPayload alices = store.store("alice", out -> out.write(bytes(100, 2)));
    StoredPayload bobs = store.store("bob", out -> out.write(bytes(100, 3)));

    assertThat(store.open("bob", alices.id())).isEmpty();
    assertThat(store.open("alice", bobs.id())).isEmpty();
    assertThat(store.open("", alices.id())).isEmpty();
    assertThat(read(store, "alice", alices.id())).hasValueSatisfying(b -> assertThat(b).containsExactly(bytes(100, 2)));
    assertThat(read(store, "bob", bobs.id())).hasValueSatisfying(b -> assertThat(b).containsExactly(bytes(100, 3)));
  }

  @Test
  void idsThatTryToLeaveTheirPlaceFindNothing() throws IOException {
    PayloadStore store = store(1L << 20);
    String alices = store.store("alice", out -> out.write(bytes(10, 4))).id();
    String bobs = store.store("bob", out -> out.write(bytes(10, 5))).id();
    // {id} stands for the other caller's payload id
    List<String> forms = List.of("{id}", "../{id}", "..\\{id}", "./{id}", "{id}/", "{id}/../{id}", "%2e%2e%2f{id}",
        "..%2F{id}", "{id}\u0000", "../../../../../../etc/passwd", "/etc/passwd", "C:\\Windows\\win.ini", "", ".", "..",
        "/", "\\", "\u0000", "a".repeat(10_000), "ключ");

    assertThat(store.open("bob", null)).isEmpty();
    for (String form : forms) {
      assertThat(store.open("bob", form.replace("{id}", alices))).as("bob opens %s", form).isEmpty();
      assertThat(store.open("alice", form.replace("{id}", bobs))).as("alice opens %s", form).isEmpty();
    }
    assertThat(found(store, "alice", alices)).isTrue();
    assertThat(found(store, "bob", bobs)).isTrue();
  }

  @Test
  void sessionKeysThatLookLikePathsAreKeptApart() throws IOException {
    PayloadStore store = store(1L << 20);
    List<String> keys = List.of("a", "a/../b", "b", "../a", "./a", "a/", "/", "..", ".", "", "a\u0000", "a\\..\\b");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      int seed = i;
      ids.add(store.store(keys.get(i), out -> out.write(bytes(64, seed))).id());
    }

    for (int i = 0; i < keys.size(); i++) {
      for (int j = 0; j < keys.size(); j++) {
        Optional<byte[]> read = read(store, keys.get(i), ids.get(j));
        if (i == j) {
          int seed = i;
          assertThat(read).as("key %s reads its own", keys.get(i)).hasValueSatisfying(b -> assertThat(b)
              .containsExactly(bytes(64, seed)));
        } else {
          assertThat(read).as("key '%s' opens the payload of key '%s'", keys.get(i), keys.get(j)).isEmpty();
        }
      }
    }
  }

  @Test
  void deleteAllRemovesTheKeysPayloadsAndNoOthers() throws IOException {
    PayloadStore store = store(1L << 20);
    String first = store.store("alice", out -> out.write(bytes(10, 6))).id();
    String second = store.store("alice", out -> out.write(bytes(10, 7))).id();
    String bobs = store.store("bob", out -> out.write(bytes(10, 8))).id();

    store.deleteAll("alice");
    store.deleteAll("alice");
    store.deleteAll("nobody");

    assertThat(store.open("alice", first)).isEmpty();
    assertThat(store.open("alice", second)).isEmpty();
    assertThat(found(store, "bob", bobs)).isTrue();
    String again = store.store("alice", out -> out.write(bytes(10, 9))).id();
    assertThat(found(store, "alice", again)).isTrue();
  }

  @Test
  void eachSessionKeyHasItsOwnQuotaAndARefusedPayloadLeavesNothing() throws IOException {
    PayloadStore store = store(1000);
    store.store("alice", out -> out.write(bytes(600, 10)));

    assertThatThrownBy(() -> store.store("alice", out -> out.write(bytes(500, 11))))
        .isInstanceOf(PayloadQuotaExceededException.class)
        .satisfies(e -> assertThat(((PayloadQuotaExceededException) e).quotaBytes()).isEqualTo(1000));

    StoredPayload rest = store.store("alice", out -> out.write(bytes(400, 12)));
    assertThat(rest.sizeBytes()).as("the refused payload took none of the quota").isEqualTo(400);
    assertThat(store.store("bob", out -> out.write(bytes(1000, 13))).sizeBytes()).as("bob's own quota").isEqualTo(1000);
    assertThatThrownBy(() -> store.store("alice", out -> out.write(1))).isInstanceOf(PayloadQuotaExceededException.class);
  }

  @Test
  void deleteAllGivesTheQuotaBack() throws IOException {
    PayloadStore store = store(1000);
    store.store("alice", out -> out.write(bytes(1000, 14)));

    store.deleteAll("alice");

    assertThat(store.store("alice", out -> out.write(bytes(1000, 15))).sizeBytes()).isEqualTo(1000);
  }

  @Test
  void aWriterThatFailsStoresNothing() throws IOException {
    PayloadStore store = store(1000);

    assertThatThrownBy(() -> store.store("alice", out -> {
      out.write(bytes(500, 16));
      throw new IOException("the backend went away");
    })).isInstanceOf(IOException.class).hasMessageContaining("the backend went away");

    assertThat(store.store("alice", out -> out.write(bytes(1000, 17))).sizeBytes())
        .as("the failed payload took none of the quota").isEqualTo(1000);
  }

  @Test
  void concurrentPayloadsOfOneKeyNeverTogetherGoOverTheQuota() throws Exception {
    PayloadStore store = store(10_000);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    List<String> stored;
    try {
      List<Callable<String>> writers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int seed = i;
        writers.add(() -> {
          try {
            return store.store("alice", streamed(bytes(1000, seed))).id();
          } catch (PayloadQuotaExceededException refused) {
            return null;
          }
        });
      }
      stored = new ArrayList<>();
      for (Future<String> writer : threads.invokeAll(writers)) {
        if (writer.get() != null) {
          stored.add(writer.get());
        }
      }
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(stored).as("payloads of 1000 bytes stored under a quota of 10000").hasSizeBetween(1, 10);
    assertThat(stored).allSatisfy(id -> assertThat(found(store, "alice", id)).isTrue());
    int left = 10_000 - stored.size() * 1000;
    if (left > 0) {
      assertThat(store.store("alice", out -> out.write(bytes(left, 18))).sizeBytes())
          .as("what the refused ones wrote was given back").isEqualTo(left);
    }
    assertThatThrownBy(() -> store.store("alice", out -> out.write(1))).isInstanceOf(PayloadQuotaExceededException.class);
  }

  @Test
  void manyCallersStoringAtOnceEachReadTheirOwn() throws Exception {
    PayloadStore store = store(1L << 20);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Void>> callers = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        String key = "caller-" + c;
        int seed = c;
        callers.add(() -> {
          for (int i = 0; i < 10; i++) {
            byte[] payload = bytes(4096 + i, seed * 100 + i);
            String id = store.store(key, streamed(payload)).id();
            assertThat(read(store, key, id)).hasValueSatisfying(b -> assertThat(Arrays.equals(b, payload)).isTrue());
          }
          return null;
        });
      }
      for (Future<Void> caller : threads.invokeAll(callers)) {
        caller.get();
      }
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void storeFileTakesTheFileOverStoredOrRefused() throws IOException {
    PayloadStore store = store(1000);
    Path spool = store.spoolDirectory().orElse(temporaryDirectory);
    Path file = Files.write(Files.createTempFile(spool, "result", ".json"), bytes(800, 19));
    Path tooBig = Files.write(Files.createTempFile(spool, "result", ".json"), bytes(300, 20));

    StoredPayload stored = store.storeFile("alice", file);

    assertThat(file).doesNotExist();
    assertThat(stored.sizeBytes()).isEqualTo(800);
    assertThat(read(store, "alice", stored.id())).hasValueSatisfying(b -> assertThat(b).containsExactly(bytes(800, 19)));
    assertThatThrownBy(() -> store.storeFile("alice", tooBig)).isInstanceOf(PayloadQuotaExceededException.class);
    assertThat(tooBig).doesNotExist();
    assertThat(store.store("alice", out -> out.write(bytes(200, 21))).sizeBytes()).isEqualTo(200);
  }

  @Test
  void aSpoolDirectoryIsADirectory() throws IOException {
    PayloadStore store = store(1000);

    Optional<Path> spool = store.spoolDirectory();

    spool.ifPresent(dir -> assertThat(dir).isDirectory());
    assertThat(store.spoolDirectory()).as("the same every time").isEqualTo(spool);
  }
}
