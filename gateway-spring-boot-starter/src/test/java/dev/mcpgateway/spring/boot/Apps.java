package dev.mcpgateway.spring.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;

/** Starts Spring Boot applications on Tomcat, 127.0.0.1 and a free port, with the auto-configuration and test beans. */
final class Apps {
  private Apps() {}

  /** The application: auto-configuration plus whatever the test adds as sources. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class TestApplication {}

  /** Writes {@code json} (with {@code PAYLOADS} replaced by a private payload directory) to {@code dir}/gateway.json. */
  static Path configFile(Path dir, String json) throws IOException {
    Path payloads = dir.resolve("payloads");
    Path file = dir.resolve("gateway.json");
    Files.writeString(file, json.replace("PAYLOADS", payloads.toString().replace("\\", "\\\\")));
    return file;
  }

  /** Runs an application with {@code sources} and {@code properties} ({@code key=value}). */
  static ConfigurableApplicationContext run(List<Class<?>> sources, String... properties) {
    return run(Apps.class.getClassLoader(), sources, properties);
  }

  /** As {@link #run(List, String...)}, loading classes with {@code classLoader} (a FilteredClassLoader hides modules). */
  static ConfigurableApplicationContext run(ClassLoader classLoader, List<Class<?>> sources, String... properties) {
    List<Class<?>> all = new ArrayList<>(List.of(TestApplication.class));
    all.addAll(sources);
    List<String> props = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
        "spring.main.banner-mode=off", "management.endpoint.health.show-details=always"));
    props.addAll(List.of(properties));
    return new SpringApplicationBuilder(all.toArray(Class<?>[]::new))
        .resourceLoader(new DefaultResourceLoader(classLoader))
        .web(WebApplicationType.SERVLET)
        .properties(props.toArray(String[]::new))
        .run();
  }

  /** {@code http://127.0.0.1:<port>} of the application's web server. */
  static String base(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
  }
}
