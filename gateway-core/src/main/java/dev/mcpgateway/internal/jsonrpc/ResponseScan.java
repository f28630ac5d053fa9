package dev.mcpgateway.internal.jsonrpc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Finds, with a streaming parser and without building a tree, whether a backend message is a
 * response with an integer id, and where that id's bytes are, so that the id can be replaced in
 * place (the gateway's ids towards backends are always integers).
 *
 * @param id the backend-side id
 * @param idStart offset of the id's first byte
 * @param idEnd offset after the id's last byte
 * @param isError whether the answer is a JSON-RPC error (rather than a result)
 */
public record ResponseScan(long id, int idStart, int idEnd, boolean isError) {

  /** The scan of a response, or null for anything else (a request, a notification, not JSON). */
  public static ResponseScan of(byte[] message) {
    try (JsonParser parser = Json.mapper().getFactory().createParser(message)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      long id = -1;
      int start = -1;
      int end = -1;
      boolean answer = false;
      boolean error = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "id":
            if (value != JsonToken.VALUE_NUMBER_INT || start >= 0) {
              return null;
            }
            id = parser.getLongValue();
            start = (int) parser.currentTokenLocation().getByteOffset();
            end = (int) parser.currentLocation().getByteOffset();
            break;
          case "method":
            return null;
          case "result":
          case "error":
            if (answer) {
              return null;
            }
            answer = true;
            error = field.equals("error");
            parser.skipChildren();
            break;
          default:
            parser.skipChildren();
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return null;
      }
      return answer && start >= 0 && end > start ? new ResponseScan(id, start, end, error) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The message with its id replaced by {@code idJson}. */
  public byte[] withId(byte[] message, byte[] idJson) {
    byte[] out = new byte[message.length - (idEnd - idStart) + idJson.length];
    System.arraycopy(message, 0, out, 0, idStart);
    System.arraycopy(idJson, 0, out, idStart, idJson.length);
    System.arraycopy(message, idEnd, out, idStart + idJson.length, message.length - idEnd);
    return out;
  }
}
