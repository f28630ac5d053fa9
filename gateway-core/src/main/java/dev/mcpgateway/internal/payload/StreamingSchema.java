package dev.mcpgateway.internal.payload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.internal.jsonrpc.Json;
import dev.mcpgateway.internal.jsonrpc.JsonPushScanner;
import java.util.ArrayDeque;

/**
 * The schema {@link SchemaInference} infers, built from the events of a {@link JsonPushScanner}
 * as a value streams past, bounded in depth and width the same way: the first
 * {@value #MAX_PROPERTIES} properties of an object, its first array element as {@code items},
 * {@value #MAX_DEPTH} levels. Not thread-safe.
 */
public final class StreamingSchema {
  private static final int MAX_DEPTH = 8;
  private static final int MAX_PROPERTIES = 64;

  /** An open container whose schema is being built. */
  private static final class Frame {
    final ObjectNode schema;
    final boolean object;
    final int depth;
    /** Of an object below the depth limit; null otherwise. */
    final ObjectNode properties;
    String key;
    long count;

    public Frame(ObjectNode schema, boolean object, int depth, ObjectNode properties) {
      this.schema = schema;
      this.object = object;
      this.depth = depth;
      this.properties = properties;
    }
  }

  private final ArrayDeque<Frame> frames = new ArrayDeque<>();
  private ObjectNode root;
  /** Containers open inside a value whose schema is not recorded. */
  private int skipping;

  /** The schema so far; an empty object before the value starts. */
  public ObjectNode schema() {
    return root == null ? Json.object() : root;
  }

  public void key(String name) {
    if (skipping == 0 && !frames.isEmpty()) {
      frames.peek().key = name;
    }
  }

  /** Whether the next key's name is wanted: false while it would be skipped, so that it need not be decoded. */
  public boolean wantsKey() {
    if (skipping > 0 || frames.isEmpty()) {
      return false;
    }
    Frame parent = frames.peek();
    return parent.properties != null && parent.properties.size() < MAX_PROPERTIES;
  }

  /** A key not decoded (see {@link #wantsKey()}): its value is skipped. */
  public void skippedKey() {
    if (skipping == 0 && !frames.isEmpty()) {
      frames.peek().key = null;
    }
  }

  public void startContainer(boolean object) {
    if (skipping > 0) {
      skipping++;
      return;
    }
    ObjectNode schema = slot();
    if (schema == null) {
      skipping = 1;
      return;
    }
    int depth = frames.size();
    schema.put("type", object ? "object" : "array");
    frames.push(new Frame(schema, object, depth, object && depth < MAX_DEPTH ? schema.putObject("properties") : null));
  }

  public void endContainer() {
    if (skipping > 0) {
      skipping--;
      return;
    }
    Frame frame = frames.pop();
    if (!frame.object && frame.count > 0) {
      frame.schema.put("minItems", frame.count);
    }
  }

  public void scalar(JsonPushScanner.Scalar type) {
    if (skipping > 0) {
      return;
    }
    ObjectNode schema = slot();
    if (schema == null) {
      return;
    }
    switch (type) {
      case STRING:
        schema.put("type", "string");
        break;
      case NUMBER:
        schema.put("type", "number");
        break;
      case TRUE:
      case FALSE:
        schema.put("type", "boolean");
        break;
      default:
        schema.put("type", "null");
    }
  }

  /** Numbers are told apart once their text is known: {@code integer} for one without fraction or exponent. */
  public void number(String literal) {
    if (skipping > 0) {
      return;
    }
    ObjectNode schema = slot();
    if (schema != null) {
      boolean integer = literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0;
      schema.put("type", integer ? "integer" : "number");
    }
  }

  /** Where the schema of the value starting now goes, or null when it is not recorded. */
  private ObjectNode slot() {
    if (frames.isEmpty()) {
      if (root != null) {
        return null;
      }
      root = Json.object();
      return root;
    }
    Frame parent = frames.peek();
    if (parent.properties != null) {
      String key = parent.key;
      parent.key = null;
      if (key == null || parent.properties.size() >= MAX_PROPERTIES || parent.properties.has(key)) {
        return null;
      }
      return parent.properties.putObject(key);
    }
    if (parent.object) {
      return null; // an object below the depth limit keeps no properties
    }
    parent.count++;
    if (parent.count == 1 && parent.depth < MAX_DEPTH) {
      return parent.schema.putObject("items");
    }
    return null;
  }
}
