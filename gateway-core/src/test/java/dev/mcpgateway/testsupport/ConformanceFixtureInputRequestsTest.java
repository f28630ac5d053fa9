package dev.mcpgateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance fixture's tools for the 2026-07-28 scenarios, driven over stdio the way a
 * gateway bridging to 2026 clients drives them: the fixture sends its server-to-client requests
 * with string ids (the input keys the scenarios expect), one round at once, and goes on when
 * every request of the round is answered. See docs/conformance.md.
 */
class ConformanceFixtureInputRequestsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private NodeProcess fixture;
  private Driver driver;

  @AfterEach
  void stopFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void listsTheToolsPromptAndResourceOfThe2026Scenarios() throws IOException {
    start(allCapabilities());

    assertThat(names(driver.call("tools/list", JSON.createObjectNode()).path("result").path("tools")))
        .contains("test_input_required_result_elicitation", "test_input_required_result_sampling",
            "test_input_required_result_list_roots", "test_input_required_result_request_state",
            "test_input_required_result_multiple_inputs", "test_input_required_result_multi_round",
            "test_input_required_result_tampered_state", "test_input_required_result_capabilities",
            "test_missing_capability", "test_streaming_elicitation", "test_logging_tool",
            "test_trigger_tool_change", "test_trigger_prompt_change", "test_trigger_resource_update");
    assertThat(names(driver.call("prompts/list", JSON.createObjectNode()).path("result").path("prompts")))
        .contains("test_input_required_result_prompt");
    assertThat(driver.call("resources/list", JSON.createObjectNode()).path("result").path("resources").findValuesAsText("uri"))
        .contains("test://watched-resource", "test://input-required-resource");
    assertThat(driver.initializeResult().path("capabilities").path("tools").path("listChanged").asBoolean()).isTrue();
    assertThat(driver.initializeResult().path("capabilities").path("prompts").path("listChanged").asBoolean()).isTrue();
  }

  @Test
  void eachSingleInputToolAsksWithItsInputKeyAndAnswersWithTheInput() throws IOException {
    start(allCapabilities());

    assertThat(text(driver.callTool("test_input_required_result_elicitation",
        Map.of("user_name", accept("name", "Alice"))))).isEqualTo("Hello, Alice!");
    assertThat(text(driver.callTool("test_input_required_result_sampling",
        Map.of("capital_question", sampled("The capital of France is Paris.")))))
        .isEqualTo("Sampling result: The capital of France is Paris.");
    assertThat(text(driver.callTool("test_input_required_result_list_roots", Map.of("client_roots", roots()))))
        .isEqualTo("Found 1 root(s): file:///test/root");
    assertThat(text(driver.callTool("test_input_required_result_request_state", Map.of("confirm", accept("ok", true)))))
        .startsWith("state-ok");
    assertThat(text(driver.callTool("test_input_required_result_tampered_state", Map.of("confirm", accept("ok", true)))))
        .startsWith("integrity-ok");
    assertThat(text(driver.callTool("test_streaming_elicitation", Map.of("streaming_confirm", accept("ok", true)))))
        .isEqualTo("Streaming complete (confirmed: true)");
  }

  @Test
  void theElicitationRequestCarriesTheScenariosMessageAndSchema() throws IOException {
    start(allCapabilities());
    int id = driver.send("tools/call", toolParams("test_input_required_result_elicitation"));

    JsonNode request = driver.serverRequest("user_name");

    assertThat(request.path("method").asText()).isEqualTo("elicitation/create");
    assertThat(request.path("params").path("message").asText()).isEqualTo("What is your name?");
    assertThat(request.path("params").path("requestedSchema").path("required").toString()).isEqualTo("[\"name\"]");
    driver.answer("user_name", accept("name", "Bob"));
    assertThat(text(driver.response(id))).isEqualTo("Hello, Bob!");
  }

  @Test
  void multipleInputsGoOutAsOneRoundAndTheCallWaitsForEveryAnswer() throws IOException {
    start(allCapabilities());
    int id = driver.send("tools/call", toolParams("test_input_required_result_multiple_inputs"));

    JsonNode name = driver.serverRequest("user_name");
    JsonNode greeting = driver.serverRequest("greeting");
    JsonNode clientRoots = driver.serverRequest("client_roots");
    driver.answer("user_name", accept("name", "Alice"));
    driver.answer("greeting", sampled("Hello there!"));
    driver.ping();

    assertThat(List.of(name.path("method").asText(), greeting.path("method").asText(), clientRoots.path("method").asText()))
        .containsExactly("elicitation/create", "sampling/createMessage", "roots/list");
    assertThat(driver.hasResponse(id)).as("a result before the last answer").isFalse();
    driver.answer("client_roots", roots());
    assertThat(text(driver.response(id))).isEqualTo("Name: Alice; Greeting: Hello there!; Roots: 1");
  }

  @Test
  void multiRoundAsksTheSecondStepOnlyOnceTheFirstIsAnswered() throws IOException {
    start(allCapabilities());
    int id = driver.send("tools/call", toolParams("test_input_required_result_multi_round"));

    assertThat(driver.serverRequest("step1").path("params").path("message").asText()).isEqualTo("Step 1: What is your name?");
    driver.ping();
    assertThat(driver.hasServerRequest("step2")).as("step2 before step1 is answered").isFalse();
    driver.answer("step1", accept("name", "Alice"));
    assertThat(driver.serverRequest("step2").path("params").path("message").asText())
        .isEqualTo("Step 2: What is your favorite color?");
    driver.answer("step2", accept("color", "blue"));

    assertThat(text(driver.response(id))).isEqualTo("Multi-round complete for Alice who likes blue");
  }

  @Test
  void aPromptAndAResourceAskForInputToo() throws IOException {
    start(allCapabilities());

    int prompt = driver.send("prompts/get", JSON.createObjectNode().put("name", "test_input_required_result_prompt"));
    assertThat(driver.serverRequest("user_context").path("method").asText()).isEqualTo("elicitation/create");
    driver.answer("user_context", accept("context", "test context"));
    assertThat(driver.response(prompt).path("result").path("messages").path(0).path("content").path("text").asText())
        .isEqualTo("Prompt with context: test context");

    int read = driver.send("resources/read", JSON.createObjectNode().put("uri", "test://input-required-resource"));
    assertThat(driver.serverRequest("resource_confirm").path("method").asText()).isEqualTo("elicitation/create");
    driver.answer("resource_confirm", accept("ok", true));
    assertThat(driver.response(read).path("result").path("contents").path(0).path("text").asText())
        .isEqualTo("Input-required resource content (confirmed: true)");
  }

  @Test
  void capabilitiesToolAsksOnlyForWhatTheClientDeclared() throws IOException {
    ObjectNode samplingOnly = JSON.createObjectNode();
    samplingOnly.putObject("sampling");
    start(samplingOnly);
    int id = driver.send("tools/call", toolParams("test_input_required_result_capabilities"));

    driver.serverRequest("sample_input");
    driver.ping();

    assertThat(driver.serverRequestIds()).containsExactly("sample_input");
    driver.answer("sample_input", sampled("sampled"));
    assertThat(text(driver.response(id))).isEqualTo("capabilities-ok: received sample_input");
  }

  @Test
  void missingCapabilityToolAsksForSamplingAnywayAndFailsWithTheRefusal() throws IOException {
    start(JSON.createObjectNode());
    int id = driver.send("tools/call", toolParams("test_missing_capability"));

    assertThat(driver.serverRequest("missing_capability_sample").path("method").asText()).isEqualTo("sampling/createMessage");
    driver.answerError("missing_capability_sample", -32021, "the client did not declare sampling");

    JsonNode error = driver.response(id).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(-32021);
    assertThat(error.path("message").asText()).contains("the client did not declare sampling");
  }

  @Test
  void otherInputToolsReportACapabilityTheClientDidNotDeclareWithoutAsking() throws IOException {
    start(JSON.createObjectNode());

    JsonNode result = driver.call("tools/call", toolParams("test_input_required_result_elicitation")).path("result");

    assertThat(result.path("isError").asBoolean()).isTrue();
    assertThat(text(result)).isEqualTo("The client does not support elicitation");
    assertThat(driver.serverRequestIds()).isEmpty();
  }

  @Test
  void anAnswerThatIsNotAValidResultFailsTheCallWithInvalidParams() throws IOException {
    start(allCapabilities());
    int id = driver.send("tools/call", toolParams("test_input_required_result_elicitation"));
    driver.serverRequest("user_name");

    driver.answer("user_name", JSON.createObjectNode().put("unexpected", 1));

    assertThat(driver.response(id).path("error").path("code").asInt()).isEqualTo(-32602);
  }

  @Test
  void aCancelledCallWithdrawsItsRequests() throws IOException {
    start(allCapabilities());
    int id = driver.send("tools/call", toolParams("test_input_required_result_elicitation"));
    driver.serverRequest("user_name");

    driver.notify("notifications/cancelled", JSON.createObjectNode().put("requestId", id).put("reason", "gone"));

    JsonNode withdrawn = driver.notification("notifications/cancelled");
    assertThat(withdrawn.path("params").path("requestId").asText()).isEqualTo("user_name");
    assertThat(withdrawn.path("params").path("reason").asText()).contains("cancelled");
  }

  @Test
  void aNewerRequestWithTheSameIdSupersedesTheWaitingOne() throws IOException {
    start(allCapabilities());
    int first = driver.send("tools/call", toolParams("test_input_required_result_elicitation"));
    driver.serverRequest("user_name");

    int second = driver.send("tools/call", toolParams("test_input_required_result_elicitation"));

    assertThat(driver.notification("notifications/cancelled").path("params").path("requestId").asText()).isEqualTo("user_name");
    driver.serverRequest("user_name");
    assertThat(driver.response(first).path("error").path("message").asText()).contains("superseded");
    driver.answer("user_name", accept("name", "Carol"));
    assertThat(text(driver.response(second))).isEqualTo("Hello, Carol!");
  }

  @Test
  void loggingToolLogsOnceAndTriggersChangeListsAndSendTheirNotifications() throws IOException {
    start(allCapabilities());

    int logging = driver.send("tools/call", toolParams("test_logging_tool"));
    assertThat(driver.notification("notifications/message").path("params").path("level").asText()).isEqualTo("info");
    assertThat(text(driver.response(logging))).isEqualTo("Logging evaluated");

    driver.call("tools/call", toolParams("test_trigger_tool_change"));
    driver.notification("notifications/tools/list_changed");
    assertThat(names(driver.call("tools/list", JSON.createObjectNode()).path("result").path("tools"))).contains("test_dynamic_tool");
    driver.call("tools/call", toolParams("test_trigger_tool_change"));
    driver.notification("notifications/tools/list_changed");
    assertThat(names(driver.call("tools/list", JSON.createObjectNode()).path("result").path("tools")))
        .doesNotContain("test_dynamic_tool");

    driver.call("tools/call", toolParams("test_trigger_prompt_change"));
    driver.notification("notifications/prompts/list_changed");
    assertThat(names(driver.call("prompts/list", JSON.createObjectNode()).path("result").path("prompts")))
        .contains("test_dynamic_prompt");

    driver.call("resources/subscribe", JSON.createObjectNode().put("uri", "test://watched-resource"));
    driver.call("tools/call", toolParams("test_trigger_resource_update"));
    assertThat(driver.notification("notifications/resources/updated").path("params").path("uri").asText())
        .isEqualTo("test://watched-resource");
  }

  @Test
  void anUnknownResourceIsAnErrorNamingItsUri() throws IOException {
    start(allCapabilities());

    JsonNode error = driver.call("resources/read", JSON.createObjectNode().put("uri", "test://nonexistent")).path("error");

    assertThat(error.path("code").asInt()).isEqualTo(-32002);
    assertThat(error.path("data").path("uri").asText()).isEqualTo("test://nonexistent");
  }

  private void start(ObjectNode capabilities) throws IOException {
    NodeTools.assumeNode();
    fixture = NodeTools.conformanceFixture().start();
    driver = new Driver(fixture);
    driver.initialize(capabilities);
  }

  private static ObjectNode allCapabilities() {
    ObjectNode capabilities = JSON.createObjectNode();
    capabilities.putObject("elicitation");
    capabilities.putObject("sampling");
    capabilities.putObject("roots").put("listChanged", true);
    return capabilities;
  }

  private static ObjectNode toolParams(String name) {
    ObjectNode params = JSON.createObjectNode().put("name", name);
    params.putObject("arguments");
    return params;
  }

  private static ObjectNode accept(String field, Object value) {
    ObjectNode result = JSON.createObjectNode().put("action", "accept");
    result.putObject("content").set(field, JSON.valueToTree(value));
    return result;
  }

  private static ObjectNode sampled(String text) {
    ObjectNode result = JSON.createObjectNode().put("role", "assistant").put("model", "test-model").put("stopReason", "endTurn");
    result.putObject("content").put("type", "text").put("text", text);
    return result;
  }

  private static ObjectNode roots() {
    ObjectNode result = JSON.createObjectNode();
    result.putArray("roots").addObject().put("uri", "file:///test/root").put("name", "Test Root");
    return result;
  }

  /** The first text content of a result, or of the result of a response. */
  private static String text(JsonNode resultOrResponse) {
    JsonNode result = resultOrResponse.has("result") ? resultOrResponse.get("result") : resultOrResponse;
    assertThat(result.path("content").isArray()).as("a result with content: %s", resultOrResponse).isTrue();
    return result.path("content").path(0).path("text").asText();
  }

  private static List<String> names(JsonNode items) {
    List<String> names = new ArrayList<>();
    items.forEach(item -> names.add(item.path("name").asText()));
    return names;
  }

  /**
   * The client side of a stdio connection to the fixture, reading every message it sends: a
   * message that is not the one waited for is kept for a later wait. Not thread-safe.
   */
  private static final class Driver {
    private final NodeProcess process;
    private final List<JsonNode> unread = new ArrayList<>();
    private final List<String> serverRequestIds = new ArrayList<>();
    private int nextId = 1;
    private JsonNode initializeResult;

    Driver(NodeProcess process) {
      this.process = process;
    }

    void initialize(ObjectNode capabilities) {
      ObjectNode params = JSON.createObjectNode().put("protocolVersion", StdioJson.PROTOCOL_VERSION);
      params.set("capabilities", capabilities);
      params.putObject("clientInfo").put("name", "gateway-test").put("version", "1.0.0");
      initializeResult = call("initialize", params).path("result");
      notify("notifications/initialized", null);
    }

    JsonNode initializeResult() {
      return initializeResult;
    }

    /** Sends a request with the next numeric id and returns the id. */
    int send(String method, JsonNode params) {
      int id = nextId++;
      ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
      if (params != null) {
        message.set("params", params);
      }
      process.send(message.toString());
      return id;
    }

    /** Sends a request and waits for its response. */
    JsonNode call(String method, JsonNode params) {
      return response(send(method, params));
    }

    void notify(String method, JsonNode params) {
      ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
      if (params != null) {
        message.set("params", params);
      }
      process.send(message.toString());
    }

    /** Calls a tool, answers each request it sends (one at a time, by id), and returns the response. */
    JsonNode callTool(String name, Map<String, JsonNode> answers) {
      int id = send("tools/call", toolParams(name));
      for (Map.Entry<String, JsonNode> answer : answers.entrySet()) {
        serverRequest(answer.getKey());
        answer(answer.getKey(), answer.getValue());
      }
      return response(id);
    }

    void answer(String requestId, JsonNode result) {
      ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", requestId);
      message.set("result", result);
      process.send(message.toString());
    }

    void answerError(String requestId, int code, String text) {
      ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", requestId);
      message.putObject("error").put("code", code).put("message", text);
      process.send(message.toString());
    }

    /**
     * Sends a ping and waits for its answer: the fixture handles messages in order, so what it
     * sent in reply to earlier messages without waiting for more input is read by then.
     */
    void ping() {
      call("ping", null);
    }

    JsonNode response(int id) {
      return take(m -> m.path("id").isInt() && m.path("id").asInt() == id && !m.has("method"));
    }

    JsonNode serverRequest(String id) {
      return take(m -> m.path("id").isTextual() && m.path("id").asText().equals(id) && m.has("method"));
    }

    JsonNode notification(String method) {
      return take(m -> !m.has("id") && method.equals(m.path("method").asText()));
    }

    boolean hasResponse(int id) {
      return unread.stream().anyMatch(m -> m.path("id").isInt() && m.path("id").asInt() == id && !m.has("method"));
    }

    boolean hasServerRequest(String id) {
      return serverRequestIds.contains(id);
    }

    /** The ids of every server request with a string id read so far, in order. */
    List<String> serverRequestIds() {
      return List.copyOf(serverRequestIds);
    }

    private JsonNode take(Predicate<JsonNode> wanted) {
      for (Iterator<JsonNode> it = unread.iterator(); it.hasNext(); ) {
        JsonNode message = it.next();
        if (wanted.test(message)) {
          it.remove();
          return message;
        }
      }
      while (true) {
        JsonNode message = StdioJson.parse(process.awaitLine(l -> l.startsWith("{"), TIMEOUT));
        if (message.path("id").isTextual() && message.has("method")) {
          serverRequestIds.add(message.path("id").asText());
        }
        if (wanted.test(message)) {
          return message;
        }
        unread.add(message);
      }
    }
  }
}
