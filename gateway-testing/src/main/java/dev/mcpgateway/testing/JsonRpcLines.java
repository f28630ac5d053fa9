package dev.mcpgateway.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The JSON-RPC messages the contracts send to backends, and a check of what comes back. */
final class JsonRpcLines {
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonRpcLines() {}

  /** An {@code initialize} request with id {@code id}, offering protocol 2025-06-18. */
  static byte[] initialize(int id) {
    return request(id, "initialize", "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
        + "\"clientInfo\":{\"name\":\"gateway-contract\",\"version\":\"1.0.0\"}}");
  }

  /** A request; {@code params} is JSON text, or {@code null} for none. */
  static byte[] request(int id, String method, String params) {
    ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    if (params != null) {
      message.set("params", parse(params));
    }
    return message.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A notification without params. */
  static byte[] notification(String method) {
    return JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method).toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses one JSON text. */
  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + json, e);
    }
  }

  /** Whether {@code message} is exactly one JSON object, with no line end after it. */
  static boolean isJsonObject(String message) {
    if (message.endsWith("\n") || message.endsWith("\r")) {
      return false;
    }
    try {
      return JSON.readTree(message).isObject();
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code message} is the response ({@code result} or {@code error}) to the request with number id {@code id}. */
  static boolean isResponse(String message, int id) {
    if (!isJsonObject(message)) {
      return false;
    }
    JsonNode node = parse(message);
    return node.path("id").isIntegralNumber() && node.path("id").asInt() == id && (node.has("result") || node.has("error"));
  }
}
