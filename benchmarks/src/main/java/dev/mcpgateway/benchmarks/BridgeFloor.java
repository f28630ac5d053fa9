package dev.mcpgateway.benchmarks;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The stdio bridge floor: the least an HTTP-to-stdio bridge on Jetty does, with none of a
 * gateway's work (no sessions, authentication, id rewriting, policies or audit). Each POST body
 * goes to the echo server as one line; each answer line goes back to the request whose JSON-RPC id
 * it carries; a body without an id gets 202. Jetty runs the handler on the selector thread and
 * keeps no threads in reserve, the fastest set-up measured for it. It measures what any gateway in
 * front of a stdio server pays on this machine: the backend's process round trip and the thread
 * hand-offs it forces. Prints {@code LISTENING <port>} when ready; exits when standard input
 * closes.
 *
 * <pre>java -cp benchmarks.jar dev.mcpgateway.benchmarks.BridgeFloor ECHO_SERVER [port]</pre>
 */
public final class BridgeFloor {
  private record Waiting(Response response, Callback callback) {}

  private final ConcurrentHashMap<String, Waiting> waiting = new ConcurrentHashMap<>();
  private final OutputStream stdin;

  private BridgeFloor(Process backend) {
    this.stdin = new BufferedOutputStream(backend.getOutputStream(), 64 * 1024);
    Thread reader = new Thread(() -> readAnswers(backend.getInputStream()), "bridge-floor-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  public static void main(String[] args) throws Exception {
    Process backend = new ProcessBuilder(args[0]).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BridgeFloor bridge = new BridgeFloor(backend);
    int port = bridge.serve(args.length > 1 ? Integer.parseInt(args[1]) : 0);
    System.out.println("LISTENING " + port);
    System.out.flush();
    Processes.exitWhenStdinCloses();
  }

  private int serve(int port) throws Exception {
    ServerConnector connector = FloorServer.jettyConnector("bridge-floor-http", 0, port);
    Server server = connector.getServer();
    server.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        Content.Source.asByteArrayAsync(request, 1 << 20).whenComplete((body, failure) -> {
          if (failure != null) {
            callback.failed(failure);
          } else {
            relay(body, response, callback);
          }
        });
        return true;
      }
    });
    server.start();
    return connector.getLocalPort();
  }

  private void relay(byte[] body, Response response, Callback callback) {
    String id = idText(body, 0, body.length);
    if (id == null) {
      response.setStatus(202);
      response.write(true, null, callback);
    } else {
      waiting.put(id, new Waiting(response, callback));
    }
    try {
      synchronized (stdin) {
        stdin.write(body);
        stdin.write('\n');
        stdin.flush();
      }
    } catch (IOException e) {
      if (id != null && waiting.remove(id) != null) {
        callback.failed(e);
      }
    }
  }

  private void readAnswers(InputStream stdout) {
    byte[] buffer = new byte[64 * 1024];
    int length = 0;
    try {
      int read;
      while ((read = stdout.read(buffer, length, buffer.length - length)) > 0) {
        length += read;
        int start = 0;
        for (int i = 0; i < length; i++) {
          if (buffer[i] == '\n') {
            answer(Arrays.copyOfRange(buffer, start, i));
            start = i + 1;
          }
        }
        System.arraycopy(buffer, start, buffer, 0, length - start);
        length -= start;
        if (length == buffer.length) {
          buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
      }
    } catch (IOException e) {
      // the backend is gone; the process exits when its standard input closes
    }
  }

  private void answer(byte[] line) {
    String id = idText(line, 0, line.length);
    Waiting request = id == null ? null : waiting.remove(id);
    if (request == null) {
      return;
    }
    request.response.setStatus(200);
    request.response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    request.response.getHeaders().put(HttpHeader.CONTENT_LENGTH, line.length);
    request.response.write(true, ByteBuffer.wrap(line), request.callback);
  }

  /** The text of the first {@code "id":} value (a number or a string without commas), or null. */
  static String idText(byte[] json, int from, int to) {
    String text = new String(json, from, to - from, StandardCharsets.ISO_8859_1);
    int key = text.indexOf("\"id\":");
    if (key < 0) {
      return null;
    }
    int start = key + 5;
    int end = start;
    while (end < text.length() && text.charAt(end) != ',' && text.charAt(end) != '}') {
      end++;
    }
    return text.substring(start, end).trim();
  }
}
