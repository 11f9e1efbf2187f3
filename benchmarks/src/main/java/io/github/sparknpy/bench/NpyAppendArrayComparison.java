package io.github.sparknpy.bench;

import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.dtype.ScalarDType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * This library's {@code NpyAppendArray} against Python's {@code npy-append-array} (the library it
 * ports), the same appends on both sides in one run: single rows of 8 {@code <f8} with and without
 * header rewrites, and 1 MiB blocks from a {@code double[]}, a heap and a direct {@code
 * ByteBuffer}. Each side is timed from opening the appender to its close (the Python side by
 * itself, so interpreter start-up is not counted); the order alternates every repetition; both
 * files must be byte-identical (the first round compares them whole, later ones length and header).
 * Prints a markdown table, then {@link BenchCsv} lines for {@code bin/bench}.
 *
 * <pre>bin/bench-core-vs-python [DIR] [quick] [key=value ...]</pre>
 *
 * <p>Keys: {@code rows} (200000) single-row appends per run; {@code blocks} (1024) 1 MiB blocks per
 * run; {@code reps} (5) measured repetitions after {@code warmup} (1); {@code python} (python3).
 * The Python library is imported from {@code PYTHONPATH}: install it with {@code pip install
 * npy-append-array}, or point the environment variable {@code NPY_APPEND_ARRAY_PATH} at a checkout
 * of it. Without it the run stops and says so.
 */
public final class NpyAppendArrayComparison {
  private static final int BLOCK_ROWS = 16384;
  private static final int MIB = 1 << 20;

  private final Path dir;
  private final int rows;
  private final int blocks;
  private final int reps;
  private final int warmup;
  private final String python;
  private final Path script;
  private final List<String[]> table = new ArrayList<>();
  private final List<String[]> csvRows = new ArrayList<>();

  @FunctionalInterface
  private interface JavaSide {
    void run(Path file) throws IOException;
  }

