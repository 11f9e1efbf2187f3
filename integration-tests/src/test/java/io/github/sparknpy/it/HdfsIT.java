package io.github.sparknpy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HDFS: a {@code MiniDFSCluster} (one NameNode, one DataNode, 1 MiB blocks) in this JVM on
 * 127.0.0.1; the executors of the standalone cluster read and write it through {@code hdfs://}.
 */
@ExtendWith(SparkCluster.class)
class HdfsIT {
  private static final int BLOCK = 1 << 20;

  private static MiniDFSCluster hdfs;
  private static FileSystem fs;
  private static String root;

  private final SparkSession spark = SparkCluster.spark();

  @BeforeAll
  static void startHdfs() throws IOException {
    Configuration conf = new Configuration();
    conf.set(
        MiniDFSCluster.HDFS_MINIDFS_BASEDIR, ItConfig.workDir("hdfs").toAbsolutePath().toString());
    conf.setLong("dfs.blocksize", BLOCK);
    conf.setLong("dfs.namenode.fs-limits.min-block-size", 4096);
    conf.set("dfs.datanode.hostname", "127.0.0.1");
    long t0 = System.nanoTime();
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    fs = hdfs.getFileSystem();
    root = fs.getUri().toString();
    System.out.printf("MiniDFSCluster up in %.1f s at %s%n", (System.nanoTime() - t0) / 1e9, root);
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  /** A numpy-made 300,000 × 4 float64 matrix over 10 HDFS blocks, read as 5+ partitions. */
  @Test
  void readsAMultiBlockFileInRowRangeSplits() throws Exception {
    java.nio.file.Path local = ItConfig.workDir("hdfs-src").resolve("m.npy");
    Numpy.run("np.save(sys.argv[1], np.arange(1200000, dtype='<f8').reshape(300000, 4))", local);
    Path target = new Path(root + "/read/m.npy");
    fs.copyFromLocalFile(new Path(local.toUri()), target);
    assertThat(fs.getFileBlockLocations(fs.getFileStatus(target), 0, Long.MAX_VALUE))
        .hasSizeGreaterThanOrEqualTo(9);

    Dataset<Row> m =
        spark
            .read()
            .format("npy")
            .option("layout", "matrix")
            .option("maxPartitionBytes", "2m")
            .load(target.toString());
    assertThat(m.rdd().getNumPartitions()).isGreaterThanOrEqualTo(5);
    // Every value sits where numpy put it: _c = 4 * row + c.
    Row check =
        m.selectExpr(
                "count(*)",
                "count_if(_0 != 4 * _row_index OR _1 != 4 * _row_index + 1"
                    + " OR _2 != 4 * _row_index + 2 OR _3 != 4 * _row_index + 3)",
                "count(distinct _row_index)",
                "max(_row_index)")
            .first();
    assertThat(check.getLong(0)).isEqualTo(300_000L);
    assertThat(check.getLong(1)).isZero();
    assertThat(check.getLong(2)).isEqualTo(300_000L);
    assertThat(check.getLong(3)).isEqualTo(299_999L);
  }

  @Test
  void mergedWriteThenAppendThenOverwrite() throws Exception {
    String path = root + "/merged/t.npy";
    frame(0, 100_000, 4)
        .write()
        .format("npy")
        .option("dfs.blocksize", String.valueOf(BLOCK))
        .save(path);
    assertRows(path, 0, 100_000);
    assertThat(fs.getFileBlockLocations(fs.getFileStatus(new Path(path)), 0, Long.MAX_VALUE))
        .hasSizeGreaterThan(1);

    // Append on HDFS: the job commit writes header + old data + new data under a temporary name
    // and renames it over the old file.
    frame(100_000, 150_000, 3).write().format("npy").mode(SaveMode.Append).save(path);
    assertRows(path, 0, 150_000);
    assertThat(spark.read().format("npy").load(path).selectExpr("sum(id)").first().getLong(0))
        .isEqualTo(149_999L * 150_000 / 2);

    // ErrorIfExists fails before any task and leaves the file alone.
    long before = fs.getFileStatus(new Path(path)).getLen();
    assertThatThrownBy(() -> frame(0, 10, 1).write().format("npy").save(path))
        .hasMessageContaining("already exists");
    assertThat(fs.getFileStatus(new Path(path)).getLen()).isEqualTo(before);

    frame(7, 17, 2).write().format("npy").mode(SaveMode.Overwrite).save(path);
    assertRows(path, 7, 17);
    assertOnlyFiles("/merged", "t.npy");

    // numpy opens the file exactly as HDFS holds it.
    java.nio.file.Path copy = ItConfig.workDir("hdfs-copy").resolve("t.npy");
    fs.copyToLocalFile(new Path(path), new Path(copy.toUri()));
    assertThat(
            Numpy.run(
                "a = np.load(sys.argv[1], mmap_mode='r')\n"
                    + "assert a.dtype.names == ('id', 'x'), a.dtype\n"
                    + "assert (a['id'] == np.arange(7, 17)).all()\n"
                    + "assert (a['x'] == np.arange(7, 17) / 8).all()\n"
                    + "print(len(a))",
                copy))
        .isEqualToIgnoringWhitespace("10");
  }

  /**
   * A merged write of 64 MiB: the job commit concatenates the tasks' staged data behind a new
   * header file (HDFS concat, a NameNode operation), so the driver reads and writes almost nothing;
   * a copy would move the 64 MiB through it twice.
   */
  @Test
  void aMergedWriteIsConcatenatedNotCopiedByTheDriver() throws Exception {
    String path = root + "/concat/big.npy";
    long rows = 4L << 20;
    FileSystem.Statistics stats = FileSystem.getStatistics(fs.getUri().getScheme(), fs.getClass());
    long readBefore = stats.getThreadStatistics().getBytesRead();
    long writtenBefore = stats.getThreadStatistics().getBytesWritten();
    frame(0, rows, 4)
        .write()
        .format("npy")
        .option("dfs.blocksize", String.valueOf(BLOCK))
        .save(path);
    long read = stats.getThreadStatistics().getBytesRead() - readBefore;
    long written = stats.getThreadStatistics().getBytesWritten() - writtenBefore;
    System.out.printf(
        "HDFS merged write of %d bytes: the driver read %d and wrote %d bytes%n",
        rows * 16, read, written);
    assertThat(read + written).isLessThanOrEqualTo(16L << 20);
    FileStatus status = fs.getFileStatus(new Path(path));
    assertThat(status.getLen()).isGreaterThan(rows * 16);
    // the tasks' blocks, behind the header's own one
    assertThat(fs.getFileBlockLocations(status, 0, Long.MAX_VALUE).length).isGreaterThan(64);
    assertRows(path, 0, rows);
    assertOnlyFiles("/concat", "big.npy");

    // the baseline, same run: commitCopy=driver copies every byte through the driver
    readBefore = stats.getThreadStatistics().getBytesRead();
    writtenBefore = stats.getThreadStatistics().getBytesWritten();
    frame(0, rows, 4)
        .write()
        .format("npy")
        .option("dfs.blocksize", String.valueOf(BLOCK))
        .option("commitCopy", "driver")
        .mode(SaveMode.Overwrite)
        .save(path);
    long copyRead = stats.getThreadStatistics().getBytesRead() - readBefore;
    long copyWritten = stats.getThreadStatistics().getBytesWritten() - writtenBefore;
    System.out.printf(
        "HDFS merged write of %d bytes with commitCopy=driver: the driver read %d and wrote %d"
            + " bytes%n",
        rows * 16, copyRead, copyWritten);
    assertThat(copyRead).isGreaterThanOrEqualTo(rows * 16);
    assertThat(copyWritten).isGreaterThanOrEqualTo(rows * 16);
    assertRows(path, 0, rows);
  }

  /** Opt-in: commit times by output size ({@link CommitScaling}). */
  @Test
  void commitTimeByOutputSize() throws Exception {
    assumeTrue(!CommitScaling.sizesMiB().isEmpty(), "-Dnpy.it.commitScalingMiB=256,1024,4096");
    FileSystem.Statistics stats = FileSystem.getStatistics(fs.getUri().getScheme(), fs.getClass());
    CommitScaling.run(
        spark,
        root + "/scaling",
        "HDFS",
        false,
        p -> fs.delete(new Path(p), false),
        staged ->
            stats.getThreadStatistics().getBytesRead()
                + stats.getThreadStatistics().getBytesWritten());
  }

  /**
   * A commit that fails once the parts are concatenated (before the rename) leaves the file it
   * would have replaced byte for byte, and nothing else behind.
   */
  @Test
  void aCommitFailingAfterTheConcatLeavesTheOldFile() throws Exception {
    String path = root + "/concat-fault/t.npy";
    frame(0, 1000, 2).write().format("npy").save(path);
    byte[] before = readAll(path);
    try (ItCommitFaults faults = ItCommitFaults.failAt("DATA_WRITTEN")) {
      assertThatThrownBy(
              () -> frame(5, 50_005, 3).write().format("npy").mode(SaveMode.Overwrite).save(path))
          .hasStackTraceContaining("injected: commit fails at DATA_WRITTEN");
    }
    assertThat(readAll(path)).isEqualTo(before);
    assertOnlyFiles("/concat-fault", "t.npy");
    frame(5, 50_005, 3).write().format("npy").mode(SaveMode.Overwrite).save(path);
    assertRows(path, 5, 50_005);
  }

  /**
   * Parts whose strings are narrower than the job's longest cannot be concatenated as they are: the
   * commit widens them in a copy, numpy reads the file as np.save would have written it.
   */
  @Test
  void partsNeedingWiderStringsAreCopiedInstead() throws Exception {
    String path = root + "/concat-strings/s.npy";
    spark
        .range(0, 3000, 1, 3)
        .selectExpr("id", "repeat('x', cast(id DIV 1000 + 1 AS int)) AS s")
        .write()
        .format("npy")
        .save(path);
    java.nio.file.Path copy = ItConfig.workDir("hdfs-strings").resolve("s.npy");
    fs.copyToLocalFile(new Path(path), new Path(copy.toUri()));
    assertThat(
            Numpy.run(
                "a = np.load(sys.argv[1])\n"
                    + "assert a.dtype == np.dtype([('id', '<i8'), ('s', '<U3')]), a.dtype\n"
                    + "assert (a['id'] == np.arange(3000)).all()\n"
                    + "assert (a['s'] == np.array(['x' * (i // 1000 + 1) for i in range(3000)])).all()\n"
                    + "print(len(a))",
                copy))
        .isEqualToIgnoringWhitespace("3000");
    assertOnlyFiles("/concat-strings", "s.npy");
  }

  @Test
  void unmergedWriteAppendAndOverwrite() throws Exception {
    String dir = root + "/parts/d";
    frame(0, 30_000, 3).write().format("npy").option("merge", "false").save(dir);
    frame(30_000, 40_000, 2)
        .write()
        .format("npy")
        .option("merge", "false")
        .mode(SaveMode.Append)
        .save(dir);
    List<Path> parts = parts(dir);
    assertThat(parts).hasSize(5);
    long next = 0;
    for (Path p : parts) {
      try (NpyFile f = FsInputFile.open(fs, p)) {
        assertThat(f.dtype().descr()).isEqualTo("[('id', '<i8'), ('x', '<f8')]");
        ByteBuffer b = f.rows(0, f.rowCount());
        for (int i = 0; i < f.rowCount(); i++) {
          assertThat(b.getLong(i * 16)).isEqualTo(next + i);
        }
        next += f.rowCount();
      }
    }
    assertThat(next).isEqualTo(40_000L);
    assertThat(spark.read().format("npy").load(dir).count()).isEqualTo(40_000L);

    frame(0, 5, 1)
        .write()
        .format("npy")
        .option("merge", "false")
        .mode(SaveMode.Overwrite)
        .save(dir);
    assertThat(parts(dir)).hasSize(1);
    assertThat(spark.read().format("npy").load(dir).count()).isEqualTo(5L);
  }

  /**
   * The streaming sink: each micro-batch (256 KiB of the source's rows: 16,384 rows, so 3 for the
   * first 40,000) appended to one file exactly once, by a rewritten copy as a batch Append here
   * does; a second run from the same checkpoint adds the rows appended to the source since. Its log
   * beside the file, nothing else.
   */
  @Test
  void aStreamAppendsEachMicroBatchOnceAcrossRuns() throws Exception {
    String source = root + "/stream/in.npy";
    String sink = root + "/stream/out.npy";
    java.nio.file.Path checkpoint = ItConfig.workDir("hdfs-stream-checkpoint");
    frame(0, 40_000, 2).write().format("npy").save(source);
    assertThat(ItStreams.availableNow(spark, source, sink, checkpoint)).isEqualTo(3);
    assertRows(sink, 0, 40_000);
    frame(40_000, 50_000, 1).write().format("npy").mode(SaveMode.Append).save(source);
    assertThat(ItStreams.availableNow(spark, source, sink, checkpoint)).isEqualTo(1);
    assertRows(sink, 0, 50_000);
    assertOnlyFiles("/stream", "in.npy", "out.npy", "_npy_streaming");
  }

  private Dataset<Row> frame(long from, long to, int partitions) {
    return spark.range(from, to, 1, partitions).selectExpr("id", "id / 8.0D as x");
  }

  /** Checks the file with the core reader straight from HDFS: rows from..to-1 of frame(). */
  private static void assertRows(String path, long from, long to) throws IOException {
    try (NpyFile f = FsInputFile.open(fs, new Path(path))) {
      assertThat(f.dtype().descr()).isEqualTo("[('id', '<i8'), ('x', '<f8')]");
      assertThat(f.rowCount()).isEqualTo(to - from);
      assertThat(f.needsRecovery()).isFalse();
      assertThat(f.encodedHeader().isAppendable()).isTrue();
      assertThat(f.fileLength()).isEqualTo(f.encodedHeader().dataOffset() + (to - from) * 16);
      ByteBuffer b = f.rows(0, to - from);
      for (int i = 0; i < to - from; i++) {
        assertThat(b.getLong(i * 16)).isEqualTo(from + i);
        assertThat(b.getDouble(i * 16 + 8)).isEqualTo((from + i) / 8.0);
      }
    }
  }

  private static byte[] readAll(String path) throws IOException {
    try (var in = fs.open(new Path(path))) {
      return in.readAllBytes();
    }
  }

  private static List<Path> parts(String dir) throws IOException {
    return Arrays.stream(fs.listStatus(new Path(dir)))
        .map(FileStatus::getPath)
        .filter(p -> p.getName().endsWith(".npy"))
        .sorted()
        .toList();
  }

  /** Nothing left behind: no staging directories, no temporary commit files. */
  private static void assertOnlyFiles(String dir, String... names) throws IOException {
    assertThat(Arrays.stream(fs.listStatus(new Path(root + dir))).map(s -> s.getPath().getName()))
        .containsExactlyInAnyOrder(names);
  }
}
