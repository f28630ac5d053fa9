package dev.mcpgateway.examples.support;

import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.examples.demo.DemoMcpServer;
import java.nio.file.Path;
import java.util.List;

/**
 * The examples' demo MCP server as a backend command that works before the shaded jar exists:
 * {@code java -cp <test class path> dev.mcpgateway.examples.demo.DemoMcpServer}.
 */
public final class DemoServer {
  /**
   * Every demo child's command line contains this, early: the JDK may report only the first
   * page of a long command line (the test class path is long), so the main class name is no marker.
   */
  public static final String MARKER = "-Dmcp.e2e.backend=demo";

  private DemoServer() {}

  /** The {@code java} of this JVM. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The command line: this JVM's java, the marker, this class path, the demo server's main class. */
  public static List<String> commandLine() {
    return List.of(java(), MARKER, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        DemoMcpServer.class.getName());
  }

  /** A gateway server config running the demo server as a host process. */
  public static ServerConfig config(String name) {
    List<String> line = commandLine();
    return ServerConfig.command(line.get(0)).args(line.subList(1, line.size())).build(name);
  }
}
