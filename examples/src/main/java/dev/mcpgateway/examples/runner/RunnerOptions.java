package dev.mcpgateway.examples.runner;

import java.nio.file.Path;
import java.util.List;

/**
 * The runner's command line: {@code [--config FILE | -] [--listen HOST:PORT] [--log-dir DIR] [--unified]}.
 *
 * @param config the configuration file; null for standard input
 * @param host the address to listen on
 * @param port the port to listen on; null for the configuration's {@code gateway.port}
 * @param logDir where to write log files; null for standard error only
 * @param unified whether to serve the unified endpoint {@code /mcp} too
 */
record RunnerOptions(Path config, String host, Integer port, Path logDir, boolean unified) {
  static final String USAGE = "usage: java -jar mcp-gateway.jar [--config FILE | -] [--listen HOST:PORT] [--log-dir DIR] [--unified]";

  /** Parses arguments; throws {@link IllegalArgumentException} with a message for the user. */
  static RunnerOptions parse(List<String> args, String logDirFromEnvironment) {
    Path config = null;
    String host = "127.0.0.1";
    Integer port = null;
    boolean unified = false;
    Path logDir = logDirFromEnvironment == null || logDirFromEnvironment.isBlank() ? null : Path.of(logDirFromEnvironment);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--config":
          String file = value(args, ++i, arg);
          config = file.equals("-") ? null : Path.of(file);
          break;
        case "--listen":
          String listen = value(args, ++i, arg);
          int colon = listen.lastIndexOf(':');
          if (colon <= 0 || colon == listen.length() - 1) {
            throw new IllegalArgumentException("--listen needs HOST:PORT, got '" + listen + "'");
          }
          host = listen.substring(0, colon);
          if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
          }
          try {
            port = Integer.parseInt(listen.substring(colon + 1));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen port must be a number, got '" + listen.substring(colon + 1) + "'");
          }
          if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen port must be 0-65535, got " + port);
          }
          break;
        case "--log-dir":
          logDir = Path.of(value(args, ++i, arg));
          break;
        case "--unified":
          unified = true;
          break;
        case "-h":
        case "--help":
          throw new IllegalArgumentException(USAGE);
        default:
          throw new IllegalArgumentException("unknown argument '" + arg + "'\n" + USAGE);
      }
    }
    return new RunnerOptions(config, host, port, logDir, unified);
  }

  private static String value(List<String> args, int index, String option) {
    if (index >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args.get(index);
  }
}
