package dev.mcpgateway.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Process helpers of the benchmark programs: peak RSS from /proc, exit when the harness goes. */
final class Processes {
  private Processes() {}

  /** Blocks until standard input ends (the harness closed it or died), then exits the JVM. */
  static void exitWhenStdinCloses() {
    try {
      while (System.in.read() >= 0) {
        // the harness never writes; EOF means stop
      }
    } catch (IOException e) {
      // treated as EOF
    }
    System.exit(0);
  }

  /** Peak resident set size (VmHWM) of {@code pid}, in KiB; 0 when unknown. */
  static long peakRssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /** The sum of the peak RSS of a process and all its descendants, in KiB. */
  static long treePeakRssKib(ProcessHandle process) {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(process);
    process.descendants().forEach(all::add);
    long total = 0;
    for (ProcessHandle p : all) {
      total += peakRssKib(p.pid());
    }
    return total;
  }
}
