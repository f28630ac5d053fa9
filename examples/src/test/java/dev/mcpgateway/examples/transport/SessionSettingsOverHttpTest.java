package dev.mcpgateway.examples.transport;

import static dev.mcpgateway.examples.transport.StreamableHttpProbe.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.await.Await;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.examples.support.NotifyingServer;
import dev.mcpgateway.examples.support.RecordingServer;
import dev.mcpgateway.examples.transport.StreamableHttpProbe.Event;
import dev.mcpgateway.examples.transport.StreamableHttpProbe.SseConnection;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several MCP sessions of one caller share one backend over real HTTP, and what one session
 * sets stays its own: each gets log messages at or above its own level, and resource updates only
 * for what it subscribed to. The backend (a recording {@link NotifyingServer}) is told the most
 * verbose level any session asked for, subscribed once per uri while anyone wants it, and
 * unsubscribed when the last subscriber unsubscribes or ends.
 */
class SessionSettingsOverHttpTest {
  private static final String SERVER = "notes";

  @TempDir
  Path dir;

  private Path record;
  private LoopbackGateway gateway;
  private final List<StreamableHttpProbe> probes = new ArrayList<>();
  private long ids = 100;

  @BeforeEach
  void start() throws Exception {
    record = dir.resolve("received.jsonl");
    gateway = LoopbackGateway.serve(McpGateway.builder(GatewayConfig.builder().server(NotifyingServer.config(SERVER, record)).build())
        .launcher(BackendKind.COMMAND, BackendLauncher.process())
        .build());
  }

