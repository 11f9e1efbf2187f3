package io.github.sparknpy.bench;

import io.github.sparknpy.npy.NpyAppendArray;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: cost of one single-row append of 8 float64 ({@code append(double[8], 1, 8)}) through {@link
 * NpyAppendArray}, with deferred headers and with a header rewrite per append, next to plain
 * buffered writes of the same bytes. Each invocation writes a fresh file (deleted first on both
 * sides) of {@value #DEFERRED_ROWS} or {@value #REWRITE_ROWS} rows, so the score is per row, open
 * and close amortized. No fsync on either side (page-cache bound).
 *
 * <p>Run (after {@code mvn -q -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar SingleRowAppendBenchmark</pre>
 *
 * <p>Temp files go to {@code -Dnpy.bench.dir} (default {@code java.io.tmpdir}); pass it with {@code
 * -jvmArgsAppend -Dnpy.bench.dir=/path}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SingleRowAppendBenchmark {
  static final int DEFERRED_ROWS = 100_000;
  static final int REWRITE_ROWS = 5_000;
  private static final VarHandle LE_DOUBLES =
      MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

  private Path dir;
  private Path file;
  private final double[] row = new double[BenchFiles.COLS];
  private final byte[] rowBytes = new byte[BenchFiles.ROW_BYTES];
  private byte[] deferredHeader;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory(BenchFiles.baseDir(), "npy-jmh-append-");
    file = dir.resolve("bench.npy");
    deferredHeader = BenchFiles.header(DEFERRED_ROWS);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    BenchFiles.deleteRecursively(dir);
  }

  /** NpyAppendArray.appendRow, rewriteHeaderOnAppend=false (default 256 KiB buffer). */
  @Benchmark
  @OperationsPerInvocation(DEFERRED_ROWS)
  public void appendRowDeferredHeader() throws IOException {
    try (NpyAppendArray a =
        NpyAppendArray.builder(file).deleteIfExists(true).rewriteHeaderOnAppend(false).open()) {
      for (int i = 0; i < DEFERRED_ROWS; i++) {
        row[0] = i;
        a.appendRow(row);
      }
    }
  }

  /** NpyAppendArray.append with a shape argument, rewriteHeaderOnAppend=false. */
  @Benchmark
  @OperationsPerInvocation(DEFERRED_ROWS)
  public void appendDeferredHeader() throws IOException {
    try (NpyAppendArray a =
        NpyAppendArray.builder(file).deleteIfExists(true).rewriteHeaderOnAppend(false).open()) {
      for (int i = 0; i < DEFERRED_ROWS; i++) {
        row[0] = i;
        a.append(row, 1, BenchFiles.COLS);
      }
    }
  }

  /** Baseline: putDouble x8 into a 256 KiB direct ByteBuffer, FileChannel.write when full. */
  @Benchmark
  @OperationsPerInvocation(DEFERRED_ROWS)
  public void baselineBufferedChannel() throws IOException {
    Files.deleteIfExists(file);
    ByteBuffer buf =
        ByteBuffer.allocateDirect(NpyAppendArray.DEFAULT_BUFFER_BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      write(ch, ByteBuffer.wrap(deferredHeader));
      for (int i = 0; i < DEFERRED_ROWS; i++) {
        row[0] = i;
        if (buf.remaining() < BenchFiles.ROW_BYTES) {
          write(ch, buf.flip());
          buf.clear();
        }
        for (double v : row) {
          buf.putDouble(v);
        }
      }
      write(ch, buf.flip());
    }
  }

  /** Baseline: encode the row into a byte[64], BufferedOutputStream(256 KiB).write. */
  @Benchmark
  @OperationsPerInvocation(DEFERRED_ROWS)
  public void baselineBufferedOutputStream() throws IOException {
    Files.deleteIfExists(file);
    try (BufferedOutputStream out =
        new BufferedOutputStream(
            new FileOutputStream(file.toFile()), NpyAppendArray.DEFAULT_BUFFER_BYTES)) {
      out.write(deferredHeader);
      for (int i = 0; i < DEFERRED_ROWS; i++) {
        row[0] = i;
        for (int j = 0; j < row.length; j++) {
          LE_DOUBLES.set(rowBytes, j * Double.BYTES, row[j]);
        }
        out.write(rowBytes);
      }
    }
  }

  /**
   * NpyAppendArray, rewriteHeaderOnAppend=true (the default): the file is complete after every
   * append.
   */
  @Benchmark
  @OperationsPerInvocation(REWRITE_ROWS)
  public void appendRewriteHeader() throws IOException {
    try (NpyAppendArray a =
        NpyAppendArray.builder(file).deleteIfExists(true).rewriteHeaderOnAppend(true).open()) {
      for (int i = 0; i < REWRITE_ROWS; i++) {
        row[0] = i;
        a.append(row, 1, BenchFiles.COLS);
      }
    }
  }

  /**
   * Baseline for the above: pwrite the row at the end, then pwrite a freshly encoded header at 0
   * (no locks).
   */
  @Benchmark
  @OperationsPerInvocation(REWRITE_ROWS)
  public void baselineRowThenHeaderWrite() throws IOException {
    Files.deleteIfExists(file);
    ByteBuffer buf = ByteBuffer.allocateDirect(BenchFiles.ROW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] header = BenchFiles.header(0);
      long end = BenchFiles.writeFully(ch, ByteBuffer.wrap(header), 0);
      for (int i = 0; i < REWRITE_ROWS; i++) {
        row[0] = i;
        buf.clear();
        for (double v : row) {
          buf.putDouble(v);
        }
        end += BenchFiles.writeFully(ch, buf.flip(), end);
        BenchFiles.writeFully(ch, ByteBuffer.wrap(BenchFiles.headerAt(i + 1, header.length)), 0);
      }
    }
  }

  private static void write(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
