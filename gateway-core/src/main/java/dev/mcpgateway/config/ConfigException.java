package dev.mcpgateway.config;

/**
 * A configuration that cannot be used: names the JSON path of the problem, what is wrong, and
 * what to do instead. Never contains a secret value.
 */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The JSON path of the value at fault. */
  private final String path;

  /**
   * Creates an error at {@code path} (such as {@code $.mcpServers.github.env.TOKEN}).
   *
   * @param path the JSON path of the value at fault; {@code $} for the whole document
   * @param message what is wrong and how to fix it
   */
  public ConfigException(String path, String message) {
    super(path + ": " + message);
    this.path = path;
  }

  /** {@return the JSON path of the value at fault; {@code $} for the whole document} */
  public String path() {
    return path;
  }
}
