package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

/** Writes DataFrames and checks what numpy loads: dtype, shape and every value. */
class NpyWriterRoundTripTest extends WriterTestBase {

  private Path save(Dataset<Row> df, String name, String... options) {
    Path out = tmp.resolve(name);
    var w = df.write().format("npy");
    for (int i = 0; i < options.length; i += 2) {
      w = w.option(options[i], options[i + 1]);
    }
    w.save(out.toString());
    return out;
  }

  /** The root cause of a failed write (Spark wraps task failures). */
  static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }

  @Test
  void singleDoubleColumnIsPlainVectorInPartitionOrder() throws Exception {
    Path out = save(sql("SELECT CAST(id AS DOUBLE) * 1.5 AS x FROM range(0, 10, 1, 3)"), "x.npy");
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("\"<f8\"");
    assertThat(shape(n)).isEqualTo("[10]");
    assertThat(values(n)).isEqualTo("[0.0,1.5,3.0,4.5,6.0,7.5,9.0,10.5,12.0,13.5]");
    assertThat(Npy.isAppendable(out)).isTrue();
    assertNpSaveIdentical(out);
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void everyMappedTypeAsRecordFields() {
    Dataset<Row> df =
        sql(
            "SELECT * FROM VALUES "
                + "(true, CAST(-1 AS TINYINT), CAST(300 AS SMALLINT), 70000, 9000000000L,"
                + " CAST(1.5 AS FLOAT), 2.25D, DATE'2024-01-02',"
                + " TIMESTAMP'2024-01-02 03:04:05.000006', TIMESTAMP_NTZ'1969-12-31 23:59:59',"
                + " INTERVAL '1 00:00:00.000001' DAY TO SECOND, 'héllo', X'00ff10',"
                + " CAST(123456789012345678 AS DECIMAL(18,0)),"
                + " CAST('18446744073709551615' AS DECIMAL(20,0)), CAST(1.25 AS DECIMAL(10,2))),"
                + "(false, CAST(127 AS TINYINT), CAST(-2 AS SMALLINT), -1, -2L,"
                + " CAST(-0.5 AS FLOAT), -1e300D, DATE'1960-03-04',"
                + " TIMESTAMP'1970-01-01 00:00:00', TIMESTAMP_NTZ'2000-01-01 00:00:00',"
                + " INTERVAL '-2 00:00:00' DAY TO SECOND, '', X'',"
                + " CAST(-5 AS DECIMAL(18,0)), CAST(0 AS DECIMAL(20,0)),"
                + " CAST(-3.5 AS DECIMAL(10,2)))"
                + " AS t(b, i1, i2, i4, i8, f4, f8, d, ts, ntz, iv, s, bin, dec18, dec20, dec)");
    // mode append: Spark 3.5 writes interval columns in modes Append and Overwrite only (see
    // intervalColumnsInTheDefaultSaveMode)
    Path out = tmp.resolve("all.npy");
    df.coalesce(1)
        .write()
        .format("npy")
        .mode(SaveMode.Append)
        .option("allowPrecisionLoss", "true")
        .save(out.toString());
    JsonNode n = numpy(out);
    assertThat(descr(n))
        .isEqualTo(
            "[[\"b\",\"|b1\"],[\"i1\",\"|i1\"],[\"i2\",\"<i2\"],[\"i4\",\"<i4\"],[\"i8\",\"<i8\"],"
                + "[\"f4\",\"<f4\"],[\"f8\",\"<f8\"],[\"d\",\"<M8[D]\"],[\"ts\",\"<M8[us]\"],"
                + "[\"ntz\",\"<M8[us]\"],[\"iv\",\"<m8[us]\"],[\"s\",\"<U5\"],[\"bin\",\"|S3\"],"
                + "[\"dec18\",\"<i8\"],[\"dec20\",\"<u8\"],[\"dec\",\"<f8\"]]");
    assertThat(shape(n)).isEqualTo("[2]");
    assertThat(values(n))
        .isEqualTo(
            "[[true,-1,300,70000,9000000000,1.5,2.25,\"2024-01-02\",\"2024-01-02 03:04:05.000006\","
                + "\"1969-12-31 23:59:59\",\"1 day, 0:00:00.000001\",\"h\u00e9llo\",\"b:00ff10\","
                + "123456789012345678,18446744073709551615,1.25],"
                + "[false,127,-2,-1,-2,-0.5,-1.0E300,\"1960-03-04\",\"1970-01-01 00:00:00\","
                + "\"2000-01-01 00:00:00\",\"-2 days, 0:00:00\",\"\",\"b:\",-5,0,-3.5]]");
  }

  /**
   * Spark 4 passes interval columns to npy's save in every mode; Spark 3.5's V1 save route refuses
   * them before npy is asked, so npy writes them directly, which Spark 3.5 allows in modes Append
   * and Overwrite only (docs/writing.md, How Spark runs a save).
   */
  @Test
  void intervalColumnsInTheDefaultSaveMode() {
    Dataset<Row> df = sql("SELECT INTERVAL '1 00:00:00.000001' DAY TO SECOND AS iv");
    if (spark().version().startsWith("3.")) {
      assertThatThrownBy(() -> save(df, "iv.npy"))
          .hasMessageContaining(
              "cannot be written with ErrorIfExists mode, please use Append or Overwrite modes");
      assertThat(tmp.resolve("iv.npy")).doesNotExist();
    } else {
      assertThat(descr(numpy(save(df, "iv.npy")))).isEqualTo("\"<m8[us]\"");
    }
  }

  @Test
  void nullsFailByDefaultNamingColumnAndRow() {
    Dataset<Row> df = sql("SELECT IF(id = 3, NULL, CAST(id AS INT)) AS k FROM range(0, 5, 1, 1)");
    assertThatThrownBy(() -> save(df, "nulls.npy"))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageContaining(
                        "Cannot write a null in column 'k' (int) at row 3 of partition 0")
                    .hasMessageContaining("nulls=fill"));
    assertThat(Files.exists(tmp.resolve("nulls.npy"))).isFalse();
  }

  @Test
  void nullsFillWithNanZeroFalseEmptyAndNat() {
    Dataset<Row> df =
        sql(
            "SELECT * FROM VALUES (1.5D, 7, true, 'ab', DATE'2020-01-01', X'01'),"
                + " (NULL, NULL, NULL, NULL, NULL, NULL) AS t(f, i, b, s, d, bin)");
    JsonNode n = numpy(save(df.coalesce(1), "fill.npy", "nulls", "fill"));
    assertThat(descr(n))
        .isEqualTo(
            "[[\"f\",\"<f8\"],[\"i\",\"<i4\"],[\"b\",\"|b1\"],[\"s\",\"<U2\"],"
                + "[\"d\",\"<M8[D]\"],[\"bin\",\"|S1\"]]");
    assertThat(values(n))
        .isEqualTo(
            "[[1.5,7,true,\"ab\",\"2020-01-01\",\"b:01\"],[\"nan\",0,false,\"\",\"NaT\",\"b:\"]]");
  }

  @Test
  void nullDatetimesAreNatEvenWithNullsError() {
    Dataset<Row> df =
        sql("SELECT IF(id = 1, NULL, TIMESTAMP_SECONDS(id)) AS t FROM range(0, 3, 1, 1)");
    JsonNode n = numpy(save(df, "nat.npy"));
    assertThat(descr(n)).isEqualTo("\"<M8[us]\"");
    assertThat(values(n)).isEqualTo("[0,\"NaT\",2000000]");
  }

  @Test
  void automaticStringWidthIsTheLongestInTheWholeOutput() {
    // partition 0 has short strings, partition 2 the longest: parts are widened at job commit
    Dataset<Row> df =
        sql("SELECT s, CAST(s AS BINARY) AS b FROM VALUES ('a'), ('bb'), ('\u00e9\ud83d\ude00'),"
                + " ('longest!') AS t(s)")
            .repartition(1)
            .union(sql("SELECT 'x' AS s, CAST('x' AS BINARY) AS b"))
            .coalesce(2);
    Path out =
        save(
            sql("SELECT * FROM VALUES ('a'), ('bb') AS t(s)")
                .repartition(1)
                .union(sql("SELECT '\u00e9\ud83d\ude00z' AS s"))
                .union(sql("SELECT 'longest!' AS s")),
            "auto.npy");
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("\"<U8\"");
    assertThat(values(n)).isEqualTo("[\"a\",\"bb\",\"\u00e9\ud83d\ude00z\",\"longest!\"]");
    assertNpSaveIdentical(out);
    JsonNode rec = numpy(save(df, "auto-rec.npy"));
    assertThat(descr(rec)).isEqualTo("[[\"s\",\"<U8\"],[\"b\",\"|S8\"]]");
    assertThat(values(rec))
        .isEqualTo(
            "[[\"a\",\"b:61\"],[\"bb\",\"b:6262\"],[\"\u00e9\ud83d\ude00\",\"b:c3a9f09f9880\"],"
                + "[\"longest!\",\"b:6c6f6e6765737421\"],[\"x\",\"b:78\"]]");
    assertNpSaveIdentical(tmp.resolve("auto-rec.npy"));
  }

  @Test
  void fixedStringLengthFailsOrTruncates() {
    Dataset<Row> df =
        sql("SELECT * FROM VALUES ('abc', 'x'), ('abcdef', 'y') AS t(s, u)").coalesce(1);
    assertThatThrownBy(() -> save(df, "fixed.npy", "stringLength", "4"))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageContaining(
                        "Cannot write column 's' at row 1 of partition 0: the value has 6"
                            + " characters, longer than the fixed width 4 (<U4)")
                    .hasMessageContaining("stringOverflow=truncate"));
    JsonNode n =
        numpy(
            save(
                df,
                "trunc.npy",
                "stringLength",
                "4",
                "stringLength.u",
                "2",
                "stringOverflow",
                "truncate"));
    assertThat(descr(n)).isEqualTo("[[\"s\",\"<U4\"],[\"u\",\"<U2\"]]");
    assertThat(values(n)).isEqualTo("[[\"abc\",\"x\"],[\"abcd\",\"y\"]]");
  }

  @Test
  void fixedLengthArraysAddAxes() {
    Dataset<Row> df = sql("SELECT array(id * 1.0D, id + 0.5D, -id) AS v FROM range(0, 4, 1, 2)");
    JsonNode n = numpy(save(df, "arr.npy"));
    assertThat(descr(n)).isEqualTo("\"<f8\"");
    assertThat(shape(n)).isEqualTo("[4,3]");
    assertThat(values(n)).isEqualTo("[[0.0,0.5,0.0],[1.0,1.5,-1.0],[2.0,2.5,-2.0],[3.0,3.5,-3.0]]");
    Dataset<Row> nested =
        sql("SELECT array(array(CAST(id AS INT), 1), array(2, 3)) AS m FROM range(0, 2, 1, 1)");
    JsonNode m = numpy(save(nested, "nested.npy"));
    assertThat(descr(m)).isEqualTo("\"<i4\"");
    assertThat(shape(m)).isEqualTo("[2,2,2]");
    assertThat(values(m)).isEqualTo("[[[0,1],[2,3]],[[1,1],[2,3]]]");
  }

  @Test
  void arraysOfDifferentLengthFailWithBothLengths() {
    Dataset<Row> inTask = sql("SELECT sequence(0, id) AS v FROM range(0, 3, 1, 1)");
    assertThatThrownBy(() -> save(inTask, "len.npy"))
        .satisfies(
            e ->
                assertThat(rootCause(e))
                    .isInstanceOf(NpyWriteException.class)
                    .hasMessageContaining(
                        "Cannot write column 'v': the array at row 1 of partition 0 has 2"
                            + " elements, but the first row's has 1"));
    Dataset<Row> acrossTasks =
        sql("SELECT sequence(0, 1) AS v").union(sql("SELECT sequence(0, 2) AS v")).repartition(2);
    Dataset<Row> twoParts =
        sql("SELECT sequence(0, 1) AS v").coalesce(1).union(sql("SELECT sequence(0, 2) AS v"));
    assertThatThrownBy(() -> save(twoParts, "len2.npy"))
        .isInstanceOf(NpyWriteException.class)
        .hasMessageContaining(
            "column 'v' has arrays of length 2 in partition 0 but 3 in partition 1");
    assertThat(acrossTasks.count()).isEqualTo(2);
    assertThat(Files.exists(tmp.resolve("len2.npy"))).isFalse();
  }

  @Test
  void nestedStructsAndArraysOfStructsAreNestedRecords() {
    Dataset<Row> df =
        sql(
            "SELECT CAST(id AS INT) AS id, named_struct('x', CAST(id AS FLOAT), 'tags',"
                + " array('a', repeat('b', CAST(id AS INT)))) AS s,"
                + " array(named_struct('p', id), named_struct('p', -id)) AS ps"
                + " FROM range(0, 3, 1, 2)");
    JsonNode n = numpy(save(df, "nested-rec.npy"));
    assertThat(descr(n))
        .isEqualTo(
            "[[\"id\",\"<i4\"],[\"s\",[[\"x\",\"<f4\"],[\"tags\",\"<U2\",[2]]]],"
                + "[\"ps\",[[\"p\",\"<i8\"]],[2]]]");
    assertThat(values(n))
        .isEqualTo(
            "[[0,[0.0,[\"a\",\"\"]],[[0],[0]]],[1,[1.0,[\"a\",\"b\"]],[[1],[-1]]],"
                + "[2,[2.0,[\"a\",\"bb\"]],[[2],[-2]]]]");
  }

  @Test
  void matrixLayoutStacksColumnsInTheirCommonType() {
    Dataset<Row> df =
        sql("SELECT CAST(id AS INT) AS a, id * 10 AS b, id / 4 AS c FROM range(0, 3, 1, 2)");
    JsonNode n = numpy(save(df, "m.npy", "layout", "matrix"));
    assertThat(descr(n)).isEqualTo("\"<f8\"");
    assertThat(shape(n)).isEqualTo("[3,3]");
    assertThat(values(n)).isEqualTo("[[0.0,0.0,0.0],[1.0,10.0,0.25],[2.0,20.0,0.5]]");
    JsonNode f4 = numpy(save(df, "m4.npy", "layout", "matrix", "dtype", "<f4"));
    assertThat(descr(f4)).isEqualTo("\"<f4\"");
    assertThat(values(f4)).isEqualTo("[[0.0,0.0,0.0],[1.0,10.0,0.25],[2.0,20.0,0.5]]");
    JsonNode ints =
        numpy(
            save(
                sql("SELECT CAST(id AS SMALLINT) a, CAST(id AS TINYINT) b FROM range(2)"),
                "mi.npy",
                "layout",
                "matrix"));
    assertThat(descr(ints)).isEqualTo("\"<i2\"");
  }

  @Test
  void dtypeOptionCastsAsSparkCastDoes() {
    Dataset<Row> df = sql("SELECT array(id + 0.7D, -id - 0.7D) AS v FROM range(0, 2, 1, 1)");
    JsonNode n = numpy(save(df, "cast.npy", "dtype", "<i4"));
    assertThat(descr(n)).isEqualTo("\"<i4\"");
    assertThat(values(n)).isEqualTo("[[0,0],[1,-1]]");
    JsonNode f =
        numpy(save(sql("SELECT id / 3 AS x FROM range(0, 2, 1, 1)"), "f4.npy", "dtype", "float32"));
    assertThat(descr(f)).isEqualTo("\"<f4\"");
  }

  @Test
  void dtypeCastFollowsTheSessionsAnsiMode() {
    Dataset<Row> df = sql("SELECT id * 150 AS x FROM range(0, 3, 1, 1)");
    withSQLConf(
        java.util.Map.of("spark.sql.ansi.enabled", "false"),
        () ->
            assertThat(values(numpy(save(df, "wrap.npy", "dtype", "|i1"))))
                .isEqualTo("[0,-106,44]"));
    withSQLConf(
        java.util.Map.of("spark.sql.ansi.enabled", "true"),
        () ->
            assertThatThrownBy(() -> save(df, "ansi.npy", "dtype", "|i1"))
                .satisfies(
                    e ->
                        assertThat(rootCause(e))
                            .isInstanceOf(org.apache.spark.SparkArithmeticException.class)
                            .hasMessageContaining("CAST_OVERFLOW")));
  }

  @Test
  void emptyDataFrameWritesAValidEmptyFile() {
    JsonNode n = numpy(save(sql("SELECT id * 1.0D AS x FROM range(0)"), "empty.npy"));
    assertThat(descr(n)).isEqualTo("\"<f8\"");
    assertThat(shape(n)).isEqualTo("[0]");
    JsonNode rec =
        numpy(save(sql("SELECT CAST(id AS STRING) s, array(id) a FROM range(0)"), "empty-rec.npy"));
    assertThat(descr(rec)).isEqualTo("[[\"s\",\"<U1\"],[\"a\",\"<i8\",[0]]]");
    assertThat(shape(rec)).isEqualTo("[0]");
    JsonNode mat =
        numpy(save(sql("SELECT id a, id b FROM range(0)"), "empty-m.npy", "layout", "matrix"));
    assertThat(shape(mat)).isEqualTo("[0,2]");
  }

  @Test
  void mergeFalseWritesOneAppendablePartPerNonEmptyTaskAndSuccess() throws Exception {
    Dataset<Row> df =
        sql("SELECT CAST(id AS STRING) AS s, id FROM range(0, 20, 1, 4)")
            .filter("id < 10 OR id >= 15");
    Path dir = save(df, "parts", "merge", "false");
    List<Path> parts;
    try (Stream<Path> s = Files.list(dir)) {
      parts = s.filter(p -> p.getFileName().toString().endsWith(".npy")).sorted().toList();
    }
    assertThat(Files.exists(dir.resolve("_SUCCESS"))).isTrue();
    assertThat(parts).hasSize(3);
    assertThat(parts.get(0).getFileName().toString()).startsWith("part-00000-");
    StringBuilder all = new StringBuilder();
    for (Path p : parts) {
      JsonNode n = numpy(p);
      assertThat(descr(n)).isEqualTo("[[\"s\",\"<U2\"],[\"id\",\"<i8\"]]");
      assertThat(Npy.isAppendable(p)).isTrue();
      all.append(values(n));
    }
    assertThat(all.toString())
        .isEqualTo(
            "[[\"0\",0],[\"1\",1],[\"2\",2],[\"3\",3],[\"4\",4]][[\"5\",5],[\"6\",6],[\"7\",7],"
                + "[\"8\",8],[\"9\",9]][[\"15\",15],[\"16\",16],[\"17\",17],[\"18\",18],[\"19\",19]]");
    assertThat(hiddenLeftovers(dir)).isEmpty();
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }

  @Test
  void orderedFramesLineUpAcrossFiles() {
    Dataset<Row> df = sql("SELECT id, id * 2.0D AS y FROM range(0, 50, 1, 5)").orderBy("id");
    JsonNode x = numpy(save(df.select("id"), "X.npy"));
    JsonNode y = numpy(save(df.select("y"), "y.npy"));
    assertThat(shape(x)).isEqualTo("[50]");
    for (int i = 0; i < 50; i++) {
      assertThat(y.get("values").get(i).asDouble())
          .isEqualTo(2.0 * x.get("values").get(i).asLong());
    }
  }

  @Test
  void manyBatchesSpillsAndWidenedPartsKeepEveryRow() {
    // 1 KiB batches: hundreds of appends per task; automatic widths: spill + widening at commit
    Dataset<Row> df =
        sql(
            "SELECT id, repeat('ab', CAST(id / 3000 AS INT)) AS s, array(id, -id) AS a"
                + " FROM range(0, 20000, 1, 4)");
    Path out = save(df, "big.npy", "batchBytes", "1k");
    String check =
        Numpy.run(
            "a = np.load(sys.argv[1], mmap_mode='r')\n"
                + "i = np.arange(20000)\n"
                + "ok = (a['id'] == i).all() and (a['a'][:, 0] == i).all()"
                + " and (a['a'][:, 1] == -i).all()"
                + " and all(a['s'][k] == 'ab' * (k // 3000) for k in range(0, 20000, 997))\n"
                + "print(a.dtype.descr, a.shape, bool(ok))\n",
            out.toString());
    assertThat(check.trim())
        .isEqualTo("[('id', '<i8'), ('s', '<U12'), ('a', '<i8', (2,))] (20000,) True");
    assertNpSaveIdentical(out);
  }

  @Test
  void sparkCatchesTaskErrorsAsSparkException() {
    Dataset<Row> df = sql("SELECT IF(id = 1, NULL, id) AS k FROM range(0, 2, 1, 1)");
    assertThatThrownBy(() -> save(df, "e.npy")).isInstanceOf(SparkException.class);
  }
}
