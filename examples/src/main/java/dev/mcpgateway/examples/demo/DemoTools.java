package dev.mcpgateway.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;

/** The demo server's tools: their definitions for {@code tools/list} and what a call returns. */
final class DemoTools {
  private final ObjectMapper json;
  private final Clock clock;

  DemoTools(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  /** The {@code tools} array of a {@code tools/list} result. */
  ArrayNode list() {
    ArrayNode tools = json.createArrayNode();
    ObjectNode echo = tool(tools, "echo", "Echoes the message back.");
    property(echo, "message", "string", "The text to echo");
    echo.putArray("required").add("message");

    ObjectNode add = tool(tools, "add", "Adds two numbers.");
    property(add, "a", "number", "The first addend");
    property(add, "b", "number", "The second addend");
    add.putArray("required").add("a").add("b");

    tool(tools, "current_time", "The current time in UTC, ISO-8601.");
    return tools;
  }

  /**
   * The result of calling {@code name}. Bad arguments give a tool error ({@code isError}) the
   * caller can correct; an unknown tool is a protocol error.
   *
   * @throws CallException with -32602 when no such tool exists
   */
  ObjectNode call(String name, JsonNode arguments) {
    switch (name) {
      case "echo":
        if (!arguments.path("message").isTextual()) {
          return text("argument 'message' must be a string", true);
        }
        return text(arguments.get("message").asText(), false);
      case "add":
        if (!arguments.path("a").isNumber() || !arguments.path("b").isNumber()) {
          return text("arguments 'a' and 'b' must be numbers", true);
        }
        BigDecimal sum = arguments.get("a").decimalValue().add(arguments.get("b").decimalValue());
        return text(sum.stripTrailingZeros().toPlainString(), false);
      case "current_time":
        return text(Instant.now(clock).toString(), false);
      default:
        throw new CallException(-32602, "Unknown tool: " + name);
    }
  }

  /** Adds a tool and returns its input schema, an object schema with no properties yet. */
  private static ObjectNode tool(ArrayNode tools, String name, String description) {
    ObjectNode tool = tools.addObject().put("name", name).put("description", description);
    ObjectNode schema = tool.putObject("inputSchema").put("type", "object");
    schema.putObject("properties");
    return schema;
  }

  private static void property(ObjectNode schema, String name, String type, String description) {
    ((ObjectNode) schema.get("properties")).putObject(name).put("type", type).put("description", description);
  }

  private ObjectNode text(String text, boolean isError) {
    ObjectNode result = json.createObjectNode();
    result.putArray("content").addObject().put("type", "text").put("text", text);
    if (isError) {
      result.put("isError", true);
    }
    return result;
  }

  /** A JSON-RPC error answer: its code and message. */
  static final class CallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    CallException(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    int code() {
      return code;
    }
  }
}
