package dev.mcpgateway.internal.jsonrpc;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A string or number that reads as the value it denotes and writes back exactly the JSON text
 * it was read from: a client's id or progress token that Jackson would write differently
 * (<code>"&#92;u00e9"</code> as {@code "é"}, <code>"&#92;/"</code> as {@code "/"}, a lone surrogate
 * in upper-case hex, {@code -0} as {@code 0}). Made by {@link ClientBody} only where the two texts differ;
 * immutable.
 *
 * <p>Everything but writing is the value's: {@link #textValue()}, {@link #isIntegralNumber()},
 * {@link #longValue()}... For requests in flight the gateway keys ids by their value
 * ({@link Json#idText}), so that an id written two ways is one id.
 */
public final class VerbatimNode extends ValueNode {
  private static final long serialVersionUID = 1L;

  private final ValueNode value;
  private final String json;

  /** @param json the JSON text {@code value} was read from */
  VerbatimNode(ValueNode value, String json) {
    this.value = value;
    this.json = json;
  }

  /** The value, as Jackson reads it. */
  public JsonNode value() {
    return value;
  }

  /** The JSON text as it was written. */
  public String json() {
    return json;
  }

  @Override
  public void serialize(JsonGenerator generator, SerializerProvider provider) throws IOException {
    generator.writeRawValue(json);
  }

  @Override
  public JsonToken asToken() {
    return value.asToken();
  }

  @Override
  public JsonNodeType getNodeType() {
    return value.getNodeType();
  }

  @Override
  public JsonParser.NumberType numberType() {
    return value.numberType();
  }

  @Override
  public String asText() {
    return value.asText();
  }

  @Override
  public String textValue() {
    return value.textValue();
  }

  @Override
  public Number numberValue() {
    return value.numberValue();
  }

  @Override
  public boolean isIntegralNumber() {
    return value.isIntegralNumber();
  }

  @Override
  public boolean isFloatingPointNumber() {
    return value.isFloatingPointNumber();
  }

  @Override
  public boolean isInt() {
    return value.isInt();
  }

  @Override
  public boolean isLong() {
    return value.isLong();
  }

  @Override
  public boolean isBigInteger() {
    return value.isBigInteger();
  }

  @Override
  public boolean isDouble() {
    return value.isDouble();
  }

  @Override
  public boolean canConvertToInt() {
    return value.canConvertToInt();
  }

  @Override
  public boolean canConvertToLong() {
    return value.canConvertToLong();
  }

  @Override
  public boolean canConvertToExactIntegral() {
    return value.canConvertToExactIntegral();
  }

  @Override
  public int intValue() {
    return value.intValue();
  }

  @Override
  public long longValue() {
    return value.longValue();
  }

  @Override
  public double doubleValue() {
    return value.doubleValue();
  }

  @Override
  public BigDecimal decimalValue() {
    return value.decimalValue();
  }

  @Override
  public BigInteger bigIntegerValue() {
    return value.bigIntegerValue();
  }

  @Override
  public int asInt(int defaultValue) {
    return value.asInt(defaultValue);
  }

  @Override
  public long asLong(long defaultValue) {
    return value.asLong(defaultValue);
  }

  @Override
  public double asDouble(double defaultValue) {
    return value.asDouble(defaultValue);
  }

  @Override
  public boolean equals(Object other) {
    if (other == this) {
      return true;
    }
    JsonNode otherValue = other instanceof VerbatimNode ? ((VerbatimNode) other).value : other instanceof JsonNode ? (JsonNode) other : null;
    return value.equals(otherValue);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
