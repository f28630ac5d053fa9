package dev.mcpgateway.examples.runner;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.mcpgateway.await.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Buffered log lines are never lost: a lone line shows within the flush delay, every line at stop, in order. */
class BufferedFileAppenderTest {
  @TempDir
  Path dir;

  @Test
  void aLoneLineShowsWithinTheFlushDelayAndEveryLineIsThereAtStop() throws Exception {
    Path file = dir.resolve("mcp-gateway.log");
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    BufferedFileAppender<ILoggingEvent> appender = new BufferedFileAppender<>();
    appender.setContext(context);
    appender.setFile(file.toString());
    appender.setEncoder(encoder);
    appender.start();
    Logger logger = context.getLogger("test");
    logger.addAppender(appender);

    logger.info("first");
    Await.until(Duration.ofSeconds(5), "the first line is written", () -> Files.readString(file), "first\n"::equals);

    for (int i = 0; i < 20_000; i++) {
      logger.info("line {}", i);
    }
    appender.stop();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(20_001);
    for (int i = 0; i < 20_000; i++) {
      assertThat(lines.get(i + 1)).isEqualTo("line " + i);
    }
  }
}
