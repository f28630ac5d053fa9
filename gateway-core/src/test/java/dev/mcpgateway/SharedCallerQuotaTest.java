package dev.mcpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.testsupport.StdioTestServer;
import dev.mcpgateway.testsupport.TestClient;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A store shared by replicas counts a caller's sessions on all of them: the gateway passes it the
 * per-caller maximum, and its refusal is the answer a gateway on its own gives.
 */
class SharedCallerQuotaTest {
  private McpGateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  /** A store that counts, besides its own sessions, those that other replicas hold of the caller. */
  private static final class ReplicatedStore implements SessionStore {
    private final SessionStore delegate = SessionStore.caffeine(Duration.ofMinutes(30), 100);
    volatile int heldElsewhere;
    final List<Integer> maxima = new CopyOnWriteArrayList<>();

    @Override
    public AddResult add(McpSession session, int maxPerCaller) {
      maxima.add(maxPerCaller);
      long mine = sessions().stream().filter(s -> s.callerDigest().equals(session.callerDigest())).count();
      if (mine + heldElsewhere >= maxPerCaller) {
        return AddResult.CALLER_FULL;
      }
      return add(session) ? AddResult.ADDED : AddResult.FULL;
    }

    @Override
    public void onRemoval(RemovalListener listener) {
      delegate.onRemoval(listener);
    }

    @Override
    public boolean add(McpSession session) {
      return delegate.add(session);
    }

    @Override
    public Optional<McpSession> get(String sessionId) {
      return delegate.get(sessionId);
    }

    @Override
    public boolean update(McpSession session) {
      return delegate.update(session);
    }

    @Override
    public void remove(String sessionId) {
      delegate.remove(sessionId);
    }

    @Override
    public Collection<McpSession> sessions() {
      return delegate.sessions();
    }

    @Override
    public int size() {
      return delegate.size();
    }

    @Override
    public void cleanUp() {
      delegate.cleanUp();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private McpGateway gateway(int maxSessionsPerCaller, int maxSessions, SessionStore store) {
    List<String> command = StdioTestServer.commandLine();
    GatewayConfig config = GatewayConfig.builder().maxSessions(maxSessions).maxSessionsPerCaller(maxSessionsPerCaller)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test")).build();
    gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, BackendLauncher.process()).sessionStore(store).build();
    return gateway;
  }

  @Test
  void theStoresRefusalOfACallerIsThe429OfAGatewayOnItsOwn() {
    ReplicatedStore store = new ReplicatedStore();
    McpGateway gw = gateway(2, 100, store);
    store.heldElsewhere = 1;
    new TestClient(gw, "test", "k").initialize();

    GatewayResponse refused = new TestClient(gw, "test", "k")
        .post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}");

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.bodyText()).contains("too many MCP sessions for '").contains("at most 2 at once");
    assertThat(store.maxima).containsOnly(2);
    store.heldElsewhere = 0; // the other replica's session ended: the refusal held nothing back here
    new TestClient(gw, "test", "k").initialize();
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void aShareAsLargeAsTheMaximumIsNoLimitForTheStore() {
    ReplicatedStore store = new ReplicatedStore();
    McpGateway gw = gateway(100, 100, store);
    new TestClient(gw, "test", "k").initialize();

    assertThat(store.maxima).containsExactly(Integer.MAX_VALUE);
  }
}
