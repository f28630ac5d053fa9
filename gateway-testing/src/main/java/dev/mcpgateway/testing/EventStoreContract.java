package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.stream.EventStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link EventStore} keeps, as JUnit 5 tests: extend it and implement
 * {@link #newStore} with room for at least 100 events per session.
 */
public abstract class EventStoreContract {

  /** For subclasses, one per store implementation. */
  protected EventStoreContract() {
  }

  /**
   * A new, empty store that keeps at least 100 events and 1 MiB per session for at least a minute.
   *
   * @return the store under test
   */
  protected abstract EventStore newStore();

  private static byte[] event(String stream, long sequence) {
    return ("id: " + stream + "_" + sequence + "\ndata: {}\n\n").getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> text(List<byte[]> events) {
    return events.stream().map(e -> new String(e, StandardCharsets.UTF_8).split("\n")[0]).collect(Collectors.toList());
  }

  @Test
  void replaysTheEventsOfOneStreamAfterASequenceInOrder() {
    EventStore store = newStore();
    for (long i = 1; i <= 4; i++) {
      store.append("s1", "1", i, event("1", i));
      store.append("s1", "2", i, event("2", i));
    }
    assertThat(text(store.replay("s1", "1", 2))).containsExactly("id: 1_3", "id: 1_4");
    assertThat(text(store.replay("s1", "2", 0))).containsExactly("id: 2_1", "id: 2_2", "id: 2_3", "id: 2_4");
    assertThat(store.replay("s1", "1", 4)).isEmpty();
  }

  @Test
  void keepsSessionsApartAndForgetsARemovedOne() {
    EventStore store = newStore();
    store.append("a", "1", 1, event("1", 1));
    store.append("b", "1", 1, event("1", 1));
    store.removeSession("a");
    assertThat(store.replay("a", "1", 0)).isEmpty();
    assertThat(store.replay("b", "1", 0)).hasSize(1);
    assertThat(store.replay("unknown", "1", 0)).isEmpty();
  }
}
