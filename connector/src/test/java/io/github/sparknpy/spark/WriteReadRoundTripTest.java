package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * What the writer writes, the reader gives back: same rows, same order, and the schema the two type
 * mappings promise (datetime64 as TIMESTAMP_NTZ when {@code spark.sql.timestampType} says so,
 * Decimal(20,0) as itself). {@code write.RoundTripTableTest} covers the rows that differ.
 */
class WriteReadRoundTripTest extends SparkTestBase {
  private static final String TYPED_ROWS =
      "SELECT id, id % 2 = 0 AS b, CAST(id % 128 AS TINYINT) AS i1, CAST(id * 3 AS SMALLINT) AS i2,"
          + " CAST(id * 1000 AS INT) AS i4, id * 100000000000 AS i8, CAST(id / 3 AS FLOAT) AS f4,"
          + " id / 7 AS f8, DATE_ADD(DATE'1969-12-25', CAST(id AS INT)) AS d,"
          + " TIMESTAMP_NTZ'2024-02-29 23:59:59.123456' + make_dt_interval(0, 0, 0, id) AS ts,"
          + " make_dt_interval(0, 0, CAST(id AS INT), 0.5) AS dt,"
          + " CONCAT('row-', REPEAT('é', CAST(id % 4 AS INT)), id) AS s,"
          + " CAST(CONCAT('x', id) AS BINARY) AS bin,"
          + " CAST(id * 1000000000007 AS DECIMAL(20, 0)) AS u8,"
          + " ARRAY(id / 2, id / 4, id / 8) AS arr,"
          + " NAMED_STRUCT('x', CAST(id AS INT), 'y', ARRAY(CAST(id AS FLOAT), 1.5F)) AS st"
          + " FROM range(0, 1000, 1, 5)";

  @Test
  void everyMappedTypeComesBackUnchangedInOrder() {
    withSQLConf(
        java.util.Map.of("spark.sql.timestampType", "TIMESTAMP_NTZ"),
        this::everyMappedTypeComesBack);
  }

  private void everyMappedTypeComesBack() {
    Dataset<Row> written = spark().sql(TYPED_ROWS);
    Path out = tmp.resolve("typed.npy");

    // mode append creates the file: Spark 3.5 writes the interval column in modes Append and
    // Overwrite only (docs/writing.md, How Spark runs a save)
    written.write().format("npy").mode("append").save(out.toString());
    Dataset<Row> read = spark().read().format("npy").load(out.toString());

    assertThat(read.schema().fieldNames()).containsExactly(written.schema().fieldNames());
    StructType schema = read.schema();
    assertThat(schema.apply("u8").dataType()).isEqualTo(DataTypes.createDecimalType(20, 0));
    assertThat(schema.apply("ts").dataType()).isEqualTo(DataTypes.TimestampNTZType);
    assertThat(schema.apply("d").dataType()).isEqualTo(DataTypes.DateType);
    List<Row> expected = written.collectAsList();
    List<Row> actual = read.collectAsList();
    assertThat(actual).hasSize(1000);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(canonical(actual.get(i))).as("row %d", i).isEqualTo(canonical(expected.get(i)));
    }
    Row first = actual.get(1);
    assertThat(first.getDate(schema.fieldIndex("d")).toLocalDate())
        .isEqualTo(LocalDate.of(1969, 12, 26));
    assertThat((LocalDateTime) first.get(schema.fieldIndex("ts")))
        .isEqualTo(LocalDateTime.of(2024, 3, 1, 0, 0, 0, 123456000));
    assertThat((Duration) first.get(schema.fieldIndex("dt")))
        .isEqualTo(Duration.ofMinutes(1).plusMillis(500));
    assertThat(first.getDecimal(schema.fieldIndex("u8")))
        .isEqualByComparingTo(new BigDecimal(1000000000007L));
  }

  /** A row's text with byte arrays spelled out (Row.toString prints their identity). */
  private static String canonical(Row row) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < row.length(); i++) {
      Object v = row.get(i);
      sb.append(v instanceof byte[] b ? java.util.Arrays.toString(b) : String.valueOf(v))
          .append('|');
    }
    return sb.toString();
  }

  @Test
  void matrixLayoutRoundTripsAsNumberedColumns() {
    Path out = tmp.resolve("X.npy");
    Dataset<Row> written =
        spark().sql("SELECT id / 2 AS a, id * 2 AS b, -id AS c FROM range(0, 5000, 1, 3)");

    written.write().format("npy").option("layout", "matrix").save(out.toString());
    Dataset<Row> read =
        spark().read().format("npy").option("layout", "matrix").load(out.toString());

    assertThat(read.schema().fieldNames()).containsExactly("_0", "_1", "_2");
    assertThat(read.collectAsList().toString())
        .isEqualTo(
            written
                .selectExpr("CAST(a AS DOUBLE)", "CAST(b AS DOUBLE)", "CAST(c AS DOUBLE)")
                .collectAsList()
                .toString());
  }

  @Test
  void partitionOrderSurvivesMergedAndUnmergedWritesAndAppends() throws Exception {
    Path merged = tmp.resolve("ids.npy");
    Path parts = tmp.resolve("parts");
    Dataset<Row> ids = spark().range(0, 20000, 1, 7).toDF("id");

    ids.write().format("npy").save(merged.toString());
    ids.write().format("npy").option("merge", "false").save(parts.toString());
    spark()
        .range(20000, 20100, 1, 2)
        .toDF("id")
        .write()
        .format("npy")
        .mode("append")
        .save(merged.toString());

    List<Long> fromFile =
        spark()
            .read()
            .format("npy")
            .load(merged.toString())
            .as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList();
    List<Long> fromParts =
        spark()
            .read()
            .format("npy")
            .load(parts.toString())
            .as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList();
    assertThat(fromFile).hasSize(20100);
    for (int i = 0; i < fromFile.size(); i++) {
      assertThat(fromFile.get(i)).isEqualTo(i);
    }
    assertThat(fromParts).hasSize(20000).isEqualTo(fromFile.subList(0, 20000));
    assertThat(Files.exists(parts.resolve("_SUCCESS"))).isTrue();
  }

  @Test
  void sqlTableWrittenByInsertReadsBackWithMetadataColumns() {
    Path location = tmp.resolve("t.npy");
    sql("CREATE TABLE npy_round_trip (k BIGINT, v DOUBLE) USING npy LOCATION '%s'", location);
    try {
      sql("INSERT INTO npy_round_trip SELECT id, id * 0.5 FROM range(0, 10, 1, 2)");
      sql("INSERT INTO npy_round_trip SELECT id, id * 0.5 FROM range(10, 15)");

      List<Row> rows =
          sql("SELECT k, v, _row_index, _file FROM npy_round_trip WHERE k >= 8 ORDER BY k")
              .collectAsList();

      assertThat(rows).hasSize(7);
      assertThat(rows.get(0).getLong(0)).isEqualTo(8);
      assertThat(rows.get(0).getDouble(1)).isEqualTo(4.0);
      assertThat(rows.get(6).getLong(2)).isEqualTo(14);
      assertThat(rows.get(0).getString(3)).endsWith("t.npy");
    } finally {
      sql("DROP TABLE IF EXISTS npy_round_trip");
    }
  }
}
