package io.github.sparknpy.bench;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.NpyAppendArray;
import io.github.sparknpy.npy.NpyArray;
import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.RecoveryResult;
import io.github.sparknpy.npy.dtype.ScalarDType;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Side-by-side macro benchmarks of npy-core against plain-JDK baselines, each pair measured in the
 * same run with alternating order (warm-up repetitions, then the median of the measured ones). It
 * prints a markdown table: scenario | requirement | this project | baseline | ratio | result.
 *
 * <p>The one documented command (builds, then runs this class):
 *
 * <pre>bin/bench-core [DIR] [quick] [key=value ...]</pre>
 *
 * <p>or, after {@code mvn -q -B -pl benchmarks -am package -DskipTests}:
 *
 * <pre>
 * java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar io.github.sparknpy.bench.CoreMacroBenchmark [DIR] [quick] [key=value ...]
 * </pre>
 *
 * <p>{@code DIR} holds the temp files (default {@code java.io.tmpdir}); everything written there is
 * deleted at the end. {@code quick} selects small sizes (well under 2 minutes). Each {@code
 * key=value} (or system property {@code -Dbench.key=value}) overrides one setting:
 *
 * <ul>
 *   <li>{@code totalMiB} (1024) bytes appended per run of requirement 1, in blocks of {@code
 *       blockMiB} (64)
 *   <li>{@code rows} (1000000) single-row appends with deferred headers; {@code rewriteRows}
 *       (100000) with a header rewrite after every append
 *   <li>{@code smallMiB} (1) and {@code bigGiB} (8) file sizes for the O(1) checks; {@code o1Ops}
 *       (1000) timed calls per operation and size
 *   <li>{@code warmup} (2) warm-up and {@code reps} (7; 3 with {@code quick}) measured repetitions
 *       of each write scenario; {@code rowWarmup} (enough for 5,000,000 appends, at least 5)
 *       warm-up repetitions for the single-row appends without header rewrites, whose JIT
 *       compilation takes millions of appends to settle
 *   <li>{@code force} (false): if true both sides end every write run with an fsync of the file
 *       (inside the timing); by default neither does, so write numbers are page-cache bound
 *   <li>{@code preheat} (true): before every timed write run (untimed), write and delete a scratch
 *       file of the same size, so that both sides start with page-cache memory the kernel has just
 *       used. On VMs that hand freed guest memory back to the host (virtio-balloon free page
 *       reporting, as on the machine this was written on) writing into memory freed a few seconds
 *       earlier is several times slower and hits runs at random; preheating reduces (does not
 *       remove) that noise, and the median of alternating runs absorbs the rest
 *   <li>{@code only} (all): comma-separated groups to run, of R1, R2, R2b, R3
 *   <li>{@code fork} (true): run each group in a JVM of its own (like JMH forks), so no group's JIT
 *       profile shapes another's compiled code; false runs all in this JVM
 *   <li>{@code strict} (false): exit with status 1 if a requirement fails
 * </ul>
 */
public final class CoreMacroBenchmark {
  private static final int KIB = 1 << 10;
  private static final int MIB = 1 << 20;
  private static final int BUFFER_BYTES = 256 * KIB;
  private static final String CHILD = "forkedChild";
  private static final List<String> GROUPS = List.of("R1", "R2", "R2b", "R3");
  private static final VarHandle LE_DOUBLES =
      MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

  private final Map<String, String> settings;
  private final Path dir;
  private final int blockMiB;
  private final long totalMiB;
  private final int rows;
  private final int rewriteRows;
  private final int smallMiB;
  private final long bigGiB;
  private final int o1Ops;
  private final int warmup;
  private final int rowWarmup;
  private final int reps;
  private final boolean force;
  private final boolean preheat;
  private ByteBuffer preheatZeros;
  private final List<String> only;

  private final List<Row> table = new ArrayList<>();
  private double loadAtStart;
  private final List<String> details = new ArrayList<>();

  private record Row(
      String scenario,
      String requirement,
      String project,
      String baseline,
      String ratio,
      String result) {}

  @FunctionalInterface
  private interface IoTask {
    void run(Path file) throws IOException;
  }

  @FunctionalInterface
  private interface IoOp {
    Object run(Path file) throws IOException;
  }