  private NpyAppendArrayComparison(Map<String, String> s, Path dir) throws IOException {
    boolean quick = Boolean.parseBoolean(s.getOrDefault("quick", "false"));
    this.dir = dir;
    this.rows = Integer.parseInt(s.getOrDefault("rows", quick ? "50000" : "200000"));
    this.blocks = Integer.parseInt(s.getOrDefault("blocks", quick ? "256" : "1024"));
    this.reps = Integer.parseInt(s.getOrDefault("reps", quick ? "3" : "5"));
    this.warmup = Integer.parseInt(s.getOrDefault("warmup", "1"));
    this.python = s.getOrDefault("python", "python3");
    this.script = dir.resolve("npy_append_array_side.py");
    try (InputStream in =
        NpyAppendArrayComparison.class.getResourceAsStream("/bench/npy_append_array_side.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> s = new LinkedHashMap<>();
    Path base = Path.of(System.getProperty("java.io.tmpdir"));
    for (String a : args) {
      if (a.equals("quick")) {
        s.put("quick", "true");
      } else if (a.contains("=")) {
        s.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else {
        base = Path.of(a);
      }
    }
    for (String key : s.keySet()) {
      if (!List.of("quick", "rows", "blocks", "reps", "warmup", "python").contains(key)) {
        throw new IllegalArgumentException(
            "Unknown setting '" + key + "'; known: quick rows blocks reps warmup python");
      }
    }
    Files.createDirectories(base);
    Path dir = Files.createTempDirectory(base, "npy-vs-python-");
    try {
      NpyAppendArrayComparison b = new NpyAppendArrayComparison(s, dir);
      b.checkPythonLibrary();
      b.run();
      b.print();
    } finally {
      BenchFiles.deleteRecursively(dir);
    }
  }

  private void checkPythonLibrary() throws IOException {
    Result r = exec(List.of(python, "-c", "import npy_append_array, numpy"));
    if (r.status != 0) {
      throw new IllegalStateException(
          "Python's npy-append-array is not importable by "
              + python
              + " ("
              + r.output.strip()
              + "). Install it (pip install npy-append-array) or set NPY_APPEND_ARRAY_PATH to a"
              + " checkout of https://github.com/xor2k/npy-append-array, and run again.");
    }
  }

  private void run() throws IOException {
    for (boolean rewrite : new boolean[] {true, false}) {
      long[][] t =
          measure(
              "rows rewrite=" + rewrite,
              "rows",
              rows,
              rewrite,
              file -> {
                double[] row = new double[BenchFiles.COLS];
                try (NpyAppendArray a =
                    NpyAppendArray.builder(file).rewriteHeaderOnAppend(rewrite).open()) {
                  for (int i = 0; i < rows; i++) {
                    row[0] = i;
                    a.appendRow(row);
                  }
                }
              });
      addPerCall(
          String.format(
              Locale.ROOT,
              "single-row appends (1, 8) <f8, %,d calls, header rewrite %s",
              rows,
              rewrite ? "on" : "off"),
          t);
    }
    double[] block = new double[BLOCK_ROWS * BenchFiles.COLS];
    Arrays.setAll(block, i -> i);
    ByteBuffer heap = ByteBuffer.allocate(MIB).order(ByteOrder.LITTLE_ENDIAN);
    heap.asDoubleBuffer().put(block);
    ByteBuffer direct = ByteBuffer.allocateDirect(MIB).order(ByteOrder.LITTLE_ENDIAN);
    direct.put(heap.duplicate()).flip();
    Map<String, JavaSide> kinds = new LinkedHashMap<>();
    kinds.put(
        "double[]",
        file -> {
          try (NpyAppendArray a = NpyAppendArray.open(file)) {
            for (int i = 0; i < blocks; i++) {
              a.append(block, BLOCK_ROWS, BenchFiles.COLS);
            }
          }
        });
    kinds.put(
        "heap ByteBuffer",
        file -> {
          try (NpyAppendArray a = NpyAppendArray.open(file)) {
            for (int i = 0; i < blocks; i++) {
              a.append(heap.duplicate(), ScalarDType.FLOAT64, BLOCK_ROWS, BenchFiles.COLS);
            }
          }
        });
    kinds.put(
        "direct ByteBuffer",
        file -> {
          try (NpyAppendArray a = NpyAppendArray.open(file)) {
            for (int i = 0; i < blocks; i++) {
              a.append(direct.duplicate(), ScalarDType.FLOAT64, BLOCK_ROWS, BenchFiles.COLS);
            }
          }
        });
    for (Map.Entry<String, JavaSide> kind : kinds.entrySet()) {
      long[][] t = measure("blocks " + kind.getKey(), "blocks", blocks, true, kind.getValue());
      addThroughput(
          String.format(
              Locale.ROOT,
              "1 MiB block appends from a %s, %,d MiB, header rewrite on",
              kind.getKey(),
              blocks),
          t);
    }
  }

  /** Alternates the two sides for warmup + reps rounds; returns {java times, python times}. */
  private long[][] measure(String label, String mode, int n, boolean rewrite, JavaSide javaSide)
      throws IOException {
    long[][] times = new long[2][reps];
    for (int round = 0; round < warmup + reps; round++) {
      Path javaFile = dir.resolve("java.npy");
      Path pyFile = dir.resolve("python.npy");
      long java = 0;
      long py = 0;
      for (int k = 0; k < 2; k++) {
        boolean javaTurn = (round + k) % 2 == 0;
        if (javaTurn) {
          Files.deleteIfExists(javaFile);
          long t0 = System.nanoTime();
          javaSide.run(javaFile);
          java = System.nanoTime() - t0;
        } else {
          Files.deleteIfExists(pyFile);
          Result r =
              exec(
                  List.of(
                      python,
                      script.toString(),
                      mode,
                      pyFile.toString(),
                      Integer.toString(n),
                      Boolean.toString(rewrite)));
          if (r.status != 0) {
            throw new IllegalStateException("The Python side failed: " + r.output);
          }
          py = Long.parseLong(r.output.strip().lines().reduce((a, b) -> b).orElseThrow());
        }
      }
      checkSame(javaFile, pyFile, round == 0);
      if (round >= warmup) {
        times[0][round - warmup] = java;
        times[1][round - warmup] = py;
      }
      System.err.printf(
          Locale.ROOT,
          "[bench] %s %s %d: java %.1f ms, python %.1f ms%n",
          label,
          round < warmup ? "warm-up" : "rep",
          round < warmup ? round + 1 : round - warmup + 1,
          java / 1e6,
          py / 1e6);
    }
    return times;
  }

  /** Both sides must have written the same file. */
  private static void checkSame(Path a, Path b, boolean whole) throws IOException {
    long size = Files.size(a);
    if (size != Files.size(b)) {
      throw new IllegalStateException(
          a + " has " + size + " bytes and " + b + " has " + Files.size(b));
    }
    if (whole ? Files.mismatch(a, b) != -1 : !Arrays.equals(head(a), head(b))) {
      throw new IllegalStateException(a + " and " + b + " differ");
    }
    Files.delete(a);
    Files.delete(b);
  }

  private static byte[] head(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return in.readNBytes(4096);
    }
  }

  private void addPerCall(String scenario, long[][] t) {
    double java = median(t[0]) / rows;
    double py = median(t[1]) / rows;
    double speedup = medianRatio(t[1], t[0]);
    csv(rewriteOf(scenario), java / 1e9, py / 1e9);
    table.add(
        new String[] {
          scenario,
          "≥ 10× faster per call",
          fmtMicros(java),
          fmtMicros(py),
          String.format(Locale.ROOT, "%.1f×", speedup),
          speedup >= 10 ? "PASS" : "FAIL"
        });
  }

  private void addThroughput(String scenario, long[][] t) {
    double mib = blocks;
    double java = mib / (median(t[0]) / 1e9);
    double py = mib / (median(t[1]) / 1e9);
    double ratio = medianRatio(t[1], t[0]);
    csv(blockKindOf(scenario), median(t[0]) / 1e9, median(t[1]) / 1e9);
    table.add(
        new String[] {
          scenario,
          "≥ 1.0× throughput",
          String.format(Locale.ROOT, "%,.0f MiB/s", java),
          String.format(Locale.ROOT, "%,.0f MiB/s", py),
          String.format(Locale.ROOT, "%.2f×", ratio),
          ratio >= 1.0 ? "PASS" : "FAIL"
        });
  }

  private static String rewriteOf(String scenario) {
    return "one row; header rewrite " + (scenario.endsWith("on") ? "on" : "off");
  }

  private static String blockKindOf(String scenario) {
    return "1 MiB blocks; " + scenario.replaceAll("^.*from an? ([^,]*),.*$", "$1");
  }

  /** The two medians for bin/bench's CSV (per call or per run, in seconds). */
  private void csv(String scenario, double java, double python) {
    csvRows.add(new String[] {scenario, "spark-npy", Double.toString(java), "false"});
    csvRows.add(new String[] {scenario, "npy-append-array", Double.toString(python), "true"});
  }

  private void print() {
    Runtime rt = Runtime.getRuntime();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "## NpyAppendArray vs Python npy-append-array%n%n%d cores, Java %s, %s; medians of %d"
                + " alternating runs after %d warm-up; neither side fsyncs%n%n",
            rt.availableProcessors(),
            System.getProperty("java.version"),
            python,
            reps,
            warmup));
    sb.append("| scenario | target | this project | npy-append-array | ratio | result |\n");
    sb.append("|---|---|---:|---:|---:|---|\n");
    for (String[] row : table) {
      sb.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    sb.append(
        "\nRatio: the median of per-round ratios (Python time / Java time), so above 1 means this"
            + " project is faster.\n\n");
    System.out.print(sb);
    for (String[] csv : csvRows) {
      BenchCsv.row(
          "core append", csv[0], csv[1], Double.parseDouble(csv[2]), csv[3].equals("true"));
    }
  }

  private static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }

  private static double medianRatio(long[] num, long[] den) {
    double[] r = new double[num.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = num[i] / (double) den[i];
    }
    Arrays.sort(r);
    return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
  }

  private static String fmtMicros(double nanos) {
    return String.format(Locale.ROOT, "%.2f µs", nanos / 1e3);
  }

  private record Result(int status, String output) {}

  private static Result exec(List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    String extra = System.getenv("NPY_APPEND_ARRAY_PATH");
    if (extra != null && !extra.isBlank()) {
      String old = pb.environment().get("PYTHONPATH");
      pb.environment().put("PYTHONPATH", old == null ? extra : extra + ":" + old);
    }
    Process p = pb.start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("Timed out: " + command);
      }
      return new Result(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("Interrupted", e));
    }
  }
}
