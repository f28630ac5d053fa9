package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.payload.FileSystemPayloadStore;
import dev.mcpgateway.payload.PayloadStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The file system store keeps the payload contract, and every file it writes stays under its root. */
class FileSystemPayloadStoreContractTest extends PayloadStoreContract {
  private Path root() {
    return temporaryDirectory.resolve("payloads");
  }

  @Override
  protected PayloadStore newStore(long quotaBytes) throws IOException {
    return FileSystemPayloadStore.builder(root()).quotaBytes(quotaBytes).build();
  }

  @Test
  void everyFileStaysUnderTheRootWhateverTheSessionKey() throws IOException {
    try (PayloadStore store = newStore(1L << 20)) {
      for (String key : List.of("../outside", "/tmp/outside", "..", "a/../../outside")) {
        PayloadStore.StoredPayload stored = store.store(key, out -> out.write(1));
        assertThat(Path.of(stored.location()).normalize()).startsWith(root());
      }
    }

    try (Stream<Path> all = Files.walk(temporaryDirectory)) {
      assertThat(all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)))
          .allSatisfy(file -> assertThat(file).startsWith(root()));
    }
  }
}
