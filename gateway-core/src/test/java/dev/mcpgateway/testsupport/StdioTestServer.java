package dev.mcpgateway.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small MCP server on stdio for tests, run as a real child process with
 * {@link #commandLine()}. Tools: {@code echo}, {@code pid} (its process id), {@code env}
 * (the value of a variable), {@code sleep} (answers after {@code ms}), {@code progress}
 * (sends progress notifications first), {@code sample} (asks the client for sampling and
 * returns its answer), {@code crash} (exits at once), {@code stderr} (writes a line to stderr),
 * {@code broadcast} (answers, then sends {@code notifications/resources/list_changed}, which
 * every session of the backend receives, with {@code uri} in its params to tell events apart).
 *
 * <p>Misbehaving tools, for reliability tests: {@code hang} (from then on the server answers
 * nothing, not even {@code ping}), {@code garbage} (writes lines that are not JSON-RPC before
 * its answer), {@code strayid} (answers ids nobody asked for before its answer), {@code flood}
 * ({@code count} {@code list_changed} notifications of {@code bytes} each, then its answer); {@code big}
 * writes a result of {@code chars} characters; {@code progress} sleeps {@code ms} after its
 * progress notifications.
 *
 * <p>For redaction tests, {@code leak} says the value of the environment variable
 * {@code LEAK_SECRET} (and a GitHub-like token of its own) through the channel {@code via}
 * names: {@code message} (a log notification), {@code progress}, {@code sample} and
 * {@code elicit} (requests to the client), {@code error} (message and data), {@code stderr}
 * (a line), {@code stderrbig} (a line of a megabyte, the secret straddling its 8 KiB cut),
 * {@code big} (a result of {@code chars} characters made of the secret over and over, so that
 * it straddles every chunk boundary), {@code result}. With {@code LEAK_SECRET} set, the
 * {@code initialize} result carries it too, in {@code serverInfo.title} and {@code instructions}. *
 * <p>{@code mirrored} declares its arguments {@code region}, {@code count} and {@code where.zone}
 * mirrored into the headers {@code Mcp-Param-Region}, {@code -Count} and {@code -Zone}.
 *
 * <p>{@code meta} answers with the {@code params._meta} it received, as JSON text (trace context tests);
 * {@code line}, with the whole line that brought its request.
 *
 * <p>For calls that last as long as a test needs: {@code wait} answers once the file
 * {@code path} exists; {@code interview} runs {@code rounds} rounds of a progress notification
 * and a sampling request whose answer it waits for, then sends a last progress notification
 * and answers with the texts of the answers, joined by {@code ", "}.
 *
 * <p>{@code welcome} asks the client two things in turn: its name ({@code elicitation/create}),
 * then a greeting for it ({@code sampling/createMessage}); then it sends a progress notification
 * (when the call has a progress token) and a log message, waits, when {@code path} is given, until
 * that file exists or the call is cancelled, and answers {@code "<name>: <greeting>"}.
 */
public final class StdioTestServer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
  private static final ConcurrentHashMap<String, JsonNode> WAITING = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, Object> LOCKS = new ConcurrentHashMap<>();
  private static long nextId;
  private static volatile boolean hung;
  private static final java.util.List<String> CANCELLED = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  private StdioTestServer() {}

  /** The command line that starts this server with the test class path. */
  public static java.util.List<String> commandLine() {
    return java.util.List.of(javaBinary(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        StdioTestServer.class.getName());
  }

  /** The {@code java} binary of the running JVM. */
  public static String javaBinary() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public static void main(String[] args) throws Exception {
    ExecutorService workers = Executors.newCachedThreadPool();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      JsonNode message;
      try {
        message = JSON.readTree(line);
      } catch (Exception e) {
        write(error(null, -32700, "parse error"));
        continue;
      }
      if (!message.has("method")) {
        JsonNode id = message.get("id");
        if (id != null) {
          WAITING.put(id.toString(), message);
          Object lock = LOCKS.get(id.toString());
          if (lock != null) {
            synchronized (lock) {
              lock.notifyAll();
            }
          }
        }
        continue;
      }
      JsonNode msg = message;
      String raw = line;
      if (!message.has("id")) {
        handle(msg, raw); // notifications in arrival order: a cancellation is recorded before the next request is read
      } else {
        workers.execute(() -> handle(msg, raw));
      }
    }
    System.exit(0);
  }

  private static void handle(JsonNode message, String line) {
    String method = message.path("method").asText();
    JsonNode id = message.get("id");
    if (id == null) {
      if (method.equals("notifications/cancelled")) {
        CANCELLED.add(message.path("params").path("requestId").asText());
      }
      return;
    }
    try {
      switch (method) {
        case "initialize": {
          ObjectNode result = JSON.createObjectNode();
          result.put("protocolVersion", message.path("params").path("protocolVersion").asText("2025-06-18"));
          ObjectNode capabilities = result.putObject("capabilities");
          capabilities.putObject("tools");
          capabilities.putObject("resources").put("listChanged", true);
          result.putObject("serverInfo").put("name", "stdio-test-server").put("version", "1.0");
          String leak = System.getenv("LEAK_SECRET");
          if (leak != null) {
            ((ObjectNode) result.get("serverInfo")).put("title", "test server of " + leak);
            result.put("instructions", "call with token " + leak);
          }
          write(result(id, result));
          break;
        }
        case "ping":
          write(result(id, JSON.createObjectNode()));
          break;
        case "tools/list": {
          ObjectNode result = JSON.createObjectNode();
          ArrayNode tools = result.putArray("tools");
          for (String name : new String[] {"echo", "pid", "env", "sleep", "progress", "sample", "crash", "stderr", "broadcast", "cancellations", "log", "big", "hang", "garbage", "strayid", "flood", "leak", "wait", "meta", "line", "interview", "welcome"}) {
            ObjectNode tool = tools.addObject();
            tool.put("name", name);
            tool.put("description", "test tool " + name);
            tool.putObject("inputSchema").put("type", "object");
          }
          // a tool whose arguments are mirrored into Mcp-Param-* headers (protocol revision 2026-07-28)
          ObjectNode mirrored = tools.addObject();
          mirrored.put("name", "mirrored");
          ObjectNode properties = mirrored.putObject("inputSchema").put("type", "object").putObject("properties");
          properties.putObject("region").put("type", "string").put("x-mcp-header", "Region");
          properties.putObject("count").put("type", "integer").put("x-mcp-header", "Count");
          properties.putObject("where").put("type", "object").putObject("properties").putObject("zone")
              .put("type", "string").put("x-mcp-header", "Zone");
          write(result(id, result));
          break;
        }
        case "tools/call":
          call(id, message.path("params"), line);
          break;
        default:
          write(error(id, -32601, "method not found: " + method));
      }
    } catch (Exception e) {
      write(error(id, -32603, String.valueOf(e)));
    }
  }

  private static void call(JsonNode id, JsonNode params, String line) throws Exception {
    JsonNode args = params.path("arguments");
    String text;
    switch (params.path("name").asText()) {
      case "echo":
        text = args.path("message").asText();
        break;
      case "pid":
        text = Long.toString(ProcessHandle.current().pid());
        break;
      case "meta":
        text = JSON.writeValueAsString(params.path("_meta"));
        break;
      case "line":
        text = line;
        break;
      case "env":
        text = String.valueOf(System.getenv(args.path("name").asText()));
        break;
      case "sleep":
        Thread.sleep(args.path("ms").asLong(1000));
        text = "slept";
        break;
      case "wait": {
        java.nio.file.Path file = java.nio.file.Path.of(args.path("path").asText());
        while (!java.nio.file.Files.exists(file)) {
          Thread.sleep(10);
        }
        text = "waited";
        break;
      }
      case "progress": {
        JsonNode token = params.path("_meta").get("progressToken");
        int steps = args.path("steps").asInt(3);
        for (int i = 1; i <= steps && token != null; i++) {
          ObjectNode note = JSON.createObjectNode();
          note.put("jsonrpc", "2.0");
          note.put("method", "notifications/progress");
          ObjectNode p = note.putObject("params");
          p.set("progressToken", token);
          p.put("progress", i);
          p.put("total", steps);
          write(note);
        }
        Thread.sleep(args.path("ms").asLong(0));
        text = "done";
        break;
      }
      case "sample": {
        String requestId = "srv-" + (++nextId);
        ObjectNode request = JSON.createObjectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", requestId);
        request.put("method", "sampling/createMessage");
        request.putObject("params").put("maxTokens", 10).putArray("messages").addObject()
            .put("role", "user").putObject("content").put("type", "text").put("text", args.path("prompt").asText("hi"));
        String key = JSON.writeValueAsString(requestId);
        Object lock = new Object();
        LOCKS.put(key, lock);
        write(request);
        long deadline = System.currentTimeMillis() + 10_000;
        synchronized (lock) {
          while (!WAITING.containsKey(key) && System.currentTimeMillis() < deadline) {
            lock.wait(100);
          }
        }
        JsonNode answer = WAITING.remove(key);
        text = answer == null ? "no answer" : answer.path("result").path("content").path("text").asText(answer.toString());
        break;
      }
      case "welcome": {
        ObjectNode elicit = JSON.createObjectNode();
        elicit.put("message", "What is your name?");
        elicit.putObject("requestedSchema").put("type", "object").putObject("properties").putObject("name").put("type", "string");
        JsonNode named = askClient("elicitation/create", elicit);
        String name = named == null ? "nobody" : named.path("result").path("content").path("name").asText("nobody");
        ObjectNode sample = JSON.createObjectNode();
        sample.put("maxTokens", 10).putArray("messages").addObject().put("role", "user").putObject("content")
            .put("type", "text").put("text", "Greet " + name);
        JsonNode sampled = askClient("sampling/createMessage", sample);
        String greeting = sampled == null ? "no answer" : sampled.path("result").path("content").path("text").asText();
        JsonNode token = params.path("_meta").get("progressToken");
        if (token != null) {
          ObjectNode note = JSON.createObjectNode();
          note.put("jsonrpc", "2.0");
          note.put("method", "notifications/progress");
          note.putObject("params").put("progress", 1).put("total", 2).set("progressToken", token);
          write(note);
        }
        ObjectNode log = JSON.createObjectNode();
        log.put("jsonrpc", "2.0");
        log.put("method", "notifications/message");
        log.putObject("params").put("level", "info").put("data", "welcomed " + name);
        write(log);
        if (args.hasNonNull("path")) {
          java.nio.file.Path file = java.nio.file.Path.of(args.path("path").asText());
          while (!java.nio.file.Files.exists(file) && !CANCELLED.contains(id.asText())) {
            Thread.sleep(10);
          }
        }
        text = name + ": " + greeting;
        break;
      }
      case "interview": {
        JsonNode token = params.path("_meta").get("progressToken");
        int rounds = args.path("rounds").asInt(2);
        java.util.List<String> answers = new java.util.ArrayList<>();
        for (int i = 1; i <= rounds + 1; i++) {
          if (token != null) {
            ObjectNode note = JSON.createObjectNode();
            note.put("jsonrpc", "2.0");
            note.put("method", "notifications/progress");
            ObjectNode p = note.putObject("params");
            p.set("progressToken", token);
            p.put("progress", i);
            p.put("total", rounds + 1);
            write(note);
          }
          if (i <= rounds) {
            answers.add(ask("question " + i, 60_000));
          }
        }
        text = String.join(", ", answers);
        break;
      }
      case "broadcast": {
        ObjectNode note = JSON.createObjectNode();
        note.put("jsonrpc", "2.0");
        note.put("method", "notifications/resources/list_changed");
        note.putObject("params").put("uri", args.path("uri").asText("test://x"));
        ObjectNode result = JSON.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", "broadcast");
        write(result(id, result));
        write(note);
        return;
      }
      case "log": {
        ObjectNode note = JSON.createObjectNode();
        note.put("jsonrpc", "2.0");
        note.put("method", "notifications/message");
        note.putObject("params").put("level", "info").put("data", args.path("text").asText("log line"));
        write(note);
        text = "logged";
        break;
      }
      case "big": {
        String unit = args.path("unit").asText("x");
        writeBig(id, args.path("chars").asLong(10), unit, args.path("idLast").asBoolean(false),
            args.path("isError").asBoolean(false), null);
        return;
      }
      case "hang":
        hung = true;
        return;
      case "garbage":
        writeRaw("this is not JSON");
        writeRaw("{\"jsonrpc\":\"2.0\",\"id\":");
        writeRaw("[1,2,3]");
        writeRaw("{\"jsonrpc\":\"2.0\"}");
        writeRaw("\"a string\"");
        text = "after garbage";
        break;
      case "strayid": {
        ObjectNode stray = JSON.createObjectNode();
        stray.put("text", "stray");
        write(result(JSON.getNodeFactory().numberNode(987654321L), stray));
        write(result(JSON.getNodeFactory().textNode("nobody-asked"), stray));
        write(error(JSON.getNodeFactory().numberNode(-1), -32603, "stray error"));
        text = "after stray ids";
        break;
      }
      case "flood": {
        int count = args.path("count").asInt(1000);
        String padding = "x".repeat(args.path("bytes").asInt(1000));
        for (int i = 0; i < count; i++) {
          ObjectNode note = JSON.createObjectNode();
          note.put("jsonrpc", "2.0");
          note.put("method", "notifications/resources/list_changed");
          note.putObject("params").put("uri", "test://flood/" + i + "/" + padding);
          write(note);
        }
        text = "flooded " + count;
        break;
      }
      case "leak":
        if (leak(id, params)) {
          return;
        }
        text = "leaked";
        break;
      case "mirrored":
        text = "mirrored " + args.path("region").asText();
        break;
      case "cancellations":
        text = String.join(",", CANCELLED);
        break;
      case "crash":
        System.exit(3);
        return;
      case "stderr":
        System.err.println(args.path("line").asText("to stderr"));
        text = "written";
        break;
      default:
        write(error(id, -32602, "unknown tool: " + params.path("name").asText()));
        return;
    }
    ObjectNode result = JSON.createObjectNode();
    result.putArray("content").addObject().put("type", "text").put("text", text);
    write(result(id, result));
  }

  /** Sends a sampling request to the client and waits up to {@code millis} for its answer's text. */
  private static String ask(String prompt, long millis) throws InterruptedException, java.io.IOException {
    String requestId = "srv-" + nextRequestId();
    ObjectNode request = JSON.createObjectNode();
    request.put("jsonrpc", "2.0");
    request.put("id", requestId);
    request.put("method", "sampling/createMessage");
    request.putObject("params").put("maxTokens", 10).putArray("messages").addObject()
        .put("role", "user").putObject("content").put("type", "text").put("text", prompt);
    String key = JSON.writeValueAsString(requestId);
    Object lock = new Object();
    LOCKS.put(key, lock);
    write(request);
    long deadline = System.currentTimeMillis() + millis;
    synchronized (lock) {
      while (!WAITING.containsKey(key) && System.currentTimeMillis() < deadline) {
        lock.wait(100);
      }
    }
    LOCKS.remove(key);
    JsonNode answer = WAITING.remove(key);
    return answer == null ? "no answer" : answer.path("result").path("content").path("text").asText(answer.toString());
  }

  private static synchronized long nextRequestId() {
    return ++nextId;
  }

  /** Sends the client a request and waits up to a minute for its answer; null without one. */
  private static JsonNode askClient(String method, JsonNode params) throws InterruptedException, java.io.IOException {
    String requestId = "srv-" + nextRequestId();
    ObjectNode request = JSON.createObjectNode();
    request.put("jsonrpc", "2.0");
    request.put("id", requestId);
    request.put("method", method);
    request.set("params", params);
    String key = JSON.writeValueAsString(requestId);
    Object lock = new Object();
    LOCKS.put(key, lock);
    write(request);
    long deadline = System.currentTimeMillis() + 60_000;
    synchronized (lock) {
      while (!WAITING.containsKey(key) && System.currentTimeMillis() < deadline) {
        lock.wait(100);
      }
    }
    LOCKS.remove(key);
    return WAITING.remove(key);
  }

  /** A GitHub-like token that is no environment value: only the credential patterns catch it. */
  public static final String TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";

  /** Says the secret through {@code via}; true when it answered the call itself. */
  private static boolean leak(JsonNode id, JsonNode params) throws Exception {
    JsonNode args = params.path("arguments");
    String secret = String.valueOf(System.getenv("LEAK_SECRET"));
    String said = "the secret is " + secret + " and the token " + TOKEN;
    switch (args.path("via").asText()) {
      case "message": {
        ObjectNode note = JSON.createObjectNode();
        note.put("jsonrpc", "2.0");
        note.put("method", "notifications/message");
        note.putObject("params").put("level", "error").put("logger", secret).putObject("data").put("detail", said);
        write(note);
        return false;
      }
      case "progress": {
        ObjectNode note = JSON.createObjectNode();
        note.put("jsonrpc", "2.0");
        note.put("method", "notifications/progress");
        ObjectNode p = note.putObject("params");
        p.set("progressToken", params.path("_meta").get("progressToken"));
        p.put("progress", 1);
        p.put("message", said);
        write(note);
        return false;
      }
      case "sample":
      case "elicit": {
        String requestId = "srv-" + (++nextId);
        ObjectNode request = JSON.createObjectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", requestId);
        if (args.path("via").asText().equals("sample")) {
          request.put("method", "sampling/createMessage");
          request.putObject("params").put("maxTokens", 10).putArray("messages").addObject()
              .put("role", "user").putObject("content").put("type", "text").put("text", said);
        } else {
          request.put("method", "elicitation/create");
          request.putObject("params").put("message", said).putObject("requestedSchema").put("type", "object");
        }
        String key = JSON.writeValueAsString(requestId);
        Object lock = new Object();
        LOCKS.put(key, lock);
        write(request);
        long deadline = System.currentTimeMillis() + 10_000;
        synchronized (lock) {
          while (!WAITING.containsKey(key) && System.currentTimeMillis() < deadline) {
            lock.wait(100);
          }
        }
        WAITING.remove(key);
        return false;
      }
      case "error": {
        ObjectNode response = error(id, -32000, "git push failed: " + said);
        ((ObjectNode) response.get("error")).putObject("data").put("env", secret).put(secret, "as a key");
        write(response);
        return true;
      }
      case "stderr":
        System.err.println("failed with " + said);
        System.err.flush();
        return false;
      case "stderrbig": {
        StringBuilder line = new StringBuilder(1 << 20);
        line.append(said).append(' ');
        while (line.length() < 8192 - 10) {
          line.append('x');
        }
        line.append(secret); // straddles the 8 KiB cut
        while (line.length() < (1 << 20)) {
          line.append('y');
        }
        System.err.println(line.append(' ').append(secret));
        System.err.flush();
        return false;
      }
      case "big": {
        long size = args.path("chars").asLong(1 << 20);
        String unit = secret + ' ';
        long units = (size + unit.length() - 1) / unit.length();
        writeBig(id, units * unit.length(), unit, args.path("idLast").asBoolean(false), false, said);
        return true;
      }
      default: {
        ObjectNode result = JSON.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", said);
        result.putObject("_meta").put("origin", secret);
        write(result(id, result));
        return true;
      }
    }
  }

  private static ObjectNode result(JsonNode id, JsonNode result) {
    ObjectNode response = JSON.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("result", result);
    return response;
  }

  private static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode response = JSON.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    response.putObject("error").put("code", code).put("message", message);
    return response;
  }

  /**
   * Writes a tool result whose one text is {@code chars} characters of {@code unit} over and over,
   * as it goes, in blocks of about 64 KiB: never held whole, so that a test asks for hundreds of
   * megabytes. {@code idLast} puts the id after the result, as the TypeScript SDK does;
   * {@code note}, when not null, goes to {@code structuredContent.note}.
   */
  private static synchronized void writeBig(JsonNode id, long chars, String unit, boolean idLast, boolean isError, String note)
      throws Exception {
    if (hung) {
      return;
    }
    String idJson = JSON.writeValueAsString(id);
    OUT.print(idLast ? "{\"result\":{" : "{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"result\":{");
    OUT.print("\"content\":[{\"type\":\"text\",\"text\":\"");
    int perBlock = Math.max(1, 65536 / unit.length());
    String block = escaped(unit.repeat(perBlock));
    long blockChars = (long) perBlock * unit.length();
    long left = chars;
    for (; left >= blockChars; left -= blockChars) {
      OUT.print(block);
    }
    if (left > 0) {
      OUT.print(escaped(unit.repeat(perBlock).substring(0, (int) left)));
    }
    OUT.print("\"}]");
    if (isError) {
      OUT.print(",\"isError\":true");
    }
    if (note != null) {
      OUT.print(",\"structuredContent\":{\"note\":\"" + escaped(note) + "\"}");
    }
    OUT.print(idLast ? "},\"jsonrpc\":\"2.0\",\"id\":" + idJson + "}" : "}}");
    OUT.println();
    OUT.flush();
  }

  private static String escaped(String text) throws Exception {
    String quoted = JSON.writeValueAsString(text);
    return quoted.substring(1, quoted.length() - 1);
  }

  private static synchronized void writeRaw(String line) {
    OUT.println(line);
    OUT.flush();
  }

  private static synchronized void write(JsonNode message) {
    if (hung) {
      return;
    }
    try {
      OUT.println(JSON.writeValueAsString(message));
      OUT.flush();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pid() {
    return ManagementFactory.getRuntimeMXBean().getName();
  }
}
