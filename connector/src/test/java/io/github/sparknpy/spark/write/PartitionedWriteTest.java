package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.testing.DirectorySnapshot;
import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.config.NpyOptionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code partitionBy}: one numpy-ready file (or a directory of parts) per partition value under
 * Spark-style {@code k=value} directories, in every save mode, with static and dynamic Overwrite,
 * checked with numpy and against the directory names Parquet writes.
 */
class PartitionedWriteTest extends WriterTestBase {

  @AfterEach
  void noFaults() {
    CommitFaults.clear();
  }

  /** ids 0…n-1 in 3 Spark partitions; k = id % 3, v = id / 2. */
  private static Dataset<Row> frame(long n, int generation) {
    return spark()
        .range(0, n, 1, 3)
        .selectExpr(
            "id",
            "CAST(id % 3 AS INT) AS k",
            "CAST(id AS DOUBLE) * 0.5 AS v",
            generation + " AS g");
  }

  private static void save(Dataset<Row> df, Path out, SaveMode mode, String... options) {
    var w = df.write().format("npy").mode(mode).partitionBy("k");
    for (int i = 0; i < options.length; i += 2) {
      w = w.option(options[i], options[i + 1]);
    }
    w.save(out.toString());
  }

  /** Relative paths of the visible files under {@code root}. */
  private static TreeSet<String> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .filter(r -> Stream.of(r.split("/")).noneMatch(n -> n.startsWith(".")))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** numpy: dtype, shape, ids and generations of one partition file. */
  private static String numpyView(Path file) {
    return Numpy.run(
            "a = np.load(sys.argv[1], mmap_mode='r')\n"
                + "print(np.lib.format.dtype_to_descr(a.dtype), a.shape,"
                + " a['id'].tolist(), sorted(set(a['g'].tolist())))",
            file)
        .trim();
  }

  @Test
  void writesOneNumpyReadyFilePerPartitionValueInPartitionThenRowOrder() throws IOException {
    Path out = tmp.resolve("out");
    save(frame(12, 1), out, SaveMode.ErrorIfExists);

    assertThat(files(out))
        .containsExactly("_SUCCESS", "k=0/data.npy", "k=1/data.npy", "k=2/data.npy");
    assertThat(numpyView(out.resolve("k=0/data.npy")))
        .isEqualTo("[('id', '<i8'), ('v', '<f8'), ('g', '<i4')] (4,) [0, 3, 6, 9] [1]");
    assertThat(numpyView(out.resolve("k=2/data.npy")))
        .isEqualTo("[('id', '<i8'), ('v', '<f8'), ('g', '<i4')] (4,) [2, 5, 8, 11] [1]");
    assertNpSaveIdentical(out.resolve("k=1/data.npy"));
    assertThat(hiddenLeftovers(tmp)).isEmpty();
    assertThat(hiddenLeftovers(out)).isEmpty();

    // each file reads back with the npy reader, without the partition column
    List<Row> k1 =
        spark().read().format("npy").load(out.resolve("k=1/data.npy").toString()).collectAsList();
    assertThat(k1.stream().map(r -> r.getLong(0)).toList()).containsExactly(1L, 4L, 7L, 10L);
    assertThat(k1.get(0).schema().fieldNames()).containsExactly("id", "v", "g");
  }

  @Test
  void directoryNamesAreParquetsForNullsEmptyStringsAndCharactersSparkEscapes() throws IOException {
    StructType schema =
        new StructType().add("s", DataTypes.StringType).add("x", DataTypes.IntegerType);
    List<Row> rows =
        List.of(
            RowFactory.create("a/b", 1),
            RowFactory.create(null, 2),
            RowFactory.create("", 3),
            RowFactory.create("x=y:z%", 4),
            RowFactory.create("plain é", 5));
    Dataset<Row> df = spark().createDataFrame(rows, schema).coalesce(1);
    Path npy = tmp.resolve("npy");
    Path parquet = tmp.resolve("parquet");
    df.write().format("npy").partitionBy("s").save(npy.toString());
    df.write().format("parquet").partitionBy("s").save(parquet.toString());

    TreeSet<String> npyDirs = dirs(npy);
    assertThat(npyDirs).isEqualTo(dirs(parquet));
    assertThat(npyDirs)
        .containsExactly("s=__HIVE_DEFAULT_PARTITION__", "s=a%2Fb", "s=plain é", "s=x%3Dy%3Az%25");
    assertThat(
            Numpy.run(
                    "print(np.load(sys.argv[1]).tolist())",
                    npy.resolve("s=__HIVE_DEFAULT_PARTITION__/data.npy"))
                .trim())
        .isEqualTo("[2, 3]");
  }

