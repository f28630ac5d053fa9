package dev.mcpgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.session.CaffeineSessionStore;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The serializing store keeps the contract around the default store, and never hands back an instance it was given. */
class SerializingSessionStoreContractTest extends SessionStoreContract {
  @Override
  protected SessionStore newStore(Duration idleTimeout, int maximumSessions, LongSupplier ticker) {
    return new SerializingSessionStore.Wrapper().apply(
        CaffeineSessionStore.builder().idleTimeout(idleTimeout).maximumSessions(maximumSessions).ticker(ticker).build());
  }

  @Test
  void handsOutAFreshEqualCopyEveryTime() {
    try (SessionStore store = newStore(Duration.ofMinutes(30), 10, System::nanoTime)) {
      List<McpSession> removed = new ArrayList<>();
      store.onRemoval((session, cause) -> removed.add(session));
      McpSession session = TestSessions.of("a", "k");
      store.add(session);

      McpSession first = store.get(session.id()).orElseThrow();
      McpSession second = store.get(session.id()).orElseThrow();
      McpSession listed = store.sessions().iterator().next();
      store.remove(session.id());

      assertThat(List.of(first, second, listed, removed.get(0))).allSatisfy(copy -> assertThat(copy)
          .isEqualTo(session).isNotSameAs(session));
      assertThat(first).isNotSameAs(second).isNotSameAs(listed);
    }
  }

  @Test
  void aValueThatDoesNotSurviveJsonMakesAnUnequalRecord() {
    try (SessionStore store = newStore(Duration.ofMinutes(30), 10, System::nanoTime)) {
      store.onRemoval((session, cause) -> {});
      McpSession plain = TestSessions.of("a", "k");
      McpSession decimal = new McpSession(plain.id(), plain.callerDigest(), plain.server(), plain.protocolVersion(),
          Map.of("precision", new BigDecimal("1.10")), plain.clientInfo(), plain.isolation(),
          plain.createdAt());
      store.add(decimal);

      assertThat(store.get(plain.id()).orElseThrow()).isNotEqualTo(decimal);
    }
  }
}
