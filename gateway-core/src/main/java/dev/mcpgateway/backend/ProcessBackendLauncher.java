package dev.mcpgateway.backend;

import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ServerConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs {@code command} servers as child processes of the gateway, speaking newline-delimited
 * JSON-RPC on stdin/stdout.
 *
 * <p><b>No isolation:</b> the child runs on the host with the gateway's user. It is opt-in:
 * register it for {@link BackendKind#COMMAND} only where you trust the command. The child gets
 * a clean environment: a few harmless variables from the gateway's own ({@code PATH},
 * {@code HOME}, locale and temp directory by default) plus exactly what the server's
 * {@code env} names; the gateway's own secrets are not inherited. Its stderr goes to the SLF4J
 * logger {@code dev.mcpgateway.server.<name>}, never to a client, each line bounded to 8 KiB and
 * redacted ({@link StderrLines}). On close it gets EOF on stdin,
 * then TERM, then KILL, each after a grace period, and so do its descendants.
 *
 * <p>Thread-safe; one instance serves every server.
 */
public final class ProcessBackendLauncher implements BackendLauncher {
  /** Variables a child inherits from the gateway unless {@link Builder#inheritedVariables(Set)} says otherwise. */
  public static final Set<String> DEFAULT_INHERITED = Set.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "USER");

  private final Duration gracePeriod;
  private final Set<String> inheritedVariables;
  private final Path workingDirectory;

  private ProcessBackendLauncher(Builder b) {
    this.gracePeriod = b.gracePeriod;
    this.inheritedVariables = Set.copyOf(b.inheritedVariables);
    this.workingDirectory = b.workingDirectory;
  }

  /**
   * Starts a builder with the defaults: 2 s grace period, {@link #DEFAULT_INHERITED}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Backend launch(LaunchRequest request) throws IOException {
    ServerConfig server = request.server();
    String command = server.command().orElseThrow(() -> new IOException(
        "server '" + server.name() + "' has no command; the process launcher only runs command servers"));
    List<String> commandLine = new ArrayList<>();
    commandLine.add(command);
    commandLine.addAll(server.args());
    ProcessBuilder builder = new ProcessBuilder(commandLine);
    Map<String, String> env = builder.environment();
    env.keySet().retainAll(inheritedVariables);
    env.putAll(request.environment());
    if (workingDirectory != null) {
      builder.directory(workingDirectory.toFile());
    }
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
    builder.redirectError(ProcessBuilder.Redirect.PIPE);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("server '" + server.name() + "' could not start command '" + command + "': "
          + rootMessage(e) + hint(command), e);
    }
    return new ProcessBackend(server.name(), process, request, gracePeriod);
  }

  private static String hint(String command) {
    if (command.contains(File.separator)) {
      return "";
    }
    return " (is it on the PATH?)";
  }

  private static String rootMessage(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  @Override
  public String toString() {
    return "ProcessBackendLauncher{grace=" + gracePeriod + "}";
  }

  /** Builds a {@link ProcessBackendLauncher}. */
  public static final class Builder {
    private Duration gracePeriod = Duration.ofSeconds(2);
    private Set<String> inheritedVariables = DEFAULT_INHERITED;
    private Path workingDirectory;

    private Builder() {}

    /**
     * How long to wait after EOF, and again after TERM, before the next step.
     *
     * @param gracePeriod the wait at each step, zero or more
     * @return this builder
     */
    public Builder gracePeriod(Duration gracePeriod) {
      Objects.requireNonNull(gracePeriod, "gracePeriod");
      if (gracePeriod.isNegative()) {
        throw new IllegalArgumentException("gracePeriod must not be negative: " + gracePeriod);
      }
      this.gracePeriod = gracePeriod;
      return this;
    }

    /**
     * Which of the gateway's environment variables children inherit (besides the server's {@code env}).
     *
     * @param names the variable names
     * @return this builder
     */
    public Builder inheritedVariables(Set<String> names) {
      this.inheritedVariables = Set.copyOf(names);
      return this;
    }

    /**
     * The children's working directory; the gateway's by default.
     *
     * @param directory the directory
     * @return this builder
     */
    public Builder workingDirectory(Path directory) {
      this.workingDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Builds the launcher.
     *
     * @return the launcher
     */
    public ProcessBackendLauncher build() {
      return new ProcessBackendLauncher(this);
    }
  }
}