  private static TreeSet<String> dirs(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void nestedPartitionColumnsAndMergeFalseWriteThePartsOfEachDirectory() throws IOException {
    Path out = tmp.resolve("nested");
    frame(12, 1)
        .selectExpr("id", "k", "CAST(id % 2 AS BOOLEAN) AS odd", "v")
        .write()
        .format("npy")
        .option("merge", "false")
        .partitionBy("odd", "k")
        .save(out.toString());

    TreeSet<String> files = files(out);
    assertThat(files.first()).isEqualTo("_SUCCESS");
    assertThat(files.stream().map(f -> f.replaceAll("/[^/]*$", "")).distinct().toList())
        .containsExactly(
            "_SUCCESS",
            "odd=false/k=0",
            "odd=false/k=1",
            "odd=false/k=2",
            "odd=true/k=0",
            "odd=true/k=1",
            "odd=true/k=2");
    String ids =
        Numpy.run(
                "import glob\n"
                    + "ps = sorted(glob.glob(sys.argv[1] + '/odd=true/k=1/part-*.npy'))\n"
                    + "a = np.concatenate([np.load(p) for p in ps])\n"
                    + "print(len(ps) > 1, np.lib.format.dtype_to_descr(a.dtype), a['id'].tolist())",
                out)
            .trim();
    assertThat(ids).isEqualTo("True [('id', '<i8'), ('v', '<f8')] [1, 7]");
  }

  @Test
  void ignoreAndErrorIfExistsLeaveAnExistingRootAlone() throws IOException {
    Path out = tmp.resolve("out");
    save(frame(6, 1), out, SaveMode.ErrorIfExists);
    var before = DirectorySnapshot.of(out).digests();

    save(frame(6, 2), out, SaveMode.Ignore);
    assertThatThrownBy(() -> save(frame(6, 2), out, SaveMode.ErrorIfExists))
        .hasMessageContaining("already exists");
    assertThat(DirectorySnapshot.of(out).digests()).isEqualTo(before);
  }

  @Test
  void appendAddsRowsToExistingPartitionsAndCreatesNewOnes() throws IOException {
    Path out = tmp.resolve("out");
    save(frame(6, 1).where("k < 2"), out, SaveMode.ErrorIfExists);
    save(frame(12, 2).where("id >= 6"), out, SaveMode.Append);

    assertThat(files(out))
        .containsExactly("_SUCCESS", "k=0/data.npy", "k=1/data.npy", "k=2/data.npy");
    assertThat(numpyView(out.resolve("k=0/data.npy"))).endsWith("(4,) [0, 3, 6, 9] [1, 2]");
    assertThat(numpyView(out.resolve("k=2/data.npy"))).endsWith("(2,) [8, 11] [2]");
    assertNpSaveIdentical(out.resolve("k=0/data.npy"));
  }

  @Test
  void appendOfOtherColumnsFailsNamingThePartitionFile() throws IOException {
    Path out = tmp.resolve("out");
    save(frame(6, 1), out, SaveMode.ErrorIfExists);
    var before = DirectorySnapshot.of(tmp).digests();

    assertThatThrownBy(() -> save(frame(6, 1).selectExpr("id", "k"), out, SaveMode.Append))
        .isInstanceOf(NpySchemaMismatchException.class)
        .hasMessageContaining("k=0/data.npy");
    assertThat(DirectorySnapshot.of(tmp).digests()).isEqualTo(before);
  }

  @Test
  void staticOverwriteReplacesTheWholeRoot() throws IOException {
    Path out = tmp.resolve("out");
    save(frame(12, 1), out, SaveMode.ErrorIfExists);
    Files.writeString(out.resolve("stray.txt"), "x");

    save(frame(12, 2).where("k = 1"), out, SaveMode.Overwrite);

    assertThat(files(out)).containsExactly("_SUCCESS", "k=1/data.npy");
    assertThat(numpyView(out.resolve("k=1/data.npy"))).endsWith("(4,) [1, 4, 7, 10] [2]");
    assertThat(hiddenLeftovers(out.resolve("k=1"))).isEmpty();
  }

  @Test
  void dynamicOverwriteReplacesOnlyThePartitionsWritten() throws IOException {
    Path out = tmp.resolve("out");
    save(frame(12, 1), out, SaveMode.ErrorIfExists);
    byte[] k0 = Files.readAllBytes(out.resolve("k=0/data.npy"));

    // the session conf, as for Parquet
    withSQLConf(
        Map.of("spark.sql.sources.partitionOverwriteMode", "dynamic"),
        () -> save(frame(12, 2).where("k = 1"), out, SaveMode.Overwrite));
    assertThat(files(out))
        .containsExactly("_SUCCESS", "k=0/data.npy", "k=1/data.npy", "k=2/data.npy");
    assertThat(Files.readAllBytes(out.resolve("k=0/data.npy"))).isEqualTo(k0);
    assertThat(numpyView(out.resolve("k=1/data.npy"))).endsWith("(4,) [1, 4, 7, 10] [2]");

    // the write option, which wins over the session conf
    save(frame(12, 3).where("k = 2"), out, SaveMode.Overwrite, "partitionOverwriteMode", "DYNAMIC");
    assertThat(numpyView(out.resolve("k=2/data.npy"))).endsWith("[3]");
    assertThat(numpyView(out.resolve("k=1/data.npy"))).endsWith("[2]");
    assertThat(Files.readAllBytes(out.resolve("k=0/data.npy"))).isEqualTo(k0);

    withSQLConf(
        Map.of("spark.sql.sources.partitionOverwriteMode", "dynamic"),
        () ->
            save(
                frame(12, 4).where("k = 2"),
                out,
                SaveMode.Overwrite,
                "partitionOverwriteMode",
                "static"));
    assertThat(files(out)).containsExactly("_SUCCESS", "k=2/data.npy");
  }

  @Test
  void invalidPartitionOverwriteModeNamesTheValidOnes() throws IOException {
    Path out = tmp.resolve("out");
    save(frame(6, 1), out, SaveMode.ErrorIfExists);
    assertThatThrownBy(
            () -> save(frame(6, 2), out, SaveMode.Overwrite, "partitionOverwriteMode", "some"))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("partitionOverwriteMode")
        .hasMessageContaining("dynamic");
  }

  /**
   * The usual ETL write, {@code mode("overwrite").partitionBy(…).save(newPath)}, creates the
   * partitioned output as Parquet does (Spark gives the columns to npy on its V1 save route only).
   */
  @Test
  void appendOrOverwriteOfANewPathCreatesItPartitioned() throws IOException {
    for (SaveMode mode : List.of(SaveMode.Append, SaveMode.Overwrite)) {
      Path out = tmp.resolve("new-" + mode);
      save(frame(12, 1), out, mode);
      assertThat(files(out))
          .as(mode.toString())
          .containsExactly("_SUCCESS", "k=0/data.npy", "k=1/data.npy", "k=2/data.npy");
      assertThat(numpyView(out.resolve("k=2/data.npy")))
          .isEqualTo("[('id', '<i8'), ('v', '<f8'), ('g', '<i4')] (4,) [2, 5, 8, 11] [1]");
      List<Row> back =
          spark().read().format("npy").load(out.toString()).orderBy("id").collectAsList();
      assertThat(back).hasSize(12);
      assertThat(back.get(0).schema().fieldNames()).containsExactly("id", "v", "g", "k");
      assertThat(back.get(5).getInt(3)).isEqualTo(2);
    }
  }

  @Test
  void partitionColumnsMustLeaveAColumnAndNameASimpleValue() {
    Path out = tmp.resolve("out");
    assertThatThrownBy(
            () ->
                frame(6, 1).select("k").write().format("npy").partitionBy("k").save(out.toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("by all its columns (k)");
    assertThatThrownBy(
            () ->
                frame(6, 1)
                    .selectExpr("id", "array(id) AS a")
                    .write()
                    .format("npy")
                    .partitionBy("a")
                    .save(out.toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("by column 'a' of type array<bigint>");
    assertThat(out).doesNotExist();
  }

  @Test
  void transformsOtherThanColumnsAreRefusedByName() {
    Path out = tmp.resolve("out");
    assertThatThrownBy(
            () ->
                frame(6, 1)
                    .selectExpr("id", "TIMESTAMP'2024-01-01 00:00:00' AS ts")
                    .writeTo("npy.`" + out + "`")
                    .partitionedBy(
                        org.apache.spark.sql.functions.years(
                            org.apache.spark.sql.functions.col("ts")))
                    .create())
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Cannot partition npy output by years(ts)");
  }

  @Test
  void sqlPartitionedTableTakesInsertAndDynamicInsertOverwrite() throws IOException {
    Path out = tmp.resolve("t");
    String table = "npy_partitioned_" + System.nanoTime();
    try {
      sql(
          "CREATE TABLE %s (id BIGINT, v DOUBLE, k INT) USING npy PARTITIONED BY (k) LOCATION '%s'",
          table, out);
      sql("INSERT INTO %s SELECT id, id * 0.5, CAST(id %% 3 AS INT) FROM range(6)", table);
      assertThat(files(out))
          .containsExactly("_SUCCESS", "k=0/data.npy", "k=1/data.npy", "k=2/data.npy");
      byte[] k0 = Files.readAllBytes(out.resolve("k=0/data.npy"));
      withSQLConf(
          Map.of("spark.sql.sources.partitionOverwriteMode", "dynamic"),
          () -> sql("INSERT OVERWRITE %s SELECT 100, 1.0, 1", table));
      assertThat(Files.readAllBytes(out.resolve("k=0/data.npy"))).isEqualTo(k0);
      assertThat(
              Numpy.run("print(np.load(sys.argv[1])['id'].tolist())", out.resolve("k=1/data.npy"))
                  .trim())
          .isEqualTo("[100]");
      sql("INSERT OVERWRITE %s SELECT 7, 1.0, 2", table);
      assertThat(files(out)).containsExactly("_SUCCESS", "k=2/data.npy");
    } finally {
      sql("DROP TABLE IF EXISTS %s", table);
    }
  }

  @Test
  void aFailedCommitLeavesEveryPartitionAsItWas() throws IOException {
    Path out = tmp.resolve("out");
    save(frame(12, 1).where("k > 0"), out, SaveMode.ErrorIfExists);
    Map<String, String> before = DirectorySnapshot.of(tmp).digests();
    for (String mode : List.of("append", "static", "dynamic")) {
      int[] published = {0};
      CommitFaults.install(
          (step, at) -> {
            if (step == Checkpoint.Step.PART_PUBLISHED && ++published[0] == 2) {
              throw new IOException("injected after the second partition");
            }
          });
      assertThatThrownBy(
              () ->
                  save(
                      frame(12, 2),
                      out,
                      mode.equals("append") ? SaveMode.Append : SaveMode.Overwrite,
                      "partitionOverwriteMode",
                      mode.equals("dynamic") ? "dynamic" : "static"))
          .as(mode)
          .hasStackTraceContaining("injected after the second partition");
      CommitFaults.clear();
      assertThat(DirectorySnapshot.of(tmp).digests()).as(mode).isEqualTo(before);
    }
    // a new root: nothing of it stays
    Path fresh = tmp.resolve("fresh");
    int[] published = {0};
    CommitFaults.install(
        (step, at) -> {
          if (step == Checkpoint.Step.PART_PUBLISHED && ++published[0] == 2) {
            throw new IOException("injected");
          }
        });
    assertThatThrownBy(() -> save(frame(12, 2), fresh, SaveMode.ErrorIfExists))
        .hasStackTraceContaining("injected");
    CommitFaults.clear();
    assertThat(DirectorySnapshot.of(tmp).digests()).isEqualTo(before);
  }
}
