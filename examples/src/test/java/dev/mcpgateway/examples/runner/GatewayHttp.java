package dev.mcpgateway.examples.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.testsupport.StdioTestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/** Speaks MCP over real HTTP to a gateway served by the runner's Jetty, for reliability tests. */
final class GatewayHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCEPT = "application/json, text/event-stream";

  final HttpClient client;
  final String base;

  GatewayHttp(int port) {
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    this.base = "http://127.0.0.1:" + port;
  }

  /** A configuration with one StdioTestServer backend named {@code test}. */
  static GatewayConfig config(Path payloadDir, Duration toolTimeout) {
    List<String> command = StdioTestServer.commandLine();
    return GatewayConfig.builder()
        .toolTimeout(toolTimeout)
        .payloadDir(payloadDir)
        .closeWithoutAuthentication(true)
        .server(ServerConfig.command(command.get(0)).args(command.subList(1, command.size())).build("test"))
        .build();
  }

  HttpRequest.Builder post(String key, String session, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/mcp/test"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("Accept", ACCEPT)
        .header("Authorization", key)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    return request;
  }

  /** Sends initialize and returns the session id. */
  String initialize(String key) throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(post(key, null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
        + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"soak\",\"version\":\"1\"}}}").build(),
        HttpResponse.BodyHandlers.ofString());
    String session = response.headers().firstValue("Mcp-Session-Id").orElse(null);
    if (response.statusCode() != 200 || session == null) {
      throw new IOException("initialize failed: " + response.statusCode() + " " + response.body());
    }
    return session;
  }

  /** Calls a tool; the JSON-RPC response (from a JSON body, or the last event of a stream). */
  JsonNode call(String key, String session, long id, String tool, String arguments) throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(post(key, session, toolCall(id, tool, arguments, false)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("tools/call " + tool + " answered " + response.statusCode() + ": " + response.body());
    }
    return lastMessage(response.body());
  }

  int delete(String key, String session) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + "/mcp/test")).timeout(Duration.ofSeconds(30))
        .header("Authorization", key).header("Mcp-Session-Id", session).DELETE().build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Opens a tools/call whose answer streams; lines arrive as the gateway writes them. */
  Iterator<String> stream(String key, String session, long id, String tool, String arguments) throws IOException, InterruptedException {
    HttpResponse<Stream<String>> response = client.send(post(key, session, toolCall(id, tool, arguments, true)).build(),
        HttpResponse.BodyHandlers.ofLines());
    return response.body().iterator();
  }

  static String toolCall(long id, String tool, String arguments, boolean progress) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":" + arguments + (progress ? ",\"_meta\":{\"progressToken\":\"p" + id + "\"}" : "") + "}}";
  }

  /** The next {@code data:} line of an SSE stream, as JSON; null at its end. */
  static JsonNode nextEvent(Iterator<String> lines) throws IOException {
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith("data: ") && line.length() > 6) {
        return JSON.readTree(line.substring(6));
      }
    }
    return null;
  }

  static JsonNode lastMessage(String body) throws IOException {
    if (body.startsWith("{")) {
      return JSON.readTree(body);
    }
    String last = null;
    for (String line : body.split("\n")) {
      if (line.startsWith("data: ") && line.length() > 6) {
        last = line.substring(6);
      }
    }
    if (last == null) {
      throw new IOException("no message in: " + body);
    }
    return JSON.readTree(last);
  }

  /** A raw HTTP exchange: the bytes go out as they are; the answer is read until the server closes or the time is up. */
  static RawResponse raw(int port, byte[] request, Duration timeout) throws IOException {
    long started = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // the server may answer (413, 400) and close before reading everything; read what it said
      }
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      boolean complete = false;
      long deadline = started + timeout.toNanos();
      try {
        int n;
        while (System.nanoTime() < deadline && (n = in.read(buffer)) >= 0) {
          answer.write(buffer, 0, n);
          if (isEventStream(answer)) {
            complete = true; // an open stream is an answer; it is not read to its end
            break;
          }
        }
        complete = complete || System.nanoTime() < deadline;
      } catch (SocketTimeoutException e) {
        complete = false;
      } catch (IOException e) {
        complete = answer.size() > 0; // reset after the answer
      }
      return new RawResponse(answer.toString(StandardCharsets.ISO_8859_1), complete,
          Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private static boolean isEventStream(ByteArrayOutputStream answer) {
    String text = answer.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    return end > 0 && text.substring(0, end).toLowerCase(java.util.Locale.ROOT).contains("content-type: text/event-stream");
  }

  /** What came back on a raw connection. */
  record RawResponse(String text, boolean complete, Duration took) {
    int status() {
      if (!text.startsWith("HTTP/1.1 ")) {
        return -1;
      }
      return Integer.parseInt(text.substring(9, 12));
    }

    String body() {
      int end = text.indexOf("\r\n\r\n");
      return end < 0 ? "" : text.substring(end + 4);
    }
  }

  /** Child processes of this JVM: the test backends. */
  static List<ProcessHandle> backendProcesses() {
    // the test JVM starts no other processes; command lines of long class paths are not always readable
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
  }

  /** Entries under the payload directory: session directories left behind. */
  static List<Path> payloadEntries(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.toList();
    }
  }

  static long openFileDescriptors() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      return -1;
    }
  }
}
