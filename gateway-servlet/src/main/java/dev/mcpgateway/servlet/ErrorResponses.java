package dev.mcpgateway.servlet;

import dev.mcpgateway.GatewayResponse;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The few answers the servlet gives itself, as {@code {"error":"..."}} JSON bodies. */
final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  static final String INTERNAL_ERROR = "internal error";

  private ErrorResponses() {}

  static String tooLarge(long limit) {
    return "request body exceeds " + limit + " bytes";
  }

  /** The answer as a gateway response, for the non-blocking write path. */
  static GatewayResponse response(int status, String message, boolean closeConnection) {
    GatewayResponse response = GatewayResponse.json(status, body(message));
    return closeConnection ? response.withHeader("Connection", "close") : response;
  }

  /**
   * Writes the answer with a blocking write: only for a few bytes on a container thread before
   * any {@code WriteListener} is set, where a blocking write cannot wait on a backend.
   *
   * @param closeConnection also asks the container to close the connection instead of reading
   *     the rest of a request body
   */
  static void writeNow(HttpServletResponse response, int status, String message, boolean closeConnection)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    byte[] body = body(message);
    response.resetBuffer();
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(body.length);
    if (closeConnection) {
      response.setHeader("Connection", "close");
    }
    response.getOutputStream().write(body);
    response.flushBuffer();
  }

  /** Best effort after an unexpected failure in {@code service}: a 500 when still possible, never a throw. */
  static void failQuietly(HttpServletRequest request, HttpServletResponse response) {
    try {
      if (request.isAsyncStarted()) {
        AsyncContext async = request.getAsyncContext();
        if (!response.isCommitted()) {
          response.setStatus(500);
          response.setContentLength(0);
        }
        async.complete();
      } else {
        writeNow(response, 500, INTERNAL_ERROR, false);
      }
    } catch (Exception | Error e) {
      LOG.debug("could not answer 500 after a failure", e);
    }
  }

  static byte[] body(String message) {
    StringBuilder json = new StringBuilder(message.length() + 16).append("{\"error\":\"");
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
