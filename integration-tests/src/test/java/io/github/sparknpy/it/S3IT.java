package io.github.sparknpy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.sparknpy.npy.NpyFile;
import io.github.sparknpy.npy.testing.Numpy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S3: s3proxy (in-memory blob store, AWS v4 signatures, dummy credentials) in this JVM on
 * 127.0.0.1, reached through hadoop-aws ({@code s3a://}, path-style, no TLS) from the driver and
 * from the executors of the standalone cluster.
 */
@ExtendWith(SparkCluster.class)
class S3IT {
  private static final String BUCKET = "npy-it";
  private static final String ACCESS = "npy-access";
  private static final String SECRET = "npy-secret";

  private static S3Proxy proxy;
  private static CountingProxy traffic;
  private static BlobStoreContext blobs;
  private static FileSystem s3;
  private static final Map<String, String> S3A = new LinkedHashMap<>();

  private final SparkSession spark = SparkCluster.spark();

  @BeforeAll
  static void startS3() throws Exception {
    // The in-memory store: jclouds' filesystem store keeps S3A's empty directory markers
    // ("dir/") as directories it then reports missing, which real S3 does not do.
    blobs =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, BUCKET);
    proxy =
        S3Proxy.builder()
            .blobStore(blobs.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:" + StandaloneCluster.freePort()))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
            // the AWS SDK's flexible-checksum headers (e.g. on DeleteObjects), which s3proxy
            // otherwise answers with 501 NotImplemented
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
      }
      Thread.sleep(20);
    }

    // every request goes through a counter: what the job commit moves shows in its traffic
    traffic = CountingProxy.to(proxy.getPort());
    S3A.put("fs.s3a.endpoint", "http://127.0.0.1:" + traffic.port());
    S3A.put("fs.s3a.endpoint.region", "us-east-1");
    S3A.put("fs.s3a.path.style.access", "true");
    S3A.put("fs.s3a.connection.ssl.enabled", "false");
    S3A.put(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    S3A.put("fs.s3a.access.key", ACCESS);
    S3A.put("fs.s3a.secret.key", SECRET);
    S3A.put("fs.s3a.attempts.maximum", "2");
    S3A.put("fs.s3a.retry.limit", "2");
    // Session confs reach the connector's Hadoop configuration on the driver and the executors.
    SparkSession spark = SparkCluster.spark();
    S3A.forEach(spark.conf()::set);

    Configuration conf = new Configuration();
    S3A.forEach(conf::set);
    s3 = FileSystem.newInstance(URI.create("s3a://" + BUCKET + "/"), conf);
  }

  @AfterAll
  static void stopS3() throws Exception {
    SparkSession spark = SparkCluster.spark();
    S3A.keySet().forEach(spark.conf()::unset);
    if (s3 != null) {
      s3.close();
    }
    if (traffic != null) {
      traffic.close();
    }
    if (proxy != null) {
      proxy.stop();
    }
    if (blobs != null) {
      blobs.close();
    }
  }

  /**
   * A 48 MiB numpy file read as 6+ partitions: every value where numpy put it, and the tasks
   * together read about the file once (ranged GETs of their row ranges, not whole objects).
   */
  @Test
  void readsALargeObjectInRangedPartitions() throws Exception {
    java.nio.file.Path local = ItConfig.workDir("s3-src").resolve("big.npy");
    Numpy.run("np.save(sys.argv[1], np.arange(6291456, dtype='<f8').reshape(1572864, 4))", local);
    String path = "s3a://" + BUCKET + "/read/big.npy";
    s3.copyFromLocalFile(new Path(local.toUri()), new Path(path));
    long size = s3.getFileStatus(new Path(path)).getLen();
    assertThat(size).isEqualTo(6291456L * 8 + 128);

    try (TaskLog tasks = TaskLog.start(spark)) {
      Dataset<Row> m =
          spark
              .read()
              .format("npy")
              .option("layout", "matrix")
              .option("maxPartitionBytes", "8m")
              .load(path);
      assertThat(m.rdd().getNumPartitions()).isGreaterThanOrEqualTo(6);
      Row check =
          m.selectExpr(
                  "count(*)",
                  "count_if(_0 != 4 * _row_index OR _1 != 4 * _row_index + 1"
                      + " OR _2 != 4 * _row_index + 2 OR _3 != 4 * _row_index + 3)",
                  "count(distinct _row_index)")
              .first();
      assertThat(check.getLong(0)).isEqualTo(1_572_864L);
      assertThat(check.getLong(1)).isZero();
      assertThat(check.getLong(2)).isEqualTo(1_572_864L);
      assertThat(tasks.executors()).hasSize(SparkCluster.EXECUTORS);
      assertThat(tasks.bytesRead()).isBetween(size - 128, size + size / 2);
    }
  }

  @Test
  void mergedWriteAppendOverwriteLeaveOneCompleteObject() throws Exception {
    String path = "s3a://" + BUCKET + "/merged/t.npy";
    frame(0, 80_000, 4).write().format("npy").save(path);
    assertRows(path, 0, 80_000);

    frame(80_000, 100_000, 2).write().format("npy").mode(SaveMode.Append).save(path);
    assertRows(path, 0, 100_000);

    frame(5, 25, 2).write().format("npy").mode(SaveMode.Overwrite).save(path);
    assertRows(path, 5, 25);
    assertThat(keys("merged/")).containsExactly("merged/t.npy");

    java.nio.file.Path copy = ItConfig.workDir("s3-copy").resolve("t.npy");
    s3.copyToLocalFile(new Path(path), new Path(copy.toUri()));
    assertThat(
            Numpy.run(
                "a = np.load(sys.argv[1], mmap_mode='r')\n"
                    + "assert (a['id'] == np.arange(5, 25)).all(), a\n"
                    + "assert (a['x'] == np.arange(5, 25) / 8).all(), a\n"
                    + "print(len(a))",
                copy))
        .isEqualToIgnoringWhitespace("20");
  }

  /**
   * While an Overwrite job runs, readers see the old object whole; a job that fails leaves it
   * untouched and no staging objects behind.
   */
  @Test
  void oldObjectStaysWholeDuringAndAfterAFailedOverwrite() throws Exception {
    String path = "s3a://" + BUCKET + "/commit/t.npy";
    frame(0, 1000, 2).write().format("npy").save(path);

    Dataset<Row> slow =
        frame(1000, 5000, 2)
            .where("reflect('java.lang.Thread', 'sleep', cast(1 as bigint)) IS NOT NULL");
    try (TaskLog tasks = TaskLog.start(spark)) {
      FutureTask<Void> write =
          new FutureTask<>(
              () -> slow.write().format("npy").mode(SaveMode.Overwrite).save(path), null);
      new Thread(write, "npy-it-s3-writer").start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (tasks.running().isEmpty() && !write.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(write.isDone()).as("the write must still be running").isFalse();
      assertRows(path, 0, 1000); // mid-job: the old object, complete
      write.get(120, TimeUnit.SECONDS);
    }
    assertRows(path, 1000, 5000);

    // A job whose tasks fail (all attempts) aborts: the object and the prefix are as before.
    Dataset<Row> failing =
        frame(0, 100, 2).where("assert_true(id < 50, 'npy-it: injected task failure') IS NULL");
    assertThatThrownBy(() -> failing.write().format("npy").mode(SaveMode.Overwrite).save(path))
        .hasStackTraceContaining("npy-it: injected task failure");
    assertRows(path, 1000, 5000);
    assertThat(keys("commit/")).containsExactly("commit/t.npy");
  }

  /**
   * A merged write of 48 MiB in 4 parts: S3 assembles the object from the staged parts (multipart
   * copies); the driver uploads the header and the first 5 MiB (S3's minimum part size) and reads
   * those 5 MiB, where a copy through it would read 48 MiB and write 48 MiB. Then an Append of 2
   * MiB copies the 48 MiB already there the same way.
   */
  @Test
  void aMergedWriteAndAnAppendAreAssembledByS3() throws Exception {
    String path = "s3a://" + BUCKET + "/multipart/big.npy";
    long rows = 3L << 20;
    long sent = traffic.toServer();
    long received = traffic.fromServer();
    frame(0, rows, 4).write().format("npy").save(path);
    long staged = rows * 16 + 4 * 128; // the tasks' part objects
    long commitSent = traffic.toServer() - sent - staged;
    long commitReceived = traffic.fromServer() - received;
    System.out.printf(
        "S3 merged write of %d bytes: beyond the staged parts, clients sent %d and received %d"
            + " bytes%n",
        rows * 16, commitSent, commitReceived);
    assertThat(commitSent).isLessThanOrEqualTo(16L << 20);
    assertThat(commitReceived).isLessThanOrEqualTo(16L << 20);
    assertRows(path, 0, rows);
    assertThat(keys("multipart/")).containsExactly("multipart/big.npy");
    assertThat(blobs.getBlobStore().listMultipartUploads(BUCKET)).isEmpty();

    // the baseline, same run: commitCopy=driver copies every byte through the driver
    String baseline = "s3a://" + BUCKET + "/multipart/copied.npy";
    sent = traffic.toServer();
    received = traffic.fromServer();
    frame(0, rows, 4).write().format("npy").option("commitCopy", "driver").save(baseline);
    long copySent = traffic.toServer() - sent - staged;
    long copyReceived = traffic.fromServer() - received;
    System.out.printf(
        "S3 merged write of %d bytes with commitCopy=driver: beyond the staged parts, clients sent"
            + " %d and received %d bytes%n",
        rows * 16, copySent, copyReceived);
    assertThat(copySent).isGreaterThanOrEqualTo(rows * 16);
    assertThat(copyReceived).isGreaterThanOrEqualTo(rows * 16);
    s3.delete(new Path(baseline), false);

    long more = 128L << 10;
    sent = traffic.toServer();
    received = traffic.fromServer();
    frame(rows, rows + more, 2).write().format("npy").mode(SaveMode.Append).save(path);
    long appendSent = traffic.toServer() - sent - (more * 16 + 2 * 128);
    long appendReceived = traffic.fromServer() - received;
    System.out.printf(
        "S3 Append of %d bytes to %d: beyond the staged parts, clients sent %d and received %d"
            + " bytes%n",
        more * 16, rows * 16, appendSent, appendReceived);
    assertThat(appendSent + appendReceived).isLessThanOrEqualTo(16L << 20);
    assertRows(path, 0, rows + more);
    assertThat(blobs.getBlobStore().listMultipartUploads(BUCKET)).isEmpty();
  }

  /**
   * Readers racing Overwrites: the multipart upload completes over the old object in one step, so a
   * reader always finds a whole object, the old one or the new one, never none and never a mix.
   */
  @Test
  void readersRacingOverwritesAlwaysFindOneWholeObject() throws Exception {
    String path = "s3a://" + BUCKET + "/race/t.npy";
    frame(0, 1000, 2).write().format("npy").save(path);
    java.util.concurrent.atomic.AtomicBoolean writing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger changed =
        new java.util.concurrent.atomic.AtomicInteger();
    FutureTask<Void> reader =
        new FutureTask<>(
            () -> {
              while (writing.get()) {
                // one GET is one version of the object (a length from a status call and bytes
                // from a later GET may belong to two: readers plan with the status and check it,
                // see docs/reading.md)
                byte[] object;
                try {
                  object = readAll(path);
                } catch (java.io.FileNotFoundException e) {
                  throw new AssertionError("a reader found no object at " + path, e);
                } catch (java.io.IOException e) {
                  // S3A's change detection: the object was replaced between the status call and
                  // the GET (a 412, which s3proxy on Spark 3.5's class path answers as a 500)
                  changed.incrementAndGet();
                  continue;
                }
                try (NpyFile f =
                    NpyFile.open(new io.github.sparknpy.npy.io.ByteArrayInputFile(object, path))) {
                  long n = f.rowCount();
                  ByteBuffer b = f.rows(0, n);
                  long first = b.getLong(0);
                  for (int i = 0; i < n; i++) {
                    assertThat(b.getLong(i * 16)).isEqualTo(first + i);
                  }
                  assertThat(f.fileLength()).isEqualTo(f.encodedHeader().dataOffset() + n * 16);
                }
                reads.incrementAndGet();
              }
              return null;
            });
    new Thread(reader, "npy-it-s3-reader").start();
    try {
      for (int round = 1; round <= 4; round++) {
        long from = round * 1_000_000L;
        frame(from, from + 50_000L * round, 2)
            .write()
            .format("npy")
            .mode(SaveMode.Overwrite)
            .save(path);
      }
    } finally {
      writing.set(false);
    }
    reader.get(60, TimeUnit.SECONDS);
    System.out.printf(
        "S3 readers racing Overwrites: %d whole reads, %d found the object replaced mid-read%n",
        reads.get(), changed.get());
    assertThat(reads.get()).isGreaterThan(4);
    assertRows(path, 4_000_000L, 4_200_000L);
  }

  /** Opt-in: commit times by output size ({@link CommitScaling}). */
  @Test
  void commitTimeByOutputSize() throws Exception {
    assumeTrue(!CommitScaling.sizesMiB().isEmpty(), "-Dnpy.it.commitScalingMiB=256,1024");
    CommitScaling.run(
        spark,
        "s3a://" + BUCKET + "/scaling",
        "S3 (s3proxy)",
        true,
        p -> s3.delete(new Path(p), false),
        staged -> traffic.toServer() - staged + traffic.fromServer());
  }

  /**
   * A commit failing with every part uploaded or copied (before the upload completes) aborts the
   * upload: the old object stays byte for byte, no multipart upload is left open.
   */
  @Test
  void aFailedMultipartCommitAbortsTheUpload() throws Exception {
    String path = "s3a://" + BUCKET + "/multipart-fault/t.npy";
    frame(0, 1000, 2).write().format("npy").save(path);
    byte[] before = readAll(path);
    for (SaveMode mode : new SaveMode[] {SaveMode.Overwrite, SaveMode.Append}) {
      try (ItCommitFaults faults = ItCommitFaults.failAt("DATA_WRITTEN")) {
        assertThatThrownBy(() -> frame(0, 700_000, 2).write().format("npy").mode(mode).save(path))
            .hasStackTraceContaining("injected: commit fails at DATA_WRITTEN");
      }
      assertThat(readAll(path)).isEqualTo(before);
      assertThat(blobs.getBlobStore().listMultipartUploads(BUCKET)).isEmpty();
      assertThat(keys("multipart-fault/")).containsExactly("multipart-fault/t.npy");
    }
  }

  @Test
  void unmergedWriteAndAppend() throws Exception {
    String dir = "s3a://" + BUCKET + "/parts/d";
    frame(0, 20_000, 3).write().format("npy").option("merge", "false").save(dir);
    frame(20_000, 30_000, 2)
        .write()
        .format("npy")
        .option("merge", "false")
        .mode(SaveMode.Append)
        .save(dir);
    List<String> keys = keys("parts/d/");
    assertThat(keys).contains("parts/d/_SUCCESS");
    List<String> parts = keys.stream().filter(k -> k.endsWith(".npy")).sorted().toList();
    assertThat(parts).hasSize(5);
    long next = 0;
    for (String k : parts) {
      try (NpyFile f = FsInputFile.open(s3, new Path("s3a://" + BUCKET + "/" + k))) {
        ByteBuffer b = f.rows(0, f.rowCount());
        for (int i = 0; i < f.rowCount(); i++) {
          assertThat(b.getLong(i * 16)).isEqualTo(next + i);
        }
        next += f.rowCount();
      }
    }
    assertThat(next).isEqualTo(30_000L);
    Row r = spark.read().format("npy").load(dir).selectExpr("count(*)", "sum(id)").first();
    assertThat(r.getLong(0)).isEqualTo(30_000L);
    assertThat(r.getLong(1)).isEqualTo(29_999L * 30_000 / 2);
  }

  /**
   * The streaming sink: each micro-batch (256 KiB of the source's rows: 16,384 rows, so 3 for the
   * first 40,000) appended to one file exactly once, by a rewritten copy as a batch Append here
   * does; a second run from the same checkpoint adds the rows appended to the source since. Its log
   * beside the file, nothing else.
   */
  @Test
  void aStreamAppendsEachMicroBatchOnceAcrossRuns() throws Exception {
    String source = "s3a://" + BUCKET + "/stream/in.npy";
    String sink = "s3a://" + BUCKET + "/stream/out.npy";
    java.nio.file.Path checkpoint = ItConfig.workDir("s3-stream-checkpoint");
    frame(0, 40_000, 2).write().format("npy").save(source);
    assertThat(ItStreams.availableNow(spark, source, sink, checkpoint)).isEqualTo(3);
    assertRows(sink, 0, 40_000);
    frame(40_000, 50_000, 1).write().format("npy").mode(SaveMode.Append).save(source);
    assertThat(ItStreams.availableNow(spark, source, sink, checkpoint)).isEqualTo(1);
    assertRows(sink, 0, 50_000);
    assertThat(keys("stream/"))
        .allMatch(
            k ->
                k.equals("stream/in.npy")
                    || k.equals("stream/out.npy")
                    || k.matches("stream/_npy_streaming/out\\.npy/[0-9a-f-]+/[0-9]+"))
        .contains("stream/out.npy");
  }

  private Dataset<Row> frame(long from, long to, int partitions) {
    return spark.range(from, to, 1, partitions).selectExpr("id", "id / 8.0D as x");
  }

  /** The object, read with the core reader through S3A: rows from..to-1 of frame(). */
  private static void assertRows(String path, long from, long to) throws Exception {
    try (NpyFile f = FsInputFile.open(s3, new Path(path))) {
      assertThat(f.dtype().descr()).isEqualTo("[('id', '<i8'), ('x', '<f8')]");
      assertThat(f.rowCount()).isEqualTo(to - from);
      assertThat(f.fileLength()).isEqualTo(f.encodedHeader().dataOffset() + (to - from) * 16);
      ByteBuffer b = f.rows(0, to - from);
      for (int i = 0; i < to - from; i++) {
        assertThat(b.getLong(i * 16)).isEqualTo(from + i);
        assertThat(b.getDouble(i * 16 + 8)).isEqualTo((from + i) / 8.0);
      }
    }
  }

  private static byte[] readAll(String path) throws Exception {
    try (var in = s3.open(new Path(path))) {
      return in.readAllBytes();
    }
  }

  /** Every object key under {@code prefix} (recursive listing: hidden staging objects too). */
  private static List<String> keys(String prefix) throws Exception {
    List<String> keys = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it =
        s3.listFiles(new Path("s3a://" + BUCKET + "/" + prefix), true);
    while (it.hasNext()) {
      keys.add(it.next().getPath().toUri().getPath().substring(1));
    }
    keys.sort(null);
    return keys;
  }
}
