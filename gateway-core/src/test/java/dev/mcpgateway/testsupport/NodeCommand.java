package dev.mcpgateway.testsupport;

import dev.mcpgateway.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Node.js command line with the environment it needs: how a test starts an npm MCP server, the
 * TypeScript SDK client scripts or the conformance suite. Built by {@link NodeTools}.
 *
 * <p>Immutable. The environment holds only the variables this command adds; the process also
 * inherits the test JVM's environment.
 *
 * @param commandLine the executable (an absolute path to {@code node}) and its arguments
 * @param environment variables added to the inherited environment
 */
public record NodeCommand(List<String> commandLine, Map<String, String> environment) {

  /** Copies both collections; the command line must not be empty. */
  public NodeCommand {
    commandLine = List.copyOf(commandLine);
    environment = Map.copyOf(environment);
    if (commandLine.isEmpty()) {
      throw new IllegalArgumentException("commandLine is empty");
    }
  }

  /** A command without extra environment variables. */
  public static NodeCommand of(List<String> commandLine) {
    return new NodeCommand(commandLine, Map.of());
  }

  /** The executable, {@code commandLine().get(0)}. */
  public String executable() {
    return commandLine.get(0);
  }

  /** The arguments after the executable. */
  public List<String> args() {
    return commandLine.subList(1, commandLine.size());
  }

  /** This command with more arguments appended. */
  public NodeCommand withArgs(String... more) {
    List<String> line = new ArrayList<>(commandLine);
    line.addAll(List.of(more));
    return new NodeCommand(line, environment);
  }

  /** This command with one more environment variable (replacing one of the same name). */
  public NodeCommand withEnv(String name, String value) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new NodeCommand(commandLine, env);
  }

  /** A process builder for this command, its environment applied; stdio left as pipes. */
  public ProcessBuilder processBuilder() {
    ProcessBuilder builder = new ProcessBuilder(commandLine);
    builder.environment().putAll(environment);
    return builder;
  }

  /** Starts this command in the current directory. The caller closes the returned process. */
  public NodeProcess start() throws IOException {
    return NodeProcess.start(this, null);
  }

  /** Starts this command in {@code workingDirectory}. The caller closes the returned process. */
  public NodeProcess start(Path workingDirectory) throws IOException {
    return NodeProcess.start(this, workingDirectory);
  }

  /**
   * A gateway server config that runs this command as a host-process stdio backend, with this
   * command's environment as the server's {@code env}. Finish it with {@code build(name)}.
   */
  public ServerConfig.Builder serverConfig() {
    ServerConfig.Builder builder = ServerConfig.command(executable(), args().toArray(String[]::new));
    environment.forEach(builder::env);
    return builder;
  }

  @Override
  public String toString() {
    return String.join(" ", commandLine) + (environment.isEmpty() ? "" : " (env " + environment.keySet() + ")");
  }
}
