package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.spark.config.NpyOptionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Where the reader behaves as Spark's own file sources (checked against Parquet where Spark has a
 * behaviour to compare with): missing paths and empty directories fail at {@code load} with Spark's
 * error classes, names Spark skips, {@code modifiedBefore}/{@code modifiedAfter}, parallel listing
 * of wide trees, split sizes that follow Spark's parallelism, and {@code Dataset.inputFiles}.
 */
class ReadLikeFileSourcesTest extends NpyReadTestBase {

  private static DataFrameReader npy() {
    return spark().read().format("npy");
  }

  // ---- 1. missing paths and empty directories ----

  @Test
  void aMissingPathFailsAtLoadWithSparksPathNotFound() {
    Path missing = tmp.resolve("nope.npy");
    // load alone fails (it used to return a DataFrame of no columns that failed later)
    assertThatThrownBy(() -> npy().load(missing.toString()))
        .isInstanceOf(AnalysisException.class)
        .hasMessageStartingWith("[PATH_NOT_FOUND] Path does not exist: file:" + missing + ".")
        .satisfies(e -> assertThat(((SparkThrowable) e).getSqlState()).isEqualTo("42K03"))
        .satisfies(
            e ->
                assertThat(((SparkThrowable) e).getMessageParameters())
                    .containsEntry("path", "file:" + missing));
    // exactly what Parquet says for a missing path
    assertThatThrownBy(() -> spark().read().parquet(missing.toString()))
        .isInstanceOf(AnalysisException.class)
        .hasMessageStartingWith("[PATH_NOT_FOUND] Path does not exist: file:" + missing + ".");
    // ignoreMissingFiles does not cover a missing top-level path, in Spark either
    assertThatThrownBy(() -> npy().option("ignoreMissingFiles", "true").load(missing.toString()))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("[PATH_NOT_FOUND]");
    assertThatThrownBy(
            () ->
                spark()
                    .read()
                    .option("ignoreMissingFiles", "true")
                    .parquet(missing.toString())
                    .collect())
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("[PATH_NOT_FOUND]");
    // a glob that matches nothing names the glob
    String glob = tmp.resolve("nothing-*.npy").toString();
    assertThatThrownBy(() -> npy().load(glob))
        .isInstanceOf(AnalysisException.class)
        .hasMessageStartingWith("[PATH_NOT_FOUND] Path does not exist: file:" + glob + ".");
  }

  @Test
  void aLoadWithoutAPathSaysToGiveOne() {
    assertThatThrownBy(() -> npy().load())
        .isInstanceOf(io.github.sparknpy.spark.config.NpyOptionException.class)
        .hasMessage(
            "No path given: use load(path) / save(path) or option(\"path\", ...) with the npy"
                + " format");
  }

  @Test
  void aMissingPathAmongSeveralIsNamed() throws Exception {
    Path dir = newDir("some");
    Path one = dir.resolve("one.npy");
    numpy("np.save(sys.argv[1], np.zeros(2))", one);
    Path missing = dir.resolve("missing.npy");
    assertThatThrownBy(() -> npy().load(one.toString(), missing.toString()))
        .isInstanceOf(AnalysisException.class)
        .hasMessageStartingWith("[PATH_NOT_FOUND] Path does not exist: file:" + missing + ".");
  }

  @Test
  void writesStillCreateAPathThatDoesNotExist() {
    Path target = tmp.resolve("new.npy");
    spark().range(5).toDF("value").write().format("npy").mode("append").save(target.toString());
    assertThat(npy().load(target.toString()).as(Encoders.LONG()).collectAsList())
        .containsExactly(0L, 1L, 2L, 3L, 4L);
    Path target2 = tmp.resolve("new2.npy");
    spark().range(3).toDF("value").write().format("npy").save(target2.toString());
    assertThat(npy().load(target2.toString()).count()).isEqualTo(3);
  }

