package io.github.sparknpy.bench;

import java.util.Locale;

/**
 * The machine-readable lines the benchmarks print beside their tables, which {@code bin/bench}
 * collects into one CSV ({@link #HEADER}) for {@link BenchChart}: one line per system measured in a
 * scenario, the median time, and whether that system is the scenario's baseline.
 */
public final class BenchCsv {
  /** The prefix that marks a CSV line in a benchmark's output. */
  public static final String PREFIX = "CSV,";

  public static final String HEADER = "group,scenario,system,median_seconds,baseline";

  private BenchCsv() {}

  /** Prints one line: {@code system}'s median time in {@code scenario} of {@code group}. */
  public static void row(
      String group, String scenario, String system, double medianSeconds, boolean baseline) {
    System.out.println(
        PREFIX
            + String.join(
                ",",
                clean(group),
                clean(scenario),
                clean(system),
                String.format(Locale.ROOT, "%.9f", medianSeconds),
                Boolean.toString(baseline)));
  }

  private static String clean(String s) {
    return s.replace(',', ';').replace('\n', ' ');
  }
}
