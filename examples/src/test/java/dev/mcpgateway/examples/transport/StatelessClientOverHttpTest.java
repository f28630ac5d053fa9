package dev.mcpgateway.examples.transport;

import static dev.mcpgateway.examples.support.StatelessClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.examples.runner.LoopbackGateway;
import dev.mcpgateway.examples.support.AskingServer;
import dev.mcpgateway.examples.support.McpHttp;
import dev.mcpgateway.examples.support.StatelessClient;
import dev.mcpgateway.examples.support.StatelessClient.Answer;
import dev.mcpgateway.examples.support.StatelessClient.Outcome;
import dev.mcpgateway.testsupport.NodeTools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-written client of protocol revision 2026-07-28 ({@link StatelessClient}) over real HTTP
 * through the standalone runner to {@code @modelcontextprotocol/server-everything} on stdio, a
 * server of the session-based revisions: discovery, lists with caching hints, the server's
 * elicitation and sampling requests as multi-round-trip requests answered by the client, what a
 * request that declares no capability gets, and progress on the request's own SSE stream.
 *
 * <p>server-everything registers its elicitation and sampling tools only for a client that
 * declared those capabilities in {@code initialize}; the gateway initializes the backend of a
 * stateless client with exactly the capabilities its request declares, so what a request may
 * call depends on what it declares.
 */
class StatelessClientOverHttpTest {
  private static final String ELICITATION_TOOL = "trigger-elicitation-request";
  private static final String SAMPLING_TOOL = "trigger-sampling-request";
  private static final String PROGRESS_TOOL = "trigger-long-running-operation";

  private static LoopbackGateway gateway;
  private static StatelessClient client;

  @BeforeAll
  static void startGateway() throws Exception {
    NodeTools.assumeNode();
    gateway = LoopbackGateway.start(GatewayConfig.builder()
        .server(NodeTools.serverEverything().serverConfig().build("everything"))
        .build());
    client = new StatelessClient(gateway.url("everything"));
  }

  @AfterAll
  static void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void discoverNamesTheRevisionTheServersCapabilitiesAndItsIdentity() {
    Answer answer = client.discover();

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Mcp-Session-Id")).isNull();
    JsonNode result = answer.result();
    assertThat(result.path("resultType").asText()).isEqualTo("complete");
    assertThat(texts(result.path("supportedVersions"))).contains(StatelessClient.VERSION);
    assertThat(result.path("capabilities").path("tools").isObject()).isTrue();
    assertThat(result.path("capabilities").path("prompts").isObject()).isTrue();
    assertThat(result.path("capabilities").path("resources").isObject()).isTrue();
    assertThat(result.path("_meta").path(StatelessClient.META_SERVER_INFO).path("name").asText())
        .contains("everything");
    assertThat(result.path("ttlMs").canConvertToLong()).isTrue();
    assertThat(result.path("cacheScope").asText()).isIn("public", "private");
  }

