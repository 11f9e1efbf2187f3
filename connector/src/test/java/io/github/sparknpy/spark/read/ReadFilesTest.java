package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.error.NpyFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Multi-file and directory reads, globs, .npz archives, metadata columns and the SQL forms. */
class ReadFilesTest extends NpyReadTestBase {

  @Test
  void directoryReadsFilesInPathOrderAndSkipsHiddenOnes() throws Exception {
    Path dir = newDir("dir");
    numpy(
        "d = sys.argv[1]\n"
            + "np.save(d + '/b.npy', np.array([3, 4], 'i8'))\n"
            + "np.save(d + '/a.npy', np.array([1, 2], '>i8'))\n"
            + "np.save(d + '/c.npy', np.array([5], 'i8'))\n"
            + "np.save(d + '/_hidden.npy', np.array([99], 'i8'))\n"
            + "np.save(d + '/.dot.npy', np.array([98], 'i8'))\n",
        dir);
    Files.writeString(dir.resolve("_SUCCESS"), "");
    Dataset<Row> df = spark().read().format("npy").load(dir.toString());
    assertThat(df.as(org.apache.spark.sql.Encoders.LONG()).collectAsList())
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    List<Row> meta = df.select("_file", "_row_index", "value").collectAsList();
    assertThat(meta).hasSize(5);
    assertThat(meta.get(0).getString(0)).endsWith("/a.npy").startsWith("file:");
    assertThat(meta.get(1).getLong(1)).isEqualTo(1L);
    assertThat(meta.get(2).getString(0)).endsWith("/b.npy");
    assertThat(meta.get(2).getLong(1)).isEqualTo(0L);
    assertThat(meta.get(4).getString(0)).endsWith("/c.npy");
  }

  @Test
  void manyFilesAreProbedInParallelAndReadInPathOrder() throws Exception {
    Path dir = newDir("many");
    numpy(
        "for i in range(30): np.save(sys.argv[1] + '/f%02d.npy' % i, np.array([i, -i], 'i4'))",
        dir);
    List<Integer> values =
        spark()
            .read()
            .format("npy")
            .load(dir.toString())
            .as(org.apache.spark.sql.Encoders.INT())
            .collectAsList();
    assertThat(values).hasSize(60);
    for (int i = 0; i < 30; i++) {
      assertThat(values.subList(2 * i, 2 * i + 2)).containsExactly(i, -i);
    }
    // One-row batches: _file and _row_index follow every file change.
    List<Row> meta =
        spark()
            .read()
            .format("npy")
            .option("batchSize", "1")
            .load(dir.toString())
            .select("_file", "_row_index", "value")
            .collectAsList();
    // 30 small files, 4 MiB open cost each, over 2 cores: 2 partitions (as Spark packs Parquet's)
    assertThat(spark().read().format("npy").load(dir.toString()).rdd().getNumPartitions())
        .isEqualTo(2);
    for (int i = 0; i < 60; i++) {
      assertThat(meta.get(i).getString(0))
          .endsWith(String.format(java.util.Locale.ROOT, "/f%02d.npy", i / 2));
      assertThat(meta.get(i).getLong(1)).isEqualTo(i % 2);
    }
    numpy("np.save(sys.argv[1] + '/f17.npy', np.zeros(2, np.longdouble))", dir);
    assertThatThrownBy(() -> spark().read().format("npy").load(dir.toString()))
        .isInstanceOf(io.github.sparknpy.npy.error.NpyUnsupportedDtypeException.class)
        .hasMessageContaining("f17.npy")
        .hasMessageContaining("<f16");
  }

