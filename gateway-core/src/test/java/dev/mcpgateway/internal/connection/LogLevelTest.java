package dev.mcpgateway.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogLevelTest {

  @Test
  void levelsFollowRfc5424FromTheMostVerbose() {
    assertThat(Arrays.stream(LogLevel.values()).map(LogLevel::wireName))
        .containsExactly("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");
  }

  @Test
  void aMessagePassesASessionSetToItsLevelOrAMoreVerboseOne() {
    assertThat(LogLevel.ERROR.passes(LogLevel.ERROR)).isTrue();
    assertThat(LogLevel.ERROR.passes(LogLevel.INFO)).isTrue();
    assertThat(LogLevel.INFO.passes(LogLevel.ERROR)).isFalse();
    assertThat(LogLevel.DEBUG.passes(LogLevel.INFO)).isFalse();
    assertThat(LogLevel.EMERGENCY.passes(LogLevel.ALERT)).isTrue();
  }

  @Test
  void theMoreVerboseOfTwoLevelsIsTheUnionOfWhatTheyLetThrough() {
    assertThat(LogLevel.ERROR.moreVerbose(LogLevel.INFO)).isEqualTo(LogLevel.INFO);
    assertThat(LogLevel.INFO.moreVerbose(LogLevel.ERROR)).isEqualTo(LogLevel.INFO);
    assertThat(LogLevel.NOTICE.moreVerbose(null)).isEqualTo(LogLevel.NOTICE);
  }

  @Test
  void onlyMcpsLowerCaseNamesAreLevels() {
    for (LogLevel level : LogLevel.values()) {
      assertThat(LogLevel.of(level.wireName())).isEqualTo(level);
    }
    for (String name : List.of("ERROR", "warn", "fatal", "", " info")) {
      assertThat(LogLevel.of(name)).as(name).isNull();
    }
    assertThat(LogLevel.of(null)).isNull();
  }
}