  @Test
  void toolsListIsCompleteWithCachingHintsAndShowsWhatTheDeclaredCapabilitiesUnlock() {
    Answer plain = client.request("tools/list", json("{}"));
    Answer eliciting = client.withCapabilities(json("{\"elicitation\":{}}")).request("tools/list", json("{}"));

    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.header("Mcp-Session-Id")).isNull();
    JsonNode result = plain.result();
    assertThat(result.path("resultType").asText()).isEqualTo("complete");
    assertThat(result.path("ttlMs").isIntegralNumber()).isTrue();
    assertThat(result.path("ttlMs").asLong()).isNotNegative();
    assertThat(result.path("cacheScope").asText()).isIn("public", "private");
    assertThat(result.path("_meta").path(StatelessClient.META_SERVER_INFO).path("name").asText()).contains("everything");
    assertThat(McpHttp.toolNames(result)).contains("echo", PROGRESS_TOOL).doesNotContain(ELICITATION_TOOL, SAMPLING_TOOL);
    assertThat(McpHttp.toolNames(eliciting.result())).contains("echo", ELICITATION_TOOL).doesNotContain(SAMPLING_TOOL);
  }

  @Test
  void elicitationBecomesAnInputRequestAndTheAcceptedAnswerReachesTheTool() {
    StatelessClient eliciting = client.withCapabilities(json("{\"elicitation\":{}}"));
    List<JsonNode> asked = new ArrayList<>();

    Outcome outcome = eliciting.call("tools/call", toolCall(ELICITATION_TOOL, "{}"), (key, method, params) -> {
      asked.add(json("{\"key\":\"" + key + "\",\"method\":\"" + method + "\"}"));
      asked.add(params);
      return json("{\"action\":\"accept\",\"content\":{\"name\":\"Ada Lovelace\",\"check\":true,"
          + "\"email\":\"ada@example.com\",\"integer\":7}}");
    });

    assertThat(outcome.rounds()).hasSize(2);
    Answer first = outcome.rounds().get(0);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.result().path("inputRequests").size()).isEqualTo(1);
    assertThat(first.result().path("requestState").asText()).isNotEmpty();
    assertThat(asked.get(0).path("method").asText()).isEqualTo("elicitation/create");
    JsonNode request = asked.get(1);
    assertThat(request.path("message").asText()).contains("Please provide inputs");
    JsonNode schema = request.path("requestedSchema");
    assertThat(texts(schema.path("required"))).containsExactly("name");
    assertThat(schema.path("properties").path("name").path("type").asText()).isEqualTo("string");
    assertThat(schema.path("properties").path("check").path("type").asText()).isEqualTo("boolean");
    assertThat(schema.path("properties").path("email").path("format").asText()).isEqualTo("email");
    assertThat(schema.path("properties").path("integer").path("type").asText()).isEqualTo("integer");

    Answer last = outcome.last();
    assertThat(last.status()).isEqualTo(200);
    assertThat(last.resultType()).isEqualTo("complete");
    assertThat(last.result().path("isError").asBoolean()).isFalse();
    assertThat(last.result().path("_meta").path(StatelessClient.META_SERVER_INFO).path("name").asText()).contains("everything");
    assertThat(text(last.result())).contains("User provided the requested information", "Name: Ada Lovelace",
        "Agreed to terms: true", "Email: ada@example.com", "Favorite Integer: 7");
    // each round is a request of its own, answered under its own id
    assertThat(first.requestId()).isNotEqualTo(last.requestId());
    assertThat(first.message().path("id").asLong()).isEqualTo(first.requestId());
    assertThat(last.message().path("id").asLong()).isEqualTo(last.requestId());
  }

  @Test
  void aDeclinedElicitationReachesTheToolAsADecline() {
    StatelessClient eliciting = client.withCapabilities(json("{\"elicitation\":{}}"));

    Outcome outcome = eliciting.call("tools/call", toolCall(ELICITATION_TOOL, "{}"),
        (key, method, params) -> json("{\"action\":\"decline\"}"));

    assertThat(outcome.inputRounds()).hasSize(1);
    assertThat(outcome.last().resultType()).isEqualTo("complete");
    assertThat(text(outcome.last().result())).contains("User declined to provide the requested information")
        .doesNotContain("User inputs");
  }

  @Test
  void twoCallsWaitingForInputAtOnceEachGetTheirOwnAnswer() {
    StatelessClient eliciting = client.withCapabilities(json("{\"elicitation\":{}}"));
    JsonNode params = toolCall(ELICITATION_TOOL, "{}");

    Answer first = eliciting.request("tools/call", params);
    Answer second = eliciting.request("tools/call", params);
    assertThat(first.inputRequired()).isTrue();
    assertThat(second.inputRequired()).isTrue();
    assertThat(first.result().path("requestState").asText()).isNotEqualTo(second.result().path("requestState").asText());

    // answered in the other order: a state names its own call, whatever else is waiting
    Answer secondDone = eliciting.request("tools/call", StatelessClient.retryParams(params, second.result(),
        (key, method, request) -> json("{\"action\":\"accept\",\"content\":{\"name\":\"Grace Hopper\"}}")));
    Answer firstDone = eliciting.request("tools/call", StatelessClient.retryParams(params, first.result(),
        (key, method, request) -> json("{\"action\":\"accept\",\"content\":{\"name\":\"Ada Lovelace\"}}")));

    assertThat(secondDone.resultType()).isEqualTo("complete");
    assertThat(text(secondDone.result())).contains("Name: Grace Hopper").doesNotContain("Ada");
    assertThat(firstDone.resultType()).isEqualTo("complete");
    assertThat(text(firstDone.result())).contains("Name: Ada Lovelace").doesNotContain("Grace");
  }

  @Test
  void samplingBecomesAnInputRequestAndTheClientsMessageReachesTheTool() {
    StatelessClient sampling = client.withCapabilities(json("{\"sampling\":{}}"));
    List<JsonNode> asked = new ArrayList<>();

    Outcome outcome = sampling.call("tools/call", toolCall(SAMPLING_TOOL, "{\"prompt\":\"a haiku about gateways\",\"maxTokens\":40}"),
        (key, method, params) -> {
          assertThat(method).isEqualTo("sampling/createMessage");
          asked.add(params);
          return json("{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"requests cross the bridge\"},"
              + "\"model\":\"stateless-client-model\",\"stopReason\":\"endTurn\"}");
        });

    assertThat(outcome.inputRounds()).hasSize(1);
    assertThat(asked).hasSize(1);
    assertThat(asked.get(0).path("maxTokens").asInt()).isEqualTo(40);
    assertThat(asked.get(0).path("messages").path(0).path("content").path("text").asText()).contains("a haiku about gateways");
    Answer last = outcome.last();
    assertThat(last.resultType()).isEqualTo("complete");
    assertThat(text(last.result())).contains("LLM sampling result", "requests cross the bridge", "stateless-client-model");
  }

  @Test
  void theElicitationToolWithoutTheCapabilityIsUnknownToTheServer() {
    // The gateway answers -32021 when a backend sends a server request the client did not
    // declare (next test). With the default backend sharing the request never gets there: the
    // backend of a request that declares no elicitation is initialized without it, so
    // server-everything has no such tool, and its SDK answers the call of an unknown tool with
    // an error result; no elicitation/create is ever sent.
    Answer answer = client.request("tools/call", toolCall(ELICITATION_TOOL, "{}"));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.message().path("id").asLong()).isEqualTo(answer.requestId());
    assertThat(answer.error()).isNull();
    assertThat(answer.resultType()).isEqualTo("complete");
    assertThat(answer.result().path("isError").asBoolean()).isTrue();
    assertThat(text(answer.result())).contains("-32602", "Tool " + ELICITATION_TOOL + " not found");
  }

  @Test
  void withSingleSharingARequestThatDeclaresLessStillGetsABackendOfItsCapabilities() throws Exception {
    // One backend per caller and declared capability set: a request that declares no elicitation
    // never reaches the backend another request started with elicitation, so server-everything
    // never sends elicitation/create to a client that cannot answer it. (A backend that sends a
    // request for an undeclared capability anyway ends the call with -32021: the conformance
    // suite's test_missing_capability and gateway-core's StatelessRevisionTest show it.)
    try (LoopbackGateway single = LoopbackGateway.start(GatewayConfig.builder()
        .server(NodeTools.serverEverything().serverConfig().backendSharing(ServerConfig.BackendSharing.SINGLE).build("everything"))
        .build())) {
      StatelessClient plain = new StatelessClient(single.url("everything"));
      Answer listed = plain.withCapabilities(json("{\"elicitation\":{}}")).request("tools/list", json("{}"));
      assertThat(McpHttp.toolNames(listed.result())).contains(ELICITATION_TOOL);

      Answer answer = plain.request("tools/call", toolCall(ELICITATION_TOOL, "{}"));

      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.result().path("isError").asBoolean()).isTrue();
      assertThat(text(answer.result())).contains("Tool " + ELICITATION_TOOL + " not found");
      assertThat(McpHttp.toolNames(plain.request("tools/list", json("{}")).result())).doesNotContain(ELICITATION_TOOL);
    }
  }

  @Test
  void progressOfALongCallArrivesOnTheRequestsOwnStreamBeforeItsResult() {
    List<String> seen = new ArrayList<>();

    Answer answer = client.request("tools/call",
        json("{\"name\":\"" + PROGRESS_TOOL + "\",\"arguments\":{\"duration\":0.3,\"steps\":3},"
            + "\"_meta\":{\"progressToken\":\"stateless-progress\"}}"),
        notification -> seen.add(notification.path("method").asText() + " " + notification.path("params").path("progress").asInt()));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.streamed()).isTrue();
    assertThat(answer.header("Content-Type")).startsWith("text/event-stream");
    assertThat(answer.header("X-Accel-Buffering")).isEqualTo("no");
    assertThat(seen).containsExactly("notifications/progress 1", "notifications/progress 2", "notifications/progress 3");
    for (JsonNode progress : answer.notifications()) {
      assertThat(progress.path("params").path("progressToken").asText()).isEqualTo("stateless-progress");
      assertThat(progress.path("params").path("total").asInt()).isEqualTo(3);
    }
    assertThat(answer.resultType()).isEqualTo("complete");
    assertThat(text(answer.result())).contains("Long running operation completed", "Steps: 3");
  }

  /**
   * A call whose result arrives while it waits for the client's input must still end with that
   * result: here a tool sends {@code sampling/createMessage}, the client gets it as an input
   * request, and the tool returns before the client answered (as server-everything does when
   * its SDK's 60 s timeout of {@code sampling/createMessage} passes while a user thinks, or when
   * its {@code roots/list} on a timer after {@code initialize} joins a call that waits for
   * input). The backend is {@link AskingServer}, whose {@code hold} call is answered when another
   * call, {@code release}, says so, before that call's own answer; the two calls share the
   * caller's one backend ({@link ServerConfig.BackendSharing#SINGLE}).
   *
   * <p>Fails while the gateway drops a result that arrives while its call is parked
   * ({@code BridgeExchange.answer} finds no current request to answer): the retry is refused
   * with HTTP 400, -32602 "the call this requestState continues has ended (it finished, was
   * cancelled, or waited too long); send the request again", and the tool's result is lost (a
   * tool with side effects would run twice). Passes once such a result is kept and answers the
   * call's next retry.
   */
  @Test
  void aResultThatArrivesWhileTheCallWaitsForInputReachesTheClientOnItsRetry(@TempDir Path dir) throws Exception {
    try (LoopbackGateway asking = LoopbackGateway.start(GatewayConfig.builder()
        .server(AskingServer.config("ask", dir.resolve("received.jsonl")).toBuilder()
            .backendSharing(ServerConfig.BackendSharing.SINGLE).build("ask"))
        .build())) {
      StatelessClient sampling = new StatelessClient(asking.url("ask")).withCapabilities(json("{\"sampling\":{}}"));
      JsonNode hold = toolCall("hold", "{}");

      Answer held = sampling.request("tools/call", hold);
      assertThat(held.inputRequired()).as("%s", held.message()).isTrue();
      Answer released = sampling.request("tools/call", toolCall("release", "{}"));
      assertThat(text(released.result())).isEqualTo("released 1");

      Answer retry = sampling.request("tools/call", StatelessClient.retryParams(hold, held.result(),
          (key, method, params) -> json("{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"late\"},"
              + "\"model\":\"m\",\"stopReason\":\"endTurn\"}")));

      assertThat(retry.error()).as("the retry of a call whose result arrived while it waited: %s", retry.message()).isNull();
      assertThat(retry.status()).isEqualTo(200);
      assertThat(retry.resultType()).isEqualTo("complete");
      assertThat(text(retry.result())).matches("released ask-\\d+ unanswered");
    }
  }

  private static JsonNode toolCall(String tool, String arguments) {
    return json("{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}");
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static String text(JsonNode callToolResult) {
    return StreamSupport.stream(callToolResult.path("content").spliterator(), false)
        .map(c -> c.path("text").asText())
        .collect(Collectors.joining("\n"));
  }
}
