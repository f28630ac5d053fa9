package dev.mcpgateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpgateway.backend.Backend;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.backend.BackendListener;
import dev.mcpgateway.backend.LaunchRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link BackendLauncher} whose backends are MCP servers in memory, for testing host
 * applications without processes or containers: they answer {@code initialize}, {@code ping},
 * {@code tools/list} and {@code tools/call} of the tools {@code echo} ({@code {"message": ...}})
 * and {@code env} ({@code {"name": ...}}: the value of that variable of the launch's
 * environment), each on its own thread, as a process's reader would. Servers named with
 * {@link Builder#unstartable} fail to launch, and those named with
 * {@link Builder#exitingAfterFirstMessage} exit on their own, so that a test can see what its
 * host does then. Thread-safe; remembers what it launched.
 *
 * <pre>{@code
 * InMemoryBackendLauncher launcher = new InMemoryBackendLauncher();
 * McpGateway gateway = McpGateway.builder(config).launcher(BackendKind.COMMAND, launcher).build();
 * }</pre>
 */
public final class InMemoryBackendLauncher implements BackendLauncher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Set<String> unstartable;
  private final Set<String> exiting;
  private final List<LaunchRequest> launched = new CopyOnWriteArrayList<>();
  private final List<Backend> backends = new CopyOnWriteArrayList<>();

  /** A launcher whose servers all start and run until they are closed. */
  public InMemoryBackendLauncher() {
    this(new Builder());
  }

  private InMemoryBackendLauncher(Builder b) {
    this.unstartable = Set.copyOf(b.unstartable);
    this.exiting = Set.copyOf(b.exiting);
  }

  /**
   * Starts a builder for a launcher with servers that fail to start or exit on their own.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts an in-memory server for {@code request}.
   *
   * @throws IOException naming the server when it is one of {@link Builder#unstartable}
   */
  @Override
  public Backend launch(LaunchRequest request) throws IOException {
    String server = request.server().name();
    if (unstartable.contains(server)) {
      throw new IOException("server '" + server + "' could not start: the in-memory launcher was told it cannot");
    }
    launched.add(request);
    Backend backend = new EchoBackend(server, request.environment(), request.listener(), exiting.contains(server));
    backends.add(backend);
    return backend;
  }

  /**
   * Every launch so far, in order.
   *
   * @return the launch requests, a snapshot
   */
  public List<LaunchRequest> launched() {
    return List.copyOf(launched);
  }

  /**
   * How many launched backends are still running.
   *
   * @return the number of backends alive
   */
  public long running() {
    return backends.stream().filter(Backend::isAlive).count();
  }

  @Override
  public String toString() {
    return "InMemoryBackendLauncher{launched=" + launched.size() + "}";
  }

  /** Builds an {@link InMemoryBackendLauncher}. */
  public static final class Builder {
    private final Set<String> unstartable = new TreeSet<>();
    private final Set<String> exiting = new TreeSet<>();

    private Builder() {}

    /**
     * Launches of these servers throw an {@link IOException} naming the server, as a missing command would.
     *
     * @param servers server names
     * @return this builder
     */
    public Builder unstartable(String... servers) {
      for (String server : servers) {
        unstartable.add(Objects.requireNonNull(server, "server"));
      }
      return this;
    }

    /**
     * These servers exit on their own, as a crashing process would, once they have read their
     * first message (without answering it): the listener hears {@code exited with status 1}.
     *
     * @param servers server names
     * @return this builder
     */
    public Builder exitingAfterFirstMessage(String... servers) {
      for (String server : servers) {
        exiting.add(Objects.requireNonNull(server, "server"));
      }
      return this;
    }

    /**
     * Builds the launcher.
     *
     * @return a new launcher
     */
    public InMemoryBackendLauncher build() {
      return new InMemoryBackendLauncher(this);
    }
  }

  private static final class EchoBackend implements Backend {
    private final String server;
    private final Map<String, String> environment;
    private final BackendListener listener;
    private final boolean exitAfterFirstMessage;
    private final ExecutorService thread;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Thread worker;

    EchoBackend(String server, Map<String, String> environment, BackendListener listener, boolean exitAfterFirstMessage) {
      this.server = server;
      this.environment = environment;
      this.listener = listener;
      this.exitAfterFirstMessage = exitAfterFirstMessage;
      this.thread = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "in-memory-" + server);
        t.setDaemon(true);
        worker = t;
        return t;
      });
    }

    @Override
    public void send(byte[] message) throws IOException {
      if (ended.get()) {
        throw new IOException("server '" + server + "' is no longer running");
      }
      if (exitAfterFirstMessage) {
        run(() -> end("exited with status 1"));
        return;
      }
      JsonNode request = JSON.readTree(message);
      if (!request.hasNonNull("id") || !request.has("method")) {
        return; // notifications and responses need no answer
      }
      run(() -> {
        if (!ended.get()) {
          listener.onMessage(answer(request));
        }
      });
    }

    private void run(Runnable task) throws IOException {
      try {
        thread.execute(task);
      } catch (RejectedExecutionException e) {
        throw new IOException("server '" + server + "' is no longer running", e); // it ended meanwhile
      }
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
          ArrayNode tools = result.putArray("tools");
          tool(tools, "echo", "message");
          tool(tools, "env", "name");
          break;
        case "tools/call":
          JsonNode arguments = request.path("params").path("arguments");
          String text;
          switch (request.path("params").path("name").asText()) {
            case "echo":
              text = arguments.path("message").asText();
              break;
            case "env":
              text = String.valueOf(environment.get(arguments.path("name").asText()));
              break;
            default:
              response.putObject("error").put("code", -32602).put("message", "unknown tool");
              return bytes(response);
          }
          result.putArray("content").addObject().put("type", "text").put("text", text);
          break;
        default:
          response.putObject("error").put("code", -32601).put("message", "method not found");
          return bytes(response);
      }
      response.set("result", result);
      return bytes(response);
    }

    private static void tool(ArrayNode tools, String name, String argument) {
      ObjectNode tool = tools.addObject();
      tool.put("name", name);
      tool.putObject("inputSchema").put("type", "object").putObject("properties").putObject(argument).put("type", "string");
    }

    private static byte[] bytes(JsonNode node) {
      try {
        return JSON.writeValueAsBytes(node);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Ends the server once, telling the listener why. */
    private void end(String reason) {
      if (ended.compareAndSet(false, true)) {
        thread.shutdown();
        listener.onExit(reason);
      }
    }

    @Override
    public boolean isAlive() {
      return !ended.get();
    }

    @Override
    public String describe() {
      return "in-memory " + server;
    }

    /** Ends the server and, unless called from it, waits until its thread has delivered its last message. */
    @Override
    public void close() {
      end("stopped by the gateway");
      if (Thread.currentThread() == worker) {
        return;
      }
      try {
        thread.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