  @Test
  void anEmptyDirectoryFailsAtLoadLikeParquetsUnableToInferSchema() throws Exception {
    Path empty = newDir("empty");
    Files.write(empty.resolve("_SUCCESS"), new byte[0]);
    assertThatThrownBy(() -> npy().load(empty.toString()))
        .isInstanceOf(NpyPathException.class)
        .hasMessageStartingWith("[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for npy")
        .hasMessageContaining(empty.toString())
        .hasMessageContaining(".npy or .npz")
        .hasMessageContaining("names starting with _ or .")
        .hasMessageContaining("recursiveFileLookup")
        .satisfies(e -> assertThat(((SparkThrowable) e).getSqlState()).isEqualTo("42KD9"));
    assertThatThrownBy(() -> spark().read().parquet(empty.toString()))
        .isInstanceOf(AnalysisException.class)
        .hasMessageStartingWith("[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for Parquet")
        .satisfies(e -> assertThat(((SparkThrowable) e).getSqlState()).isEqualTo("42KD9"));
    assertThatThrownBy(() -> npy().option("pathGlobFilter", "*.npz").load(empty.toString()))
        .isInstanceOf(NpyPathException.class)
        .hasMessageContaining("pathGlobFilter *.npz");
  }

  // ---- 3. listing ----

  @Test
  void namesSparkSkipsAreSkipped() throws Exception {
    Path dir = newDir("names");
    numpy(
        "np.save(sys.argv[1] + '/a.npy', np.arange(3.0))\n"
            + "np.save(sys.argv[1] + '/_hidden.npy', np.arange(100.0))\n"
            + "np.save(sys.argv[1] + '/.dot.npy', np.arange(100.0))",
        dir);
    // a copy in progress (hadoop fs -put): half a file, unreadable
    byte[] whole = Files.readAllBytes(dir.resolve("a.npy"));
    Files.write(dir.resolve("b.npy._COPYING_"), java.util.Arrays.copyOf(whole, 40));
    assertThat(npy().load(dir.toString()).as(Encoders.DOUBLE()).collectAsList())
        .containsExactly(0.0, 1.0, 2.0);
    // Spark skips a named file with such a name too (and Parquet then finds nothing)
    Path hidden = dir.resolve("_hidden.npy");
    assertThatThrownBy(() -> npy().load(hidden.toString()))
        .isInstanceOf(NpyPathException.class)
        .hasMessageContaining("[UNABLE_TO_INFER_SCHEMA]");
    // names with '=' are partition directories to Spark, not hidden
    Path part = Files.createDirectories(dir.resolve("sub/_k=1"));
    numpy("np.save(sys.argv[1] + '/c.npy', np.arange(5.0, 7.0))", part);
    assertThat(
            npy()
                .option("recursiveFileLookup", "true")
                .load(dir.resolve("sub").toString())
                .as(Encoders.DOUBLE())
                .collectAsList())
        .containsExactly(5.0, 6.0);
    assertThat(NpyFileLister.skippedName("_metadata")).isTrue();
    assertThat(NpyFileLister.skippedName("x.npy._COPYING_")).isTrue();
    assertThat(NpyFileLister.skippedName("_a=1")).isFalse();
    assertThat(NpyFileLister.skippedName("a_b.npy")).isFalse();
  }

  private static final String[] STAMPS = {
    "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", "2021-01-01T00:00:01Z", "2022-06-15T12:30:00Z"
  };

  /** Files holding 0..3 (npy, and parquet) whose modification times are {@link #STAMPS}. */
  private Path[] timedFiles() throws IOException {
    Path npyDir = newDir("timed-npy");
    Path pqDir = tmp.resolve("timed-parquet");
    for (int i = 0; i < STAMPS.length; i++) {
      Path f = npyDir.resolve("f" + i + ".npy");
      numpy("np.save(sys.argv[1], np.array([" + i + "], np.int64))", f);
      Files.setLastModifiedTime(f, FileTime.from(Instant.parse(STAMPS[i])));
      spark().range(i, i + 1).coalesce(1).write().mode("append").parquet(pqDir.toString());
    }
    try (var s = Files.list(pqDir)) {
      for (Path part : s.filter(p -> p.toString().endsWith(".parquet")).toList()) {
        long id = spark().read().parquet(part.toString()).first().getLong(0);
        Files.setLastModifiedTime(part, FileTime.from(Instant.parse(STAMPS[(int) id])));
      }
    }
    return new Path[] {npyDir, pqDir};
  }