  @AfterEach
  void stop() {
    probes.forEach(StreamableHttpProbe::close);
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void oneSessionsQuietLevelDoesNotSilenceAnothersAndEachSessionGetsWhatItsLevelPasses() throws Exception {
    Session info = session();
    Session error = session();
    Session unset = session();

    assertThat(info.setLevel("info").has("result")).isTrue();
    assertThat(error.setLevel("error").has("result")).isTrue();
    info.call("log", "{\"tag\":\"first\"}");

    assertThat(levels(info.until("first"))).containsExactly("info", "notice", "warning", "error", "critical", "alert", "emergency");
    assertThat(levels(error.until("first"))).containsExactly("error", "critical", "alert", "emergency");
    assertThat(levels(unset.until("first"))).as("a session that set no level gets what the backend sends")
        .containsExactly("info", "notice", "warning", "error", "critical", "alert", "emergency");
    assertThat(levelsSetAtBackend()).as("the backend is set once, to the most verbose level asked").containsExactly("info");
  }

  @Test
  void theBackendFollowsTheMostVerboseLevelOfTheSessionsThatRemain() throws Exception {
    Session warning = session();
    Session debug = session();

    warning.setLevel("warning");
    debug.setLevel("debug");
    debug.setLevel("debug"); // the same again: the backend is not told twice
    assertThat(levelsSetAtBackend()).containsExactly("warning", "debug");

    assertThat(debug.probe.delete()).isEqualTo(200);
    Await.until(WAIT, "the backend is set back to warning", this::levelsSetAtBackend, levels -> levels.size() == 3);
    assertThat(levelsSetAtBackend()).containsExactly("warning", "debug", "warning");

    warning.call("log", "{\"tag\":\"after\"}");
    assertThat(levels(warning.until("after"))).containsExactly("warning", "error", "critical", "alert", "emergency");
  }

  @Test
  void aLevelTheBackendRefusesIsAnsweredWithItsErrorAndChangesNothing() throws Exception {
    Session notice = session();
    Session alert = session();
    notice.setLevel("notice");
    assertThat(alert.setLevel("alert").has("result")).as("less verbose than notice: the backend is not asked").isTrue();

    JsonNode refused = notice.setLevel("alert"); // now the backend would have to go quieter, and it refuses
    assertThat(refused.path("error").path("message").asText()).isEqualTo("this server does not log at level alert");
    JsonNode invalid = notice.setLevel("loud");
    assertThat(invalid.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(levelsSetAtBackend()).as("an unknown level never reaches the backend").containsExactly("notice", "alert");

    notice.call("log", "{\"tag\":\"kept\"}");
    assertThat(levels(notice.until("kept"))).as("the refused level left the session's own as it was")
        .containsExactly("notice", "warning", "error", "critical", "alert", "emergency");
    assertThat(levels(alert.until("kept"))).containsExactly("alert", "emergency");
  }

  @Test
  void resourceUpdatesReachOnlyTheirSubscribersAndTheBackendIsSubscribedOncePerUri() throws Exception {
    Session first = session();
    Session second = session();
    Session bystander = session();

    assertThat(first.subscribe("resources/subscribe", "test://x").has("result")).isTrue();
    assertThat(second.subscribe("resources/subscribe", "test://x").has("result")).isTrue();
    assertThat(bystander.subscribe("resources/unsubscribe", "test://x").has("result"))
        .as("unsubscribing from what it never subscribed to succeeds").isTrue();
    assertThat(first.subscribe("resources/subscribe", "test://y").has("result")).isTrue();
    assertThat(backendCalls("resources/subscribe")).containsExactly("test://x", "test://y");
    assertThat(backendCalls("resources/unsubscribe")).isEmpty();

    bystander.call("update", "{\"tag\":\"one\",\"uris\":[\"test://x\",\"test://y\",\"test://z\"]}");
    assertThat(updated(first.until("one"))).containsExactly("test://x", "test://y");
    assertThat(updated(second.until("one"))).containsExactly("test://x");
    assertThat(updated(bystander.until("one"))).as("list_changed still reaches every session; updates only subscribers").isEmpty();

    assertThat(second.subscribe("resources/unsubscribe", "test://x").has("result")).isTrue();
    assertThat(backendCalls("resources/unsubscribe")).as("first still wants test://x").isEmpty();
    bystander.call("update", "{\"tag\":\"two\",\"uris\":[\"test://x\",\"test://y\"]}");
    assertThat(updated(first.until("two"))).containsExactly("test://x", "test://y");
    assertThat(updated(second.until("two"))).isEmpty();

    assertThat(first.probe.delete()).isEqualTo(200);
    Await.until(WAIT, "the backend is unsubscribed from what only the ended session wanted",
        () -> backendCalls("resources/unsubscribe"), uris -> uris.size() == 2);
    assertThat(backendCalls("resources/unsubscribe")).containsExactlyInAnyOrder("test://x", "test://y");
    assertThat(backendCalls("resources/subscribe")).containsExactly("test://x", "test://y");
  }

  @Test
  void aSubscriptionTheBackendRefusesIsAnsweredWithItsErrorAndGetsNoUpdates() throws Exception {
    Session asking = session();
    Session other = session();

    JsonNode refused = asking.subscribe("resources/subscribe", "refused:thing");
    assertThat(refused.path("error").path("message").asText()).isEqualTo("this server does not watch refused:thing");
    assertThat(other.subscribe("resources/subscribe", "test://kept").has("result")).isTrue();
    assertThat(asking.subscribe("resources/unsubscribe", "refused:thing").has("result")).isTrue();
    assertThat(backendCalls("resources/unsubscribe")).as("nothing to undo at the backend").isEmpty();

    other.call("update", "{\"tag\":\"u\",\"uris\":[\"refused:thing\",\"test://kept\"]}");
    assertThat(updated(asking.until("u"))).isEmpty();
    assertThat(updated(other.until("u"))).containsExactly("test://kept");
  }

  @Test
  void aBackendThatReplacesOneThatCrashedIsSetAsItsSessionsNeed() throws Exception {
    Session watching = session();
    Session quiet = session();
    watching.setLevel("warning");
    quiet.setLevel("critical");
    watching.subscribe("resources/subscribe", "test://watched");

    JsonNode crashed = watching.request("tools/call", "{\"name\":\"crash\",\"arguments\":{}}");
    assertThat(crashed.has("error")).as("the call of a backend that exits fails: %s", crashed).isTrue();
    quiet.call("update", "{\"tag\":\"restarted\",\"uris\":[\"test://watched\"]}"); // starts the successor
    Await.until(WAIT, "the successor is set to warning and subscribed again", () -> levelsSetAtBackend().size() == 2
        && backendCalls("resources/subscribe").size() == 2);
    assertThat(levelsSetAtBackend()).containsExactly("warning", "warning");
    assertThat(backendCalls("resources/subscribe")).containsExactly("test://watched", "test://watched");

    assertThat(updated(watching.until("restarted"))).as("the gateway kept the subscription").containsExactly("test://watched");
    assertThat(updated(quiet.until("restarted"))).isEmpty();

    quiet.call("log", "{\"tag\":\"again\"}");
    assertThat(levels(quiet.until("again"))).containsExactly("critical", "alert", "emergency");
    assertThat(levels(watching.until("again"))).containsExactly("warning", "error", "critical", "alert", "emergency");
    quiet.call("update", "{\"tag\":\"watched\",\"uris\":[\"test://watched\"]}");
    assertThat(updated(watching.until("watched"))).containsExactly("test://watched");
    assertThat(updated(quiet.until("watched"))).isEmpty();
  }

  /** One MCP session with its GET stream open. */
  private final class Session {
    final StreamableHttpProbe probe = new StreamableHttpProbe(gateway.url(SERVER));
    final SseConnection stream;

    Session() {
      probes.add(probe);
      probe.initialize("2025-06-18", "{}");
      stream = probe.get(null);
      assertThat(stream.status()).isEqualTo(200);
    }

    JsonNode setLevel(String level) {
      return request("logging/setLevel", "{\"level\":\"" + level + "\"}");
    }

    JsonNode subscribe(String method, String uri) {
      return request(method, "{\"uri\":\"" + uri + "\"}");
    }

    JsonNode call(String tool, String arguments) {
      JsonNode answer = request("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}");
      assertThat(answer.has("result")).as("tools/call %s: %s", tool, answer).isTrue();
      return answer;
    }

    JsonNode request(String method, String params) {
      long id = ids++;
      HttpResponse<String> response = probe.post("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":"
          + params + "}");
      assertThat(response.statusCode()).as("%s: %s", method, response.body()).isEqualTo(200);
      JsonNode answer = StreamableHttpProbe.parse(response.body());
      assertThat(answer.path("id").asLong()).isEqualTo(id);
      return answer;
    }

    /** The messages on the GET stream before the backend's marker {@code tag}, which every session receives. */
    List<JsonNode> until(String tag) {
      List<JsonNode> before = new ArrayList<>();
      while (true) {
        Event event = stream.next(WAIT);
        JsonNode message = event.json();
        if (message.path("method").asText().equals("notifications/resources/list_changed")
            && message.path("params").path("marker").asText().equals(tag)) {
          return before;
        }
        before.add(message);
      }
    }
  }

  private Session session() {
    return new Session();
  }

  private List<String> levelsSetAtBackend() throws IOException {
    return NotifyingServer.requests(record, "logging/setLevel").stream().map(m -> m.path("params").path("level").asText()).toList();
  }

  private List<String> backendCalls(String method) throws IOException {
    return NotifyingServer.requests(record, method).stream().map(m -> m.path("params").path("uri").asText()).toList();
  }

  private static List<String> levels(List<JsonNode> messages) {
    List<String> levels = new ArrayList<>();
    for (JsonNode message : messages) {
      assertThat(message.path("method").asText()).isEqualTo("notifications/message");
      String level = message.path("params").path("level").asText();
      assertThat(message.path("params").path("data").asText()).startsWith(level + " ");
      levels.add(level);
    }
    return levels;
  }

  private static List<String> updated(List<JsonNode> messages) {
    List<String> uris = new ArrayList<>();
    for (JsonNode message : messages) {
      assertThat(message.path("method").asText()).isEqualTo("notifications/resources/updated");
      uris.add(message.path("params").path("uri").asText());
    }
    return uris;
  }
}
