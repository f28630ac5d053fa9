package dev.mcpgateway.examples.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange on a plain socket, for what the JDK client refuses to send (control
 * characters in a header) or cannot stop doing (writing a whole oversized body).
 */
public final class RawHttpExchange {
  private RawHttpExchange() {}

  /** The status code and the rest of what the server sent, after writing {@code request} (ISO-8859-1). */
  public record Raw(int status, String text) {}

  /** Writes {@code request} to 127.0.0.1:{@code port} and reads the answer until the server closes or 20 s pass. */
  public static Raw exchange(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      try {
        int n;
        while ((n = in.read(chunk)) >= 0) {
          read.write(chunk, 0, n);
          if (complete(read.toString(StandardCharsets.ISO_8859_1))) {
            break;
          }
        }
      } catch (java.net.SocketException reset) {
        // the server may reset after answering an oversized request: keep what arrived
      }
      String text = read.toString(StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.1 ")) {
        throw new IOException("no HTTP answer: '" + text + "'");
      }
      return new Raw(Integer.parseInt(text.substring(9, 12)), text);
    }
  }

  /** Whether a Content-Length response has arrived whole. */
  private static boolean complete(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    for (String line : text.substring(0, end).split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return text.length() - end - 4 >= Integer.parseInt(line.substring(15).trim());
      }
    }
    return false;
  }
}