  private static Set<Long> values(Map<String, String> options, Path dir, boolean parquet) {
    Set<Long> out = new TreeSet<>();
    try {
      DataFrameReader r = spark().read().options(options);
      Dataset<Row> df = parquet ? r.parquet(dir.toString()) : r.format("npy").load(dir.toString());
      for (Row row : df.collectAsList()) {
        out.add(row.getLong(0));
      }
    } catch (NpyPathException e) {
      // npy: no file selected
    } catch (Exception e) {
      if (!parquet || !(e instanceof AnalysisException)) {
        throw e;
      }
      // Parquet: no file selected (UNABLE_TO_INFER_SCHEMA)
    }
    return out;
  }

  @Test
  void modifiedBeforeAndAfterSelectFilesAsSparksFileSourcesDo() throws Exception {
    Path[] dirs = timedFiles();
    Path npyDir = dirs[0];
    Path pqDir = dirs[1];
    List<Map<String, String>> cases = new ArrayList<>();
    cases.add(Map.of("modifiedAfter", "2020-06-01T00:00:00"));
    cases.add(Map.of("modifiedBefore", "2021-06-01T00:00:00"));
    cases.add(Map.of("modifiedAfter", "2020-06-01T00:00:00", "modifiedBefore", "2022-01-01T00:00"));
    cases.add(Map.of("modifiedAfter", "2021-01-01T00:00:00")); // strict: the 00:00:00 file is out
    cases.add(Map.of("modifiedBefore", "2021-01-01T00:00:01")); // strict
    cases.add(Map.of("modifiedAfter", "2021-01-01")); // a date alone
    cases.add(Map.of("modifiedBefore", "2021-01-01 00:00:00.5")); // space, fraction
    cases.add(Map.of("modifiedAfter", "2020-12-31T19:00:00", "timeZone", "America/New_York"));
    cases.add(Map.of("modifiedAfter", "2020-12-31T23:00:00-05:00"));
    cases.add(Map.of("modifiedBefore", "2021-01-01T01:00:00", "timeZone", "Europe/Paris"));
    cases.add(Map.of("modifiedAfter", "2030-01-01T00:00:00"));
    for (String sessionZone : new String[] {"UTC", "Asia/Tokyo"}) {
      withSQLConf(
          Map.of("spark.sql.session.timeZone", sessionZone),
          () -> {
            for (Map<String, String> options : cases) {
              assertThat(values(options, npyDir, false))
                  .as(sessionZone + " " + options)
                  .isEqualTo(values(options, pqDir, true));
            }
          });
    }
    assertThat(values(Map.of("modifiedAfter", "2020-06-01T00:00:00"), npyDir, false))
        .containsExactly(1L, 2L, 3L);
    // both options narrow a named file too; nothing left is Spark's UNABLE_TO_INFER_SCHEMA
    assertThatThrownBy(
            () ->
                npy()
                    .option("modifiedAfter", "2030-01-01T00:00:00")
                    .load(npyDir.resolve("f0.npy").toString()))
        .isInstanceOf(NpyPathException.class)
        .hasMessageContaining("modifiedBefore/modifiedAfter");
  }