  @Test
  void severalPathsGlobsFilterAndRecursiveLookup() throws Exception {
    Path dir = newDir("tree");
    numpy(
        "d = sys.argv[1]\nimport os\nos.makedirs(d + '/sub')\n"
            + "np.save(d + '/x1.npy', np.array([1.0]))\n"
            + "np.save(d + '/x2.npy', np.array([2.0]))\n"
            + "np.save(d + '/y.npy', np.array([3.0]))\n"
            + "np.save(d + '/sub/x3.npy', np.array([4.0]))\n",
        dir);
    assertThat(values(spark().read().format("npy").load(dir + "/x*.npy")))
        .containsExactly(1.0, 2.0);
    assertThat(
            values(
                spark()
                    .read()
                    .format("npy")
                    .load(dir.resolve("y.npy").toString(), dir.resolve("x1.npy").toString())))
        .containsExactly(1.0, 3.0);
    assertThat(
            values(
                spark().read().format("npy").option("pathGlobFilter", "x*").load(dir.toString())))
        .containsExactly(1.0, 2.0);
    assertThat(values(spark().read().format("npy").load(dir.toString())))
        .containsExactly(1.0, 2.0, 3.0);
    assertThat(
            values(
                spark()
                    .read()
                    .format("npy")
                    .option("recursiveFileLookup", "true")
                    .load(dir.toString())))
        .containsExactly(4.0, 1.0, 2.0, 3.0);
  }

  private static List<Double> values(Dataset<Row> df) {
    return df.select("value").as(org.apache.spark.sql.Encoders.DOUBLE()).collectAsList();
  }

  @Test
  void mismatchedFilesNameBothFilesAndHeaders() throws Exception {
    Path dir = newDir("mismatch");
    numpy(
        "d = sys.argv[1]\n"
            + "np.save(d + '/a.npy', np.zeros((2, 3)))\n"
            + "np.save(d + '/b.npy', np.zeros((2, 4)))\n"
            + "np.save(d + '/c.npy', np.zeros((2, 3), 'f4'))\n",
        dir);
    assertThatThrownBy(
            () ->
                spark()
                    .read()
                    .format("npy")
                    .load(dir.resolve("a.npy").toString(), dir.resolve("b.npy").toString()))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("a.npy and ")
        .hasMessageContaining("b.npy together")
        .hasMessageContaining("shapes [2, 3] and [2, 4]")
        .hasMessageContaining("'shape': (2, 4)");
    assertThatThrownBy(
            () ->
                spark()
                    .read()
                    .format("npy")
                    .load(dir.resolve("a.npy").toString(), dir.resolve("c.npy").toString()))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("dtypes '<f8' and '<f4' differ");
  }

  @Test
  void npzPlainAndCompressedMembersBecomeColumns() throws Exception {
    Path dir = newDir("npz");
    String out =
        numpy(
            "d = sys.argv[1]\n"
                + "X = np.arange(12, dtype='>f4').reshape(4, 3)\n"
                + "y = np.array([1, 0, 1, 1], 'i1')\n"
                + "r = np.array([(1, b'a'), (2, b'b'), (3, b''), (4, b'dd')],"
                + " [('i', 'u2'), ('s', 'S2')])\n"
                + "np.savez(d + '/plain.npz', X=X, y=y, r=r)\n"
                + "np.savez_compressed(d + '/packed.npz', X=X, y=y, r=r)\n"
                + "print(json.dumps(['{' + canon(X[i]) + ',' + canon(y[i]) + ',' + canon(r[i])"
                + " + '}' for i in range(4)]))\n",
            dir);
    List<String> want = jsonStrings(out);
    for (String name : new String[] {"plain.npz", "packed.npz"}) {
      Dataset<Row> df = spark().read().format("npy").load(dir.resolve(name).toString());
      assertThat(df.schema().simpleString())
          .isEqualTo("struct<X:array<float>,y:tinyint,r:struct<i:int,s:binary>>");
      assertThat(canonRows(df, false)).containsExactlyElementsOf(want);
      assertThat(canonRows(df.select("y"), true)).containsExactly("1", "0", "1", "1");
      // Nested pruning: only field s of the record member r is requested and decoded.
      Dataset<Row> nested = df.select("r.s");
      assertThat(canonRows(nested, true)).containsExactly("61", "62", "", "6464");
      assertThat(
              findScan(nested.queryExecution().executedPlan()).scan().readSchema().simpleString())
          .isEqualTo("struct<r:struct<s:binary>>");
      Dataset<Row> member =
          spark()
              .read()
              .format("npy")
              .option("member", "X")
              .option("layout", "matrix")
              .load(dir.resolve(name).toString());
      assertThat(member.schema().simpleString()).isEqualTo("struct<_0:float,_1:float,_2:float>");
      assertThat(member.collectAsList().get(3).getFloat(2)).isEqualTo(11f);
    }
    assertThatThrownBy(
            () ->
                spark()
                    .read()
                    .format("npy")
                    .option("member", "nope")
                    .load(dir.resolve("plain.npz").toString()))
        .isInstanceOf(io.github.sparknpy.spark.config.NpyOptionException.class)
        .hasMessageContaining("member 'nope'")
        .hasMessageContaining("X, y, r");
  }

