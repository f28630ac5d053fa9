package dev.mcpgateway.examples.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes gateway JSON configurations (the runner's format) for the application under test. */
final class ConfigFiles {
  static final ObjectMapper JSON = new ObjectMapper();

  private ConfigFiles() {}

  /**
   * A configuration file in a new temporary directory: {@code apiKey} (null: none), a private
   * payload directory beside it, and one {@code command} server per entry of {@code servers}
   * (name to command line).
   */
  static Path write(String apiKey, Map<String, List<String>> servers) {
    try {
      Path dir = Files.createTempDirectory("spring-gateway");
      ObjectNode root = JSON.createObjectNode();
      ObjectNode gateway = root.putObject("gateway");
      if (apiKey != null) {
        gateway.put("apiKey", apiKey);
      }
      gateway.put("payloadDir", dir.resolve("payloads").toString());
      ObjectNode all = root.putObject("mcpServers");
      servers.forEach((name, line) -> {
        ObjectNode server = all.putObject(name);
        server.put("type", "stdio").put("command", line.get(0));
        line.subList(1, line.size()).forEach(server.putArray("args")::add);
      });
      Path file = dir.resolve("gateway.json");
      Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
