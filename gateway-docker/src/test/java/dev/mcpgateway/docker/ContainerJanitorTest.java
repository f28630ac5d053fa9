package dev.mcpgateway.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.await.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** When an owner label names a gateway that is gone, against real processes of this host (no engine needed). */
class ContainerJanitorTest {
  private static final String HOST = ContainerJanitor.localHostName();
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Process process : started) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process start(String script) throws Exception {
    Process process = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
    started.add(process);
    return process;
  }

  private static String label(long pid, long startMillis) {
    return HOST + "/" + pid + "/" + startMillis;
  }

  private static long startMillis(ProcessHandle process) {
    return process.info().startInstant().orElseThrow().toEpochMilli();
  }

  @Test
  void ownerThatRunsIsNotGone() throws Exception {
    Process sleeper = start("exec sleep 60");

    assertThat(ContainerJanitor.isGone(ContainerJanitor.ownerLabel(HOST, sleeper.toHandle()), HOST)).isFalse();
    assertThat(ContainerJanitor.isGone(ContainerJanitor.ownerLabel(HOST, ProcessHandle.current()), HOST)).isFalse();
  }

  @Test
  void ownerWhoseProcessExitedAndWasReapedIsGone() throws Exception {
    Process done = start("exit 0");
    String label = ContainerJanitor.ownerLabel(HOST, done.toHandle());
    assertThat(done.waitFor(10, TimeUnit.SECONDS)).isTrue();

    assertThat(ContainerJanitor.isGone(label, HOST)).isTrue();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void ownerKilledButNotYetReapedByItsParentIsGone() throws Exception {
    // The shell forks a child that exits at once, then becomes sleep, which never reaps it.
    Process parent = start("sleep 0 & echo $!; exec sleep 60");
    long zombie = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))
        .readLine().trim());
    Await.until(Duration.ofSeconds(10), "pid " + zombie + " is a zombie", () -> state(zombie) == 'Z');
    ProcessHandle handle = ProcessHandle.of(zombie).orElseThrow();
    assertThat(handle.isAlive()).as("the JDK still calls a zombie alive").isTrue();

    assertThat(ContainerJanitor.isGone(label(zombie, startMillis(handle)), HOST)).isTrue();
    assertThat(ContainerJanitor.isGone(ContainerJanitor.ownerLabel(HOST, parent.toHandle()), HOST)).isFalse();
  }

  @Test
  void ownerWhosePidNowBelongsToAnotherProcessIsGone() throws Exception {
    ProcessHandle sleeper = start("exec sleep 60").toHandle();

    assertThat(ContainerJanitor.isGone(label(sleeper.pid(), startMillis(sleeper) - 60_000), HOST)).isTrue();
    assertThat(ContainerJanitor.isGone(label(sleeper.pid(), startMillis(sleeper) + 60_000), HOST)).isTrue();
  }

  @Test
  void startTimeReadUpToTheToleranceApartStillNamesTheSameProcess() throws Exception {
    ProcessHandle sleeper = start("exec sleep 60").toHandle();
    long tolerance = ContainerJanitor.START_TOLERANCE_MILLIS;

    assertThat(ContainerJanitor.isGone(label(sleeper.pid(), startMillis(sleeper) - 1000), HOST)).isFalse();
    assertThat(ContainerJanitor.isGone(label(sleeper.pid(), startMillis(sleeper) + tolerance), HOST)).isFalse();
    assertThat(ContainerJanitor.isGone(label(sleeper.pid(), 0), HOST)).as("an unknown start time decides nothing").isFalse();
  }

  @Test
  void ownerOnAnotherHostOrWithALabelThatDoesNotParseIsNeverGone() throws Exception {
    Process done = start("exit 0");
    done.waitFor(10, TimeUnit.SECONDS);

    assertThat(ContainerJanitor.isGone("other-host/" + done.pid() + "/1", HOST)).isFalse();
    assertThat(ContainerJanitor.isGone(HOST + "/" + done.pid(), HOST)).isFalse();
    assertThat(ContainerJanitor.isGone(HOST + "/pid/1", HOST)).isFalse();
  }

  private static char state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (Exception e) {
      return '?';
    }
  }
}