  @Test
  void compressedMemberWithAHeaderBeyondTheFirstInflatedChunk() throws Exception {
    Path dir = newDir("npzwide");
    numpy(
        "dt = np.dtype([('field_%03d' % i, '<i2') for i in range(400)])\n"
            + "x = np.zeros(3, dt)\n"
            + "x['field_399'] = [7, 8, 9]\n"
            + "np.savez_compressed(sys.argv[1] + '/w.npz', wide=x)\n"
            + "import zipfile, io\n"
            + "h = zipfile.ZipFile(sys.argv[1] + '/w.npz').open('wide.npy').read(12)\n"
            + "assert int.from_bytes(h[8:10], 'little') > 4096, h",
        dir);
    Dataset<Row> df = spark().read().format("npy").load(dir.resolve("w.npz").toString());
    assertThat(
            ((org.apache.spark.sql.types.StructType) df.schema().apply("wide").dataType()).fields())
        .hasSize(400);
    assertThat(
            df.selectExpr("wide.field_399")
                .as(org.apache.spark.sql.Encoders.SHORT())
                .collectAsList())
        .containsExactly((short) 7, (short) 8, (short) 9);
  }

  @Test
  void npzMembersOfDifferentLengthsFail() throws Exception {
    Path dir = newDir("npzbad");
    numpy("np.savez(sys.argv[1] + '/m.npz', a=np.zeros(3), b=np.zeros(5))", dir);
    assertThatThrownBy(() -> spark().read().format("npy").load(dir.resolve("m.npz").toString()))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("m.npz")
        .hasMessageContaining("a.npy: 3, b.npy: 5")
        .hasMessageContaining("option member");
  }

  @Test
  void sqlFormsReadThePathCatalogAndCreateTable() throws Exception {
    Path dir = newDir("sql");
    Path file = dir.resolve("m.npy");
    numpy("np.save(sys.argv[1], np.arange(6, dtype='i4').reshape(3, 2))", file);
    spark().conf().set("spark.sql.catalog.npy", "io.github.sparknpy.spark.NpyCatalog");
    assertThat(sql("SELECT sum(value[1]) FROM npy.`%s`", file).first().getLong(0)).isEqualTo(9L);
    assertThat(sql("SELECT _1 FROM npy.`layout=matrix`.`%s` WHERE _0 > 1", file).collectAsList())
        .extracting(r -> r.getInt(0))
        .containsExactly(3, 5);
    assertThat(sql("SELECT _row_index, _file FROM npy.`%s`", file).collectAsList())
        .extracting(r -> r.getLong(0))
        .containsExactly(0L, 1L, 2L);
    sql("CREATE TABLE npy_sql_t USING npy LOCATION '%s'", dir);
    try {
      assertThat(sql("SELECT count(*), max(value[0]) FROM npy_sql_t").first().toString())
          .isEqualTo("[3,4]");
      sql("CREATE TABLE npy_sql_m USING npy OPTIONS (layout 'matrix') LOCATION '%s'", dir);
      assertThat(sql("SELECT sum(_1) FROM npy_sql_m").first().getLong(0)).isEqualTo(9L);
    } finally {
      sql("DROP TABLE IF EXISTS npy_sql_t");
      sql("DROP TABLE IF EXISTS npy_sql_m");
    }
  }
}
