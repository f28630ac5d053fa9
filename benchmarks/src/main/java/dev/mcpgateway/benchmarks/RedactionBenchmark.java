package dev.mcpgateway.benchmarks;

import dev.mcpgateway.policy.AdversarialTexts;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.Redaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times every redaction rule (each kind and the environment secrets) and every argument guard on
 * the megabyte texts of {@link AdversarialTexts}, built to make a backtracking matcher take
 * quadratic or exponential time: each figure is the median of {@value #RUNS} runs after
 * {@value #WARMUP} warm-up runs, printed with OK when within {@value #LIMIT_MILLIS} ms, else
 * TOO SLOW. Texts go through the redaction whole and, as offloaded payloads do, streamed in
 * pieces of 64 KiB. Exits with status 1 when any figure is too slow.
 *
 * <pre>benchmarks/run.sh redaction</pre>
 */
public final class RedactionBenchmark {
  private static final int WARMUP = 5;
  private static final int RUNS = 7;
  private static final long LIMIT_MILLIS = 50;

  private RedactionBenchmark() {}

  public static void main(String[] args) {
    List<String> slow = new ArrayList<>();
    System.out.printf(Locale.ROOT, "%-20s %-52s %10s %10s%n", "rule", "input (about 1 MB)", "whole ms", "stream ms");
    Redaction redaction = AdversarialTexts.redaction();
    for (AdversarialTexts.TextCase c : AdversarialTexts.textCases()) {
      double whole = median(() -> {
        String out = redaction.redact(AdversarialTexts.SERVER, c.input());
        check(out.equals(c.expected()), c.rule(), c.name());
      });
      double streamed = median(() -> {
        StringBuilder out = new StringBuilder(c.expected().length());
        Redaction.TextStream stream = redaction.stream(AdversarialTexts.SERVER, out);
        for (int at = 0; at < c.input().length(); at += 64 * 1024) {
          stream.append(c.input().subSequence(at, Math.min(c.input().length(), at + 64 * 1024)));
        }
        stream.finish();
        check(c.streamsExactly() ? out.toString().equals(c.expected()) : out.toString().endsWith(c.expected()), c.rule(), c.name());
      });
      report(slow, c.rule(), c.name(), whole, streamed);
    }
    for (AdversarialTexts.GuardCase c : AdversarialTexts.guardCases()) {
      Interceptor guard = AdversarialTexts.guardFor(c.rule());
      double took = median(() -> {
        boolean denied = guard.onRequest(AdversarialTexts.call(c.tool(), c.arguments())).isDenied();
        check(denied == c.denied(), c.rule(), c.name());
      });
      report(slow, c.rule(), c.name(), took, Double.NaN);
    }
    System.out.println(slow.isEmpty() ? "All within " + LIMIT_MILLIS + " ms." : "TOO SLOW: " + slow);
    if (!slow.isEmpty()) {
      System.exit(1);
    }
  }

  private static void report(List<String> slow, String rule, String name, double whole, double streamed) {
    boolean ok = whole <= LIMIT_MILLIS && (Double.isNaN(streamed) || streamed <= LIMIT_MILLIS);
    if (!ok) {
      slow.add(rule + " / " + name);
    }
    System.out.printf(Locale.ROOT, "%-20s %-52s %10.1f %10s  %s%n", rule, name, whole,
        Double.isNaN(streamed) ? "-" : String.format(Locale.ROOT, "%.1f", streamed), ok ? "OK" : "TOO SLOW");
  }

  private static double median(Runnable run) {
    for (int i = 0; i < WARMUP; i++) {
      run.run();
    }
    double[] millis = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      long start = System.nanoTime();
      run.run();
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(millis);
    return millis[RUNS / 2];
  }

  private static void check(boolean right, String rule, String name) {
    if (!right) {
      throw new AssertionError("wrong result for " + rule + " / " + name);
    }
  }
}
