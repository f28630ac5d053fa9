package dev.mcpgateway.internal.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.internal.jsonrpc.Json;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a client declared it can do for a server's own requests: the {@code sampling},
 * {@code elicitation} and {@code roots} entries of its {@code initialize} capabilities, with
 * their options. Backends that send server requests are pooled by this key, and initialized with
 * exactly these capabilities, so a backend never asks a session for what it did not declare.
 *
 * @param capabilities the declared entries, by name in sorted order, each as canonical JSON text
 */
public record CapabilityKey(Map<String, String> capabilities) {
  /** The client capabilities a server request can need, in the order of their names. */
  public static final List<String> SERVER_REQUEST_CAPABILITIES = List.of("elicitation", "roots", "sampling");
  /** A client that declared none of them: it can receive no server request. */
  public static final CapabilityKey NONE = new CapabilityKey(Map.of());

  /** Copies {@code capabilities}, sorted. */
  public CapabilityKey {
    capabilities = java.util.Collections.unmodifiableMap(new TreeMap<>(capabilities));
  }

  /** The key of a client's {@code initialize} capabilities (JDK values, as a session record holds them). */
  public static CapabilityKey of(Map<String, Object> clientCapabilities) {
    Map<String, String> declared = new TreeMap<>();
    for (String name : SERVER_REQUEST_CAPABILITIES) {
      if (clientCapabilities.containsKey(name)) {
        declared.put(name, canonical(Json.mapper().valueToTree(clientCapabilities.get(name))));
      }
    }
    return declared.isEmpty() ? NONE : new CapabilityKey(declared);
  }

  /** The capability a server request of {@code method} needs; null for methods that need none (such as {@code ping}). */
  public static String neededBy(String method) {
    switch (method) {
      case "sampling/createMessage":
        return "sampling";
      case "elicitation/create":
        return "elicitation";
      case "roots/list":
        return "roots";
      default:
        return null;
    }
  }

  /** Whether the client declared none of the capabilities. */
  public boolean isEmpty() {
    return capabilities.isEmpty();
  }

  /** The {@code capabilities} object a backend of this key is initialized with. */
  public ObjectNode toCapabilities() {
    ObjectNode object = Json.object();
    capabilities.forEach((name, json) -> {
      try {
        object.set(name, Json.mapper().readTree(json));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("canonical capability JSON did not parse", e);
      }
    });
    return object;
  }

  /** The {@code initialize} params of a backend of this key: {@code params} with only the key's capabilities. */
  public ObjectNode initializeParams(ObjectNode params) {
    ObjectNode copy = params.deepCopy();
    copy.set("capabilities", toCapabilities());
    return copy;
  }

  private static String canonical(JsonNode value) {
    try {
      return Json.mapper().writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .writeValueAsString(Json.mapper().treeToValue(value, Object.class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("capability value did not serialize", e);
    }
  }

  /** The declared names, such as {@code elicitation+sampling}, or {@code none}. */
  @Override
  public String toString() {
    return capabilities.isEmpty() ? "none" : String.join("+", capabilities.keySet());
  }
}
