package dev.mcpgateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.backend.Backend;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.backend.BackendListener;
import dev.mcpgateway.backend.LaunchRequest;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link BackendLauncher} whose backends are MCP servers in memory, for testing host
 * applications without processes or containers: they answer {@code initialize}, {@code ping},
 * {@code tools/list} and {@code tools/call} of the tool {@code echo} ({@code {"message": ...}}),
 * each on its own thread, as a process's reader would. Thread-safe; remembers what it launched.
 *
 * <pre>{@code
 * InMemoryBackendLauncher launcher = new InMemoryBackendLauncher();
 * McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, launcher).build();
 * }</pre>
 */
public final class InMemoryBackendLauncher implements BackendLauncher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<LaunchRequest> launched = new CopyOnWriteArrayList<>();
  private final List<Backend> backends = new CopyOnWriteArrayList<>();

  /** A launcher that has launched nothing yet. */
  public InMemoryBackendLauncher() {
  }

  @Override
  public Backend launch(LaunchRequest request) {
    launched.add(request);
    Backend backend = new EchoBackend(request.server().name(), request.listener());
    backends.add(backend);
    return backend;
  }

  /** Every launch so far, in order. */
  public List<LaunchRequest> launched() {
    return List.copyOf(launched);
  }

  /** How many launched backends are still running. */
  public long running() {
    return backends.stream().filter(Backend::isAlive).count();
  }

  private static final class EchoBackend implements Backend {
    private final String server;
    private final BackendListener listener;
    private final ExecutorService thread;
    private final AtomicBoolean closed = new AtomicBoolean();

    EchoBackend(String server, BackendListener listener) {
      this.server = server;
      this.listener = listener;
      this.thread = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "in-memory-" + server);
        t.setDaemon(true);
        return t;
      });
    }

    @Override
    public void send(byte[] message) throws IOException {
      if (closed.get()) {
        throw new IOException("server '" + server + "' is closed");
      }
      JsonNode request = JSON.readTree(message);
      if (!request.hasNonNull("id") || !request.has("method")) {
        return; // notifications and responses need no answer
      }
      thread.execute(() -> listener.onMessage(answer(request)));
    }

    private byte[] answer(JsonNode request) {
      ObjectNode response = JSON.createObjectNode();
      response.put("jsonrpc", "2.0");
      response.set("id", request.get("id"));
      ObjectNode result = JSON.createObjectNode();
      switch (request.path("method").asText()) {
        case "initialize":
          result.put("protocolVersion", request.path("params").path("protocolVersion").asText("2025-06-18"));
          result.putObject("capabilities").putObject("tools");
          result.putObject("serverInfo").put("name", "in-memory-" + server).put("version", "1");
          break;
        case "ping":
          break;
        case "tools/list":
          ObjectNode echo = result.putArray("tools").addObject();
          echo.put("name", "echo");
          echo.putObject("inputSchema").put("type", "object").putObject("properties").putObject("message").put("type", "string");
          break;
        case "tools/call":
          if (!"echo".equals(request.path("params").path("name").asText())) {
            response.putObject("error").put("code", -32602).put("message", "unknown tool");
            return bytes(response);
          }
          result.putArray("content").addObject().put("type", "text")
              .put("text", request.path("params").path("arguments").path("message").asText());
          break;
        default:
          response.putObject("error").put("code", -32601).put("message", "method not found");
          return bytes(response);
      }
      response.set("result", result);
      return bytes(response);
    }

    private static byte[] bytes(JsonNode node) {
      try {
        return JSON.writeValueAsBytes(node);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public boolean isAlive() {
      return !closed.get();
    }

    @Override
    public String describe() {
      return "in-memory " + server;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        thread.shutdown();
        listener.onExit("stopped by the gateway");
      }
    }
  }
}
