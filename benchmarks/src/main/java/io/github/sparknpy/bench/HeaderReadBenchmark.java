package io.github.sparknpy.bench;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.header.EncodedHeader;
import io.github.sparknpy.npy.header.NpyHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: reading a header and the header-only checks on a 1 MiB file (real data) and an 8 GiB file
 * (sparse): the scores should not depend on {@code fileMiB}. {@code baselineReadPrefix} (open a
 * FileChannel, read the first 4 KiB, close) is the floor for any header read.
 *
 * <p>Run (after {@code mvn -q -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar HeaderReadBenchmark</pre>
 *
 * <p>Temp files go to {@code -Dnpy.bench.dir} (default {@code java.io.tmpdir}); pass it with {@code
 * -jvmArgsAppend -Dnpy.bench.dir=/path}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HeaderReadBenchmark {
  /** File size in MiB: 1 (written) or 8192 (sparse). */
  @Param({"1", "8192"})
  public long fileMiB;

  private Path dir;
  private Path file;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory(BenchFiles.baseDir(), "npy-jmh-header-");
    file = dir.resolve("bench.npy");
    BenchFiles.createNpy(file, fileMiB << 20);
    if (!Npy.isAppendable(file) || Npy.needsRecovery(file)) {
      throw new IllegalStateException("bad benchmark file " + file);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    BenchFiles.deleteRecursively(dir);
  }

  @Benchmark
  public EncodedHeader readHeader() throws IOException {
    return Npy.readHeader(file);
  }

  @Benchmark
  public boolean isAppendable() throws IOException {
    return Npy.isAppendable(file);
  }

  @Benchmark
  public boolean needsRecovery() throws IOException {
    return Npy.needsRecovery(file);
  }

  @Benchmark
  public NpyHeader openNpyFile() throws IOException {
    try (NpyFile f = NpyFile.open(file)) {
      return f.header();
    }
  }

  @Benchmark
  public int baselineReadPrefix() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.read(buf, 0);
    }
    return buf.position();
  }
}