  private CoreMacroBenchmark(Map<String, String> s, Path dir) {
    this.settings = s;
    this.dir = dir;
    boolean quick = Boolean.parseBoolean(s.getOrDefault("quick", "false"));
    this.blockMiB = Integer.parseInt(s.getOrDefault("blockMiB", "64"));
    this.totalMiB = Long.parseLong(s.getOrDefault("totalMiB", quick ? "256" : "1024"));
    this.rows = Integer.parseInt(s.getOrDefault("rows", quick ? "250000" : "1000000"));
    this.rewriteRows = Integer.parseInt(s.getOrDefault("rewriteRows", quick ? "20000" : "100000"));
    this.smallMiB = Integer.parseInt(s.getOrDefault("smallMiB", "1"));
    this.bigGiB = Long.parseLong(s.getOrDefault("bigGiB", "8"));
    this.o1Ops = Integer.parseInt(s.getOrDefault("o1Ops", quick ? "300" : "1000"));
    this.warmup = Integer.parseInt(s.getOrDefault("warmup", "2"));
    this.rowWarmup =
        Integer.parseInt(
            s.getOrDefault(
                "rowWarmup", Integer.toString(Math.max(5, (5_000_000 + rows - 1) / rows))));
    this.reps = Integer.parseInt(s.getOrDefault("reps", quick ? "3" : "7"));
    this.force = Boolean.parseBoolean(s.getOrDefault("force", "false"));
    this.preheat = Boolean.parseBoolean(s.getOrDefault("preheat", "true"));
    this.only =
        s.getOrDefault("only", "").isBlank() ? List.of() : List.of(s.get("only").split(","));
    if (totalMiB % blockMiB != 0
        || blockMiB <= 0
        || (long) blockMiB * MIB > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "totalMiB must be a multiple of blockMiB, and blockMiB below 2048");
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> s = new LinkedHashMap<>();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("bench.")) {
        s.put(name.substring("bench.".length()), System.getProperty(name));
      }
    }
    Path base = Path.of(System.getProperty("java.io.tmpdir"));
    for (String a : args) {
      if (a.equals("quick")) {
        s.put("quick", "true");
      } else if (a.contains("=")) {
        s.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else if (a.equals("-h") || a.equals("--help")) {
        System.out.println(
            "usage: CoreMacroBenchmark [DIR] [quick] [key=value ...]  (see the class Javadoc for keys)");
        return;
      } else {
        base = Path.of(a);
      }
    }
    List<String> known =
        List.of(
            "quick",
            "blockMiB",
            "totalMiB",
            "rows",
            "rewriteRows",
            "smallMiB",
            "bigGiB",
            "o1Ops",
            "warmup",
            "rowWarmup",
            "reps",
            "force",
            "preheat",
            "only",
            "fork",
            "strict",
            CHILD);
    for (String key : s.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException("Unknown setting '" + key + "'; known: " + known);
      }
    }
    Files.createDirectories(base);
    Path dir = Files.createTempDirectory(base, "npy-core-bench-");
    boolean failed;
    try {
      CoreMacroBenchmark b = new CoreMacroBenchmark(s, dir);
      if (Boolean.parseBoolean(s.getOrDefault(CHILD, "false"))) {
        b.run();
        b.printForParent();
        return;
      }
      if (Boolean.parseBoolean(s.getOrDefault("fork", "true"))) {
        b.runForked(base, s);
      } else {
        b.run();
      }
      failed = b.print();
    } finally {
      BenchFiles.deleteRecursively(dir);
    }
    if (failed && Boolean.parseBoolean(s.getOrDefault("strict", "false"))) {
      System.exit(1);
    }
  }

  /**
   * Runs each group in a JVM of its own (same JVM options and class path), as JMH forks: the JIT
   * then compiles each scenario's code from that scenario's profile only, not from the profile the
   * scenarios before it left (large-block appends, say, before single-row appends).
   */
  private void runForked(Path base, Map<String, String> s) throws IOException {
    loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String group : GROUPS) {
      if (!selected(group)) {
        continue;
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (!arg.startsWith("-Dbench.")) {
          cmd.add(arg);
        }
      }
      cmd.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              CoreMacroBenchmark.class.getName(),
              base.toString()));
      for (Map.Entry<String, String> e : s.entrySet()) {
        if (!e.getKey().equals("only")) {
          cmd.add(e.getKey() + "=" + e.getValue());
        }
      }
      cmd.add("only=" + group);
      cmd.add(CHILD + "=true");
      progress("forking a JVM for " + group);
      Process child =
          new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try (java.io.BufferedReader out =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          String[] f = line.split("\t", -1);
          if (f[0].equals("ROW") && f.length == 7) {
            table.add(new Row(f[1], f[2], f[3], f[4], f[5], f[6]));
          } else if (f[0].equals("DETAIL") && f.length == 2) {
            details.add(f[1]);
          } else {
            System.err.println(line);
          }
        }
      }
      try {
        int code = child.waitFor();
        if (code != 0) {
          throw new IOException(
              "The benchmark JVM for "
                  + group
                  + " failed with exit code "
                  + code
                  + ": "
                  + String.join(" ", cmd));
        }
      } catch (InterruptedException e) {
        child.destroy();
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted", e);
      }
    }
  }

  /** The results in a line format {@link #runForked} reads. */
  private void printForParent() {
    for (Row r : table) {
      System.out.println(
          String.join(
              "\t",
              "ROW",
              r.scenario(),
              r.requirement(),
              r.project(),
              r.baseline(),
              r.ratio(),
              r.result()));
    }
    for (String d : details) {
      System.out.println("DETAIL\t" + d);
    }
    System.out.flush();
  }

  private void run() throws IOException {
    long start = System.nanoTime();
    loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    progress("temp dir " + dir + " (" + Files.getFileStore(dir).type() + "), settings " + settings);
    if (selected("R1")) {
      blockAppends();
    }
    if (selected("R2")) {
      singleRowAppends();
    }
    if (selected("R2b")) {
      singleRowAppendsWithHeaderRewrite();
    }
    if (selected("R3")) {
      constantTimeOperations();
    }
    progress(String.format(Locale.ROOT, "done in %.1f s", (System.nanoTime() - start) / 1e9));
  }

  private boolean selected(String group) {
    return only.isEmpty() || only.contains(group);
  }

  // ---------------------------------------------------------------------------------------------
  // Requirement 1: large blocks reach >= 90% of FileChannel.write throughput.

  private void blockAppends() throws IOException {
    int blockBytes = blockMiB * MIB;
    int blocks = (int) (totalMiB / blockMiB);
    long rowsPerBlock = blockBytes / BenchFiles.ROW_BYTES;
    long totalRows = rowsPerBlock * blocks;
    byte[] finalHeader = BenchFiles.header(totalRows);
    long expected = finalHeader.length + (long) blockBytes * blocks;

    double[] doubles = new double[blockBytes / Double.BYTES];
    for (int i = 0; i < doubles.length; i++) {
      doubles[i] = i * 0.5;
    }
    ByteBuffer heap = ByteBuffer.allocate(blockBytes).order(ByteOrder.LITTLE_ENDIAN);
    heap.asDoubleBuffer().put(doubles);
    ByteBuffer direct = ByteBuffer.allocateDirect(blockBytes).order(ByteOrder.LITTLE_ENDIAN);
    direct.asDoubleBuffer().put(doubles);
    ByteBuffer conversion = ByteBuffer.allocateDirect(blockBytes).order(ByteOrder.LITTLE_ENDIAN);

    String size = blocks + " × " + blockMiB + " MiB = " + totalMiB + " MiB";
    String req = "≥ 0.90 × baseline throughput";
    for (ByteBuffer buf : List.of(heap, direct)) {
      String kind = buf.isDirect() ? "direct" : "heap";
      Side project =
          new ProjectSide(
              a ->
                  a.append(
                      NpyArray.of(
                          ScalarDType.FLOAT64,
                          buf.duplicate(),
                          false,
                          rowsPerBlock,
                          BenchFiles.COLS)));
      Side baseline = new ChannelSide(finalHeader, ch -> writeAll(ch, buf.duplicate()));
      long[][] t =
          measureInterleaved(
              "R1 " + kind + " ByteBuffer", project, baseline, blocks, expected, finalHeader);
      addThroughputRow(
          "R1 append "
              + size
              + " of <f8 (N,8), NpyArray.of(DType, "
              + kind
              + " ByteBuffer) vs FileChannel.write of the same buffers",
          req,
          t,
          expected);
    }
    Side project =
        new ProjectSide(a -> a.append(NpyArray.of(doubles, rowsPerBlock, BenchFiles.COLS)));
    Side baseline =
        new ChannelSide(
            finalHeader,
            ch -> {
              conversion.clear();
              conversion.asDoubleBuffer().put(doubles);
              writeAll(ch, conversion);
            });
    long[][] t =
        measureInterleaved("R1 double[]", project, baseline, blocks, expected, finalHeader);
    addThroughputRow(
        "R1 append "
            + size
            + " of <f8 (N,8), NpyArray.of(double[]) vs asDoubleBuffer().put into a direct ByteBuffer + FileChannel.write",
        req,
        t,
        expected);
  }

  /**
   * One side of a block-interleaved comparison: open a new file, write block after block, close.
   */
  private interface Side {
    void open(Path file) throws IOException;

    void block() throws IOException;

    void close() throws IOException;
  }

  @FunctionalInterface
  private interface IoConsumer<T> {
    void accept(T t) throws IOException;
  }

  /**
   * Appends each block through an {@link NpyAppendArray} with default options (header rewritten
   * after every append).
   */
  private static final class ProjectSide implements Side {
    private final IoConsumer<NpyAppendArray> append;
    private NpyAppendArray array;

    ProjectSide(IoConsumer<NpyAppendArray> append) {
      this.append = append;
    }

    @Override
    public void open(Path file) throws IOException {
      array = NpyAppendArray.builder(file).open();
    }

    @Override
    public void block() throws IOException {
      append.accept(array);
    }

    @Override
    public void close() throws IOException {
      array.close();
    }
  }

  /** Writes the final header, then each block with FileChannel.write. */
  private static final class ChannelSide implements Side {
    private final byte[] header;
    private final IoConsumer<FileChannel> write;
    private FileChannel channel;

    ChannelSide(byte[] header, IoConsumer<FileChannel> write) {
      this.header = header;
      this.write = write;
    }

    @Override
    public void open(Path file) throws IOException {
      channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      writeAll(channel, ByteBuffer.wrap(header));
    }

    @Override
    public void block() throws IOException {
      write.accept(channel);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /**
   * Writes two files at once, one per side, alternating block by block (which side goes first
   * alternates too), and sums each side's time for open, its blocks and close (plus fsync with
   * {@code force}). Interleaving at block level means both sides meet the same machine state, so
   * disturbances that last a second or two (page faults into memory the VM gave back to its host,
   * writeback, other processes) hit both about equally instead of spoiling one side's run.
   *
   * @return {projectNanos[], baselineNanos[]} of the measured repetitions
   */
  private long[][] measureInterleaved(
      String label,
      Side project,
      Side baseline,
      int blocks,
      long expectedBytes,
      byte[] expectedHeader)
      throws IOException {
    Path pf = dir.resolve("project.npy");
    Path bf = dir.resolve("baseline.npy");
    long[] p = new long[reps];
    long[] b = new long[reps];
    for (int i = 0; i < warmup + reps; i++) {
      Files.deleteIfExists(pf);
      Files.deleteIfExists(bf);
      if (preheat) {
        preheat(2 * expectedBytes + 16L * MIB);
      }
      long[] t = new long[2];
      Side[] sides = {project, baseline};
      Path[] files = {pf, bf};
      for (int k = 0; k < 2; k++) {
        long t0 = System.nanoTime();
        sides[k].open(files[k]);
        t[k] += System.nanoTime() - t0;
      }
      for (int blk = 0; blk < blocks; blk++) {
        int first = (blk + i) & 1;
        for (int k = first; k < first + 2; k++) {
          long t0 = System.nanoTime();
          sides[k & 1].block();
          t[k & 1] += System.nanoTime() - t0;
        }
      }
      for (int k = 0; k < 2; k++) {
        long t0 = System.nanoTime();
        sides[k].close();
        if (force) {
          fsync(files[k]);
        }
        t[k] += System.nanoTime() - t0;
      }
      verifyAndDelete(pf, expectedBytes, expectedHeader);
      verifyAndDelete(bf, expectedBytes, expectedHeader);
      if (i >= warmup) {
        p[i - warmup] = t[0];
        b[i - warmup] = t[1];
      }
      progress(
          String.format(
              Locale.ROOT,
              "%s %s %d: project %s, baseline %s",
              label,
              i < warmup ? "warm-up" : "rep",
              i < warmup ? i + 1 : i - warmup + 1,
              fmtTime(t[0]),
              fmtTime(t[1])));
    }
    addDetails(label + " (block-interleaved)", p, b);
    return new long[][] {p, b};
  }

  // ---------------------------------------------------------------------------------------------
  // Requirement 2: single-row appends with deferred headers cost <= 1.5x a buffered write.

  private void singleRowAppends() throws IOException {
    byte[] finalHeader = BenchFiles.header(rows);
    long expected = finalHeader.length + (long) rows * BenchFiles.ROW_BYTES;
    IoTask project =
        file -> {
          double[] row = new double[BenchFiles.COLS];
          try (NpyAppendArray a =
              NpyAppendArray.builder(file).rewriteHeaderOnAppend(false).open()) {
            for (int i = 0; i < rows; i++) {
              row[0] = i;
              a.appendRow(row);
            }
          }
        };
    IoTask channelBaseline =
        file -> {
          double[] row = new double[BenchFiles.COLS];
          ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
          try (FileChannel ch =
              FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeAll(ch, ByteBuffer.wrap(finalHeader));
            for (int i = 0; i < rows; i++) {
              row[0] = i;
              if (buf.remaining() < BenchFiles.ROW_BYTES) {
                writeAll(ch, buf.flip());
                buf.clear();
              }
              for (double v : row) {
                buf.putDouble(v);
              }
            }
            writeAll(ch, buf.flip());
          }
        };
    IoTask streamBaseline =
        file -> {
          double[] row = new double[BenchFiles.COLS];
          byte[] bytes = new byte[BenchFiles.ROW_BYTES];
          try (BufferedOutputStream out =
              new BufferedOutputStream(new FileOutputStream(file.toFile()), BUFFER_BYTES)) {
            out.write(finalHeader);
            for (int i = 0; i < rows; i++) {
              row[0] = i;
              for (int j = 0; j < row.length; j++) {
                LE_DOUBLES.set(bytes, j * Double.BYTES, row[j]);
              }
              out.write(bytes);
            }
          }
        };
    String name =
        String.format(
            Locale.ROOT,
            "R2 %,d single-row appends appendRow(double[8]), rewriteHeaderOnAppend=false",
            rows);
    long[][] t =
        measureRotating(
            "R2 [project appendRow, FileChannel baseline, BufferedOutputStream baseline]",
            rowWarmup,
            expected,
            finalHeader,
            project,
            channelBaseline,
            streamBaseline);
    addPerOpRow(
        name + " vs putDouble into a 256 KiB direct ByteBuffer + FileChannel.write",
        "≤ 1.5 × baseline time",
        new long[][] {t[0], t[1]},
        rows,
        1.5);
    addPerOpRow(
        name + " vs BufferedOutputStream(256 KiB).write(byte[64]) (info: 2nd baseline)",
        "info",
        new long[][] {t[0], t[2]},
        rows,
        Double.NaN);
  }

  private void singleRowAppendsWithHeaderRewrite() throws IOException {
    byte[] finalHeader = BenchFiles.header(rewriteRows);
    long expected = finalHeader.length + (long) rewriteRows * BenchFiles.ROW_BYTES;
    IoTask project =
        file -> {
          double[] row = new double[BenchFiles.COLS];
          try (NpyAppendArray a = NpyAppendArray.builder(file).rewriteHeaderOnAppend(true).open()) {
            for (int i = 0; i < rewriteRows; i++) {
              row[0] = i;
              a.append(row, 1, BenchFiles.COLS);
            }
          }
        };
    // The same two writes per append without library: the row at the end, then a hand-formatted
    // header of the same length at offset 0 (no locks, no size check).
    IoTask baseline =
        file -> {
          double[] row = new double[BenchFiles.COLS];
          ByteBuffer buf =
              ByteBuffer.allocateDirect(BenchFiles.ROW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
          int headerLength = finalHeader.length;
          try (FileChannel ch =
              FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            BenchFiles.writeFully(ch, ByteBuffer.wrap(handHeader(0, headerLength)), 0);
            long end = headerLength;
            for (int i = 0; i < rewriteRows; i++) {
              row[0] = i;
              buf.clear();
              for (double v : row) {
                buf.putDouble(v);
              }
              end += BenchFiles.writeFully(ch, buf.flip(), end);
              BenchFiles.writeFully(ch, ByteBuffer.wrap(handHeader(i + 1, headerLength)), 0);
            }
          }
        };
    long[][] t = measurePair("R2 rewrite", warmup, project, baseline, expected, finalHeader);
    String name =
        String.format(
            Locale.ROOT,
            "R2b %,d single-row appends, rewriteHeaderOnAppend=true (µs/append) vs pwrite row + pwrite hand-formatted header per append",
            rewriteRows);
    addPerOpRow(name, "report µs/append", t, rewriteRows, Double.NaN);
  }

  /** A v1.0 header for (rows, 8) {@code <f8}, formatted by hand and padded to {@code length}. */
  private static byte[] handHeader(long rows, int length) {
    String text = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + rows + ", 8), }";
    byte[] out = new byte[length];
    out[0] = (byte) 0x93;
    System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, out, 1, 5);
    out[6] = 1;
    out[7] = 0;
    int hlen = length - 10;
    out[8] = (byte) hlen;
    out[9] = (byte) (hlen >>> 8);
    byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(t, 0, out, 10, t.length);
    Arrays.fill(out, 10 + t.length, length - 1, (byte) ' ');
    out[length - 1] = '\n';
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Requirement 3: recover, isAppendable, needsRecovery and header reads are O(1) in the file size.

  private void constantTimeOperations() throws IOException {
    Path small = dir.resolve("small.npy");
    Path big = dir.resolve("big.npy");
    Path smallDamaged = dir.resolve("small-damaged.npy");
    Path bigDamaged = dir.resolve("big-damaged.npy");
    long smallBytes = (long) smallMiB * MIB;
    long bigBytes = bigGiB << 30;
    long smallRows = BenchFiles.createNpy(small, smallBytes);
    long bigRows = BenchFiles.createNpy(big, bigBytes);
    BenchFiles.createNpy(smallDamaged, smallBytes);
    BenchFiles.createNpy(bigDamaged, bigBytes);
    progress(
        String.format(
            Locale.ROOT,
            "O(1) files: %s (%,d B, written) and %s (%,d B, sparse)",
            small.getFileName(),
            Files.size(small),
            big.getFileName(),
            Files.size(big)));

    checkEquals("isAppendable", true, Npy.isAppendable(big));
    checkEquals("needsRecovery", false, Npy.needsRecovery(big));
    String sizes = smallMiB + " MiB vs " + bigGiB + " GiB file";
    String req =
        "≤ 1.5 × the " + smallMiB + " MiB time (O(n) would be ≈" + (bigBytes / smallBytes) + "×)";
    constantTime(
        "R3 Npy.readHeader (header/info), " + sizes, req, small, big, null, Npy::readHeader);
    constantTime("R3 Npy.isAppendable, " + sizes, req, small, big, null, Npy::isAppendable);
    constantTime("R3 Npy.needsRecovery, " + sizes, req, small, big, null, Npy::needsRecovery);
    constantTime(
        "R3 NpyFile.open + header() + close (mapped reader), " + sizes,
        req,
        small,
        big,
        null,
        p -> {
          try (NpyFile f = NpyFile.open(p)) {
            return f.header();
          }
        });

    // Damage: the header lags 1000 rows behind the data and a partial row (40 B) follows.
    long smallOffset = Npy.readHeader(smallDamaged).dataOffset();
    long bigOffset = Npy.readHeader(bigDamaged).dataOffset();
    IoTask damageSmall = p -> damage(p, smallRows, smallOffset);
    IoTask damageBig = p -> damage(p, bigRows, bigOffset);
    damageBig.run(bigDamaged);
    checkEquals("needsRecovery after damage", true, Npy.needsRecovery(bigDamaged));
    RecoveryResult r = Npy.recover(bigDamaged, false);
    checkEquals("recover rowsAfter", bigRows, r.rowsAfter());
    checkEquals("recover bytesTruncated", 40L, r.bytesTruncated());
    checkEquals("needsRecovery after recover", false, Npy.needsRecovery(bigDamaged));
    constantTime(
        "R3 Npy.recover (header 1000 rows behind + partial row), " + sizes,
        req,
        smallDamaged,
        bigDamaged,
        new IoTask[] {damageSmall, damageBig},
        p -> Npy.recover(p, false));
    for (Path p : List.of(small, big, smallDamaged, bigDamaged)) {
      Files.deleteIfExists(p);
    }
  }

  /**
   * Rewrites the header to say 1000 rows fewer than the data holds and appends 40 bytes of a
   * partial row.
   */
  private static void damage(Path p, long rowsInData, long dataOffset) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      BenchFiles.writeFully(
          ch, ByteBuffer.wrap(BenchFiles.headerAt(Math.max(0, rowsInData - 1000), dataOffset)), 0);
      ch.truncate(dataOffset + rowsInData * BenchFiles.ROW_BYTES);
      BenchFiles.writeFully(
          ch, ByteBuffer.allocate(40), dataOffset + rowsInData * BenchFiles.ROW_BYTES);
    }
  }

  /**
   * Times {@code op} on the small and the big file alternately ({@code resets} run untimed before
   * each call), and reports the medians: project column = big file, baseline column = small file.
   */
  private void constantTime(
      String name, String requirement, Path small, Path big, IoTask[] resets, IoOp op)
      throws IOException {
    int warm = Math.max(500, o1Ops);
    long[] s = new long[o1Ops];
    long[] b = new long[o1Ops];
    Object sink = null;
    for (int i = 0; i < warm + o1Ops; i++) {
      boolean smallFirst = (i & 1) == 0;
      for (int k = 0; k < 2; k++) {
        boolean isSmall = (k == 0) == smallFirst;
        Path p = isSmall ? small : big;
        if (resets != null) {
          resets[isSmall ? 0 : 1].run(p);
        }
        long t0 = System.nanoTime();
        sink = op.run(p);
        long dt = System.nanoTime() - t0;
        if (i >= warm) {
          (isSmall ? s : b)[i - warm] = dt;
        }
      }
    }
    if (sink == null) {
      throw new IllegalStateException(name + " returned null");
    }
    double ms = median(s);
    double mb = median(b);
    double ratio = mb / ms;
    table.add(
        new Row(
            name,
            requirement,
            fmtTime(mb),
            fmtTime(ms),
            fmtRatio(ratio),
            ratio <= 1.5 ? "PASS" : "FAIL"));
    details.add(
        String.format(
            Locale.ROOT,
            "%s: %d calls per size; big p10/p50/p90 = %s/%s/%s, small p10/p50/p90 = %s/%s/%s",
            name,
            o1Ops,
            fmtTime(pct(b, 10)),
            fmtTime(mb),
            fmtTime(pct(b, 90)),
            fmtTime(pct(s, 10)),
            fmtTime(ms),
            fmtTime(pct(s, 90))));
  }

  // ---------------------------------------------------------------------------------------------
  // Measurement and reporting.

  /** Runs the project and the baseline task alternately; see {@link #measureRotating}. */
  private long[][] measurePair(
      String label,
      int warmup,
      IoTask project,
      IoTask baseline,
      long expectedBytes,
      byte[] expectedHeader)
      throws IOException {
    return measureRotating(label, warmup, expectedBytes, expectedHeader, project, baseline);
  }

  /**
   * Runs the tasks one after another ({@code warmup} + {@code reps} rounds, the order rotated every
   * round), each on a fresh file that is checked and deleted afterwards (untimed).
   *
   * @return the times of the measured rounds, one array per task in the given order
   */
  private long[][] measureRotating(
      String label, int warmup, long expectedBytes, byte[] expectedHeader, IoTask... tasks)
      throws IOException {
    int n = tasks.length;
    long[][] times = new long[n][reps];
    for (int i = 0; i < warmup + reps; i++) {
      long[] t = new long[n];
      for (int k = 0; k < n; k++) {
        int task = (i + k) % n;
        t[task] =
            timeOnce(
                tasks[task], dir.resolve("task" + task + ".npy"), expectedBytes, expectedHeader);
      }
      if (i >= warmup) {
        for (int k = 0; k < n; k++) {
          times[k][i - warmup] = t[k];
        }
      }
      StringBuilder sb = new StringBuilder();
      for (long x : t) {
        sb.append(sb.length() == 0 ? "" : ", ").append(fmtTime(x));
      }
      progress(
          String.format(
              Locale.ROOT,
              "%s %s %d: %s",
              label,
              i < warmup ? "warm-up" : "rep",
              i < warmup ? i + 1 : i - warmup + 1,
              sb));
    }
    if (n == 2) {
      addDetails(label, times[0], times[1]);
    } else {
      StringBuilder sb = new StringBuilder(label + ":");
      for (int k = 0; k < n; k++) {
        sb.append(k == 0 ? " " : "; ").append(fmtTimes(times[k]));
      }
      details.add(sb.toString());
    }
    return times;
  }

  private long timeOnce(IoTask task, Path file, long expectedBytes, byte[] expectedHeader)
      throws IOException {
    Files.deleteIfExists(file);
    if (preheat) {
      preheat(expectedBytes + 16L * MIB);
    }
    long t0 = System.nanoTime();
    task.run(file);
    if (force) {
      fsync(file);
    }
    long dt = System.nanoTime() - t0;
    verifyAndDelete(file, expectedBytes, expectedHeader);
    return dt;
  }

  private static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * Checks that a written file has the expected length and header (so both sides wrote the same
   * file), then deletes it.
   */
  private static void verifyAndDelete(Path file, long expectedBytes, byte[] expectedHeader)
      throws IOException {
    long size = Files.size(file);
    if (size != expectedBytes) {
      throw new IllegalStateException(file + " has " + size + " bytes, expected " + expectedBytes);
    }
    byte[] head = new byte[expectedHeader.length];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer hb = ByteBuffer.wrap(head);
      while (hb.hasRemaining() && ch.read(hb, hb.position()) > 0) {
        // read the header
      }
    }
    if (!Arrays.equals(head, expectedHeader)) {
      throw new IllegalStateException(
          file
              + " does not start with the expected header: "
              + new String(head, StandardCharsets.ISO_8859_1).strip());
    }
    Files.delete(file);
  }

  private void addDetails(String label, long[] p, long[] b) {
    double min = Arrays.stream(p).min().getAsLong() / (double) Arrays.stream(b).min().getAsLong();
    details.add(
        String.format(
            Locale.ROOT,
            "%s: project %s; baseline %s; best-of-%d time ratio project/baseline %.2f",
            label,
            fmtTimes(p),
            fmtTimes(b),
            p.length,
            min));
  }

  /**
   * Writes and deletes a scratch file of {@code bytes}, leaving that much just-used memory free for
   * the page cache.
   */
  private void preheat(long bytes) throws IOException {
    if (preheatZeros == null) {
      preheatZeros = ByteBuffer.allocateDirect(8 * MIB);
    }
    Path scratch = dir.resolve("preheat.tmp");
    try (FileChannel ch =
        FileChannel.open(
            scratch,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (long done = 0; done < bytes; ) {
        preheatZeros.clear().limit((int) Math.min(preheatZeros.capacity(), bytes - done));
        done += ch.write(preheatZeros);
      }
    }
    Files.delete(scratch);
  }

  private void addThroughputRow(String name, String requirement, long[][] t, long bytes) {
    double p = bytes / (median(t[0]) / 1e9) / MIB;
    double b = bytes / (median(t[1]) / 1e9) / MIB;
    double ratio = medianRatio(t[1], t[0]);
    table.add(
        new Row(
            name,
            requirement,
            String.format(Locale.ROOT, "%,.0f MiB/s", p),
            String.format(Locale.ROOT, "%,.0f MiB/s", b),
            fmtRatio(ratio),
            ratio >= 0.90 ? "PASS" : "FAIL"));
  }

  private void addPerOpRow(String name, String requirement, long[][] t, long ops, double maxRatio) {
    double p = median(t[0]) / ops;
    double b = median(t[1]) / ops;
    double ratio = medianRatio(t[0], t[1]);
    String result = Double.isNaN(maxRatio) ? "info" : ratio <= maxRatio ? "PASS" : "FAIL";
    table.add(
        new Row(
            name,
            requirement,
            fmtTime(p) + "/append",
            fmtTime(b) + "/row",
            fmtRatio(ratio),
            result));
  }

  /** Prints the table; returns true if a requirement failed. */
  private boolean print() throws IOException {
    String fsType = Files.getFileStore(dir).type();
    StringBuilder sb = new StringBuilder();
    Runtime rt = Runtime.getRuntime();
    sb.append("## npy-core macro benchmarks (io.github.sparknpy.bench.CoreMacroBenchmark)\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "%d cores, Java %s (%s), %s %s; heap max %d MiB; temp files on %s; medians of %d runs after %d warm-up (%d for R2); force=%s (%s); preheat=%s%n%n",
            rt.availableProcessors(),
            System.getProperty("java.version"),
            System.getProperty("java.vm.name"),
            System.getProperty("os.name"),
            System.getProperty("os.version"),
            rt.maxMemory() / MIB,
            fsType,
            reps,
            warmup,
            rowWarmup,
            force,
            force
                ? "both sides fsync before the clock stops"
                : "neither side fsyncs: page-cache bound",
            preheat));
    double loadAtEnd = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    sb.append(
        String.format(
            Locale.ROOT,
            "1-minute load average: %.2f at start, %.2f at end (this run adds about 1)%s%n%n",
            loadAtStart,
            loadAtEnd,
            Math.max(loadAtStart, loadAtEnd) > rt.availableProcessors()
                ? " — WARNING: other work competed for the CPUs; numbers are noisy"
                : ""));
    sb.append("| scenario | requirement | this project | baseline | ratio | result |\n");
    sb.append("|---|---|---:|---:|---:|---|\n");
    boolean failed = false;
    for (Row r : table) {
      sb.append("| ")
          .append(r.scenario())
          .append(" | ")
          .append(r.requirement())
          .append(" | ")
          .append(r.project())
          .append(" | ")
          .append(r.baseline())
          .append(" | ")
          .append(r.ratio())
          .append(" | ")
          .append(r.result())
          .append(" |\n");
      failed |= r.result().equals("FAIL");
    }
    sb.append(
        "\nColumns: medians over the repetitions. Ratio: the median of the per-repetition ratios (each repetition runs both sides back to back; R1 interleaves them block by block):"
            + " R1 = project/baseline throughput, R2 = project/baseline time, R3 = big-file/small-file time of the median call (this project column = big file, baseline column = small file).\n");
    sb.append("\nSamples:\n");
    for (String d : details) {
      sb.append("- ").append(d).append('\n');
    }
    long pass = table.stream().filter(r -> r.result().equals("PASS")).count();
    long fail = table.stream().filter(r -> r.result().equals("FAIL")).count();
    sb.append(String.format(Locale.ROOT, "%nResult: %d PASS, %d FAIL%n", pass, fail));
    System.out.print(sb);
    System.out.flush();
    return failed;
  }

  private static void writeAll(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static void checkEquals(String what, Object expected, Object actual) {
    if (!expected.equals(actual)) {
      throw new IllegalStateException(what + ": expected " + expected + " but got " + actual);
    }
  }

  /**
   * The median of the paired ratios num[i] / den[i] (repetition i of both sides ran back to back).
   */
  private static double medianRatio(long[] num, long[] den) {
    double[] r = new double[num.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = num[i] / (double) den[i];
    }
    Arrays.sort(r);
    return r.length % 2 == 0 ? (r[r.length / 2 - 1] + r[r.length / 2]) / 2 : r[r.length / 2];
  }

  private static double median(long[] v) {
    return pct(v, 50);
  }

  private static double pct(long[] v, int percentile) {
    long[] s = v.clone();
    Arrays.sort(s);
    if (percentile == 50 && s.length % 2 == 0) {
      return (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
    int i = (int) Math.min(s.length - 1, Math.round(percentile / 100.0 * (s.length - 1)));
    return s[i];
  }

  private static String fmtRatio(double r) {
    return String.format(Locale.ROOT, "%.2f", r);
  }

  private static String fmtTimes(long[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(fmtTime(v[i]));
    }
    return sb.append(']').toString();
  }

  static String fmtTime(double nanos) {
    if (nanos < 1e3) {
      return String.format(Locale.ROOT, "%.1f ns", nanos);
    } else if (nanos < 1e6) {
      return String.format(Locale.ROOT, "%.2f µs", nanos / 1e3);
    } else if (nanos < 1e9) {
      return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  private static void progress(String msg) {
    System.err.println("[bench] " + msg);
  }
}