  @Test
  void anInvalidModifiedTimeNamesTheOptionAndTheFormat() throws Exception {
    Path file = newDir("t").resolve("x.npy");
    numpy("np.save(sys.argv[1], np.zeros(2))", file);
    assertThatThrownBy(() -> npy().option("modifiedBefore", "yesterday").load(file.toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Invalid value 'yesterday' for option 'modifiedBefore'")
        .hasMessageContaining("YYYY-MM-DDTHH:mm:ss");
    assertThatThrownBy(
            () -> npy().option("modifiedAfter", "2020-13-01T00:00:00").load(file.toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("'modifiedAfter'");
  }

  /**
   * The local file system, but the first listing of {@link #target} finds it replaced as another
   * write's Overwrite replaces a directory: between Hadoop's existence check and its listing, which
   * Hadoop's local file system then reports as "Permission denied" (its {@code FileUtil.list}).
   */
  public static final class ReplacedWhileListedFileSystem extends LocalFileSystem {
    static volatile java.nio.file.Path target;
    static volatile java.nio.file.Path replacement;
    static final java.util.concurrent.atomic.AtomicInteger REFUSALS =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public FileStatus[] listStatus(org.apache.hadoop.fs.Path f) throws IOException {
      java.nio.file.Path local = java.nio.file.Path.of(f.toUri().getPath());
      if (local.equals(target) && replacement != null) {
        java.nio.file.Path aside = target.resolveSibling("." + target.getFileName() + ".old");
        Files.move(target, aside);
        Files.move(replacement, target);
        replacement = null;
        REFUSALS.incrementAndGet();
        throw new java.nio.file.AccessDeniedException(f.toString(), null, "Permission denied");
      }
      return super.listStatus(f);
    }
  }

  @Test
  void aDirectoryReplacedWhileItIsListedIsListedAgain() throws Exception {
    Path dir = newDir("replaced");
    Path next = newDir("next");
    numpy("np.save(sys.argv[1] + '/x.npy', np.array([1, 2], np.int64))", dir);
    numpy("np.save(sys.argv[1] + '/x.npy', np.array([7, 8, 9], np.int64))", next);
    ReplacedWhileListedFileSystem.target = dir;
    ReplacedWhileListedFileSystem.replacement = next;
    ReplacedWhileListedFileSystem.REFUSALS.set(0);
    Map<String, String> fs =
        Map.of(
            "fs.file.impl",
            ReplacedWhileListedFileSystem.class.getName(),
            "fs.file.impl.disable.cache",
            "true");
    List<Long> rows = npy().options(fs).load(dir.toString()).as(Encoders.LONG()).collectAsList();
    assertThat(ReplacedWhileListedFileSystem.REFUSALS.get()).isEqualTo(1);
    assertThat(rows).as("the replacement, listed again").containsExactly(7L, 8L, 9L);
  }

  /** The local file system, recording which threads list directories. */
  public static final class RecordingFileSystem extends LocalFileSystem {
    static final Set<String> LISTING_THREADS = ConcurrentHashMap.newKeySet();

    @Override
    public FileStatus[] listStatus(org.apache.hadoop.fs.Path f) throws IOException {
      LISTING_THREADS.add(Thread.currentThread().getName());
      return super.listStatus(f);
    }
  }

  @Test
  void wideTreesAreListedInParallelPastSparksThreshold() throws Exception {
    Path dir = newDir("wide");
    numpy(
        "import os\n"
            + "for i in range(20):\n"
            + "    os.makedirs(sys.argv[1] + '/d%02d' % i)\n"
            + "    np.save(sys.argv[1] + '/d%02d/x.npy' % i, np.array([i], np.int64))",
        dir);
    Map<String, String> fs =
        Map.of(
            "recursiveFileLookup", "true",
            "fs.file.impl", RecordingFileSystem.class.getName(),
            "fs.file.impl.disable.cache", "true");
    List<Long> expected = new ArrayList<>();
    for (long i = 0; i < 20; i++) {
      expected.add(i);
    }
    RecordingFileSystem.LISTING_THREADS.clear();
    List<Long> serial = npy().options(fs).load(dir.toString()).as(Encoders.LONG()).collectAsList();
    assertThat(serial).containsExactlyElementsOf(expected);
    assertThat(RecordingFileSystem.LISTING_THREADS).noneMatch(t -> t.startsWith("npy-file-lister"));

    withSQLConf(
        Map.of(
            "spark.sql.sources.parallelPartitionDiscovery.threshold", "4",
            "spark.sql.sources.parallelPartitionDiscovery.parallelism", "3"),
        () -> {
          RecordingFileSystem.LISTING_THREADS.clear();
          List<Long> parallel =
              npy().options(fs).load(dir.toString()).as(Encoders.LONG()).collectAsList();
          assertThat(parallel).containsExactlyElementsOf(expected);
          List<String> listers = new ArrayList<>(RecordingFileSystem.LISTING_THREADS);
          listers.removeIf(t -> !t.startsWith("npy-file-lister"));
          assertThat(listers).isNotEmpty();
        });
  }

  // ---- 2. splits ----

  /** A float64 file of {@code mib} MiB: a real header, sparse data (planning reads no data). */
  private Path sparseFile(String name, int mib) throws IOException {
    Path file = newDir("big-" + name).resolve(name);
    numpy(
        "h = np.lib.format.header_data_from_array_1_0(np.zeros(3))\n"
            + "h['shape'] = ("
            + (mib * 131072)
            + ",)\n"
            + "with open(sys.argv[1], 'wb') as f:\n"
            + "    np.lib.format.write_array_header_1_0(f, h)\n"
            + "    f.truncate(f.tell() + "
            + mib
            + " * 2**20)\n",
        file);
    return file;
  }

  @Test
  void splitsFollowSparksParallelism() throws Exception {
    Path file = sparseFile("x64.npy", 64);
    assertThat(spark().sparkContext().defaultParallelism()).isEqualTo(2);
    // (64 MiB + 4 MiB open cost) / 2 cores = 34 MiB per split: two partitions, not one
    assertThat(npy().load(file.toString()).rdd().getNumPartitions()).isEqualTo(2);
    withSQLConf(
        Map.of("spark.sql.files.minPartitionNum", "8"),
        () -> assertThat(npy().load(file.toString()).rdd().getNumPartitions()).isEqualTo(8));
    withSQLConf(
        Map.of("spark.sql.leafNodeDefaultParallelism", "4"),
        () -> assertThat(npy().load(file.toString()).rdd().getNumPartitions()).isEqualTo(4));
    // maxPartitionBytes stays an upper bound
    assertThat(
            npy().option("maxPartitionBytes", "8m").load(file.toString()).rdd().getNumPartitions())
        .isEqualTo(8);
    withSQLConf(
        Map.of("spark.sql.files.maxPartitionBytes", "16m"),
        () -> assertThat(npy().load(file.toString()).rdd().getNumPartitions()).isEqualTo(4));
    // spark.sql.files.maxPartitionNum caps the count
    withSQLConf(
        Map.of("spark.sql.files.minPartitionNum", "16", "spark.sql.files.maxPartitionNum", "5"),
        () ->
            assertThat(npy().load(file.toString()).rdd().getNumPartitions())
                .isLessThanOrEqualTo(5));
    // the same file as Parquet's split sizes would give: one split per minPartitionNum share
    withSQLConf(
        Map.of("spark.sql.files.minPartitionNum", "8"),
        () -> {
          Dataset<Row> df = npy().load(file.toString());
          assertThat(df.count()).isEqualTo(64L * 131072);
        });
  }

  @Test
  void smallFilesArePackedAsSparkPacksThem() throws Exception {
    Path dir = newDir("small");
    Path pq = tmp.resolve("small-parquet");
    numpy(
        "for i in range(30):\n" + "    np.save(sys.argv[1] + '/f%02d.npy' % i, np.arange(2.0))",
        dir);
    spark().range(60).repartition(30).write().parquet(pq.toString());
    // 30 files of ~4 MiB open cost each over 2 cores: two partitions, as Parquet
    assertThat(npy().load(dir.toString()).rdd().getNumPartitions())
        .isEqualTo(spark().read().parquet(pq.toString()).rdd().getNumPartitions())
        .isEqualTo(2);
  }

  // ---- 4. Dataset.inputFiles ----

  @Test
  void inputFilesIsEmptyForDataSourceV2Tables() throws Exception {
    Path dir = newDir("inputs");
    numpy(
        "np.save(sys.argv[1] + '/a.npy', np.zeros(2))\n"
            + "np.save(sys.argv[1] + '/b.npy', np.zeros(2))",
        dir);
    Dataset<Row> df = npy().load(dir.toString());
    // Spark fills Dataset.inputFiles only for its own FileTable and V1 file relations (a known
    // difference, README Limitations); the _file metadata column lists the files instead.
    assertThat(df.inputFiles()).isEmpty();
    List<String> files = new ArrayList<>();
    for (Row r : df.select("_file").distinct().collectAsList()) {
      files.add(r.getString(0));
    }
    Collections.sort(files);
    assertThat(files).hasSize(2);
    assertThat(files.get(0)).endsWith("/a.npy");
  }
}
