package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import io.github.sparknpy.spark.LogCapture;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/**
 * One test per row of the README's round-trip table ("Writing a DataFrame and reading the file
 * back") where what comes back is not simply the same: what numpy sees, and what the reader gives.
 */
class RoundTripTableTest extends WriterTestBase {

  private Dataset<Row> writeAndRead(String name, String query) {
    Path out = tmp.resolve(name);
    sql(query).write().format("npy").save(out.toString());
    return spark().read().format("npy").load(out.toString());
  }

  @Test
  void timestampComesBackAsTheSameInstantInAnySessionTimeZone() {
    withSQLConf(
        Map.of("spark.sql.session.timeZone", "America/New_York"),
        () -> {
          Dataset<Row> read =
              writeAndRead("ts.npy", "SELECT TIMESTAMP'2024-06-01 12:00:00' AS t, 1 AS k");

          assertThat(read.schema().apply("t").dataType()).isEqualTo(DataTypes.TimestampType);
          Row row = read.collectAsList().get(0);
          assertThat(row.getTimestamp(0).toInstant())
              .isEqualTo(Instant.parse("2024-06-01T16:00:00Z"));
          assertThat(read.selectExpr("CAST(t AS STRING)").first().getString(0))
              .isEqualTo("2024-06-01 12:00:00");
          // numpy holds the UTC wall clock: 12:00 in New York (EDT) is 16:00 UTC
          assertThat(
                  Numpy.run("print(np.load(sys.argv[1])['t'][0])", tmp.resolve("ts.npy").toString())
                      .trim())
              .isEqualTo("2024-06-01T16:00:00.000000");
        });
  }

  @Test
  void timestampNtzRoundTripsWhenTheSessionPrefersIt() {
    withSQLConf(
        Map.of("spark.sql.timestampType", "TIMESTAMP_NTZ"),
        () -> {
          Dataset<Row> read =
              writeAndRead("ntz.npy", "SELECT TIMESTAMP_NTZ'2024-06-01 12:00:00.000001' AS t");

          assertThat(read.schema().apply("value").dataType()).isEqualTo(DataTypes.TimestampNTZType);
          assertThat((LocalDateTime) read.first().get(0))
              .isEqualTo(LocalDateTime.of(2024, 6, 1, 12, 0, 0, 1000));
        });
  }

  @Test
  void timestampNtzReadsBackAsTimestampOfThatWallClockInUtcByDefault() {
    withSQLConf(
        Map.of("spark.sql.session.timeZone", "UTC"),
        () -> {
          Dataset<Row> read =
              writeAndRead("ntz-default.npy", "SELECT TIMESTAMP_NTZ'2024-06-01 12:00:00' AS t");

          assertThat(read.schema().apply("value").dataType()).isEqualTo(DataTypes.TimestampType);
          assertThat(read.selectExpr("CAST(value AS STRING)").first().getString(0))
              .isEqualTo("2024-06-01 12:00:00");
        });
  }

  @Test
  void decimalWithScaleZeroComesBackAsBigintWithTheSameValues() {
    Dataset<Row> read =
        writeAndRead(
            "dec.npy", "SELECT CAST(id * 1234567 AS DECIMAL(10, 0)) AS d FROM range(0, 5, 1, 2)");

    assertThat(read.schema().apply("value").dataType()).isEqualTo(DataTypes.LongType);
    assertThat(read.as(org.apache.spark.sql.Encoders.LONG()).collectAsList())
        .containsExactly(0L, 1234567L, 2469134L, 3703701L, 4938268L);
    assertThat(numpy(tmp.resolve("dec.npy")).get("descr").asText()).isEqualTo("<i8");
  }

  @Test
  void nullableColumnsComeBackNonNullableExceptDatetimes() {
    String query =
        "SELECT NULLIF(id, -1) AS k, NULLIF(id * 0.5D, -1D) AS v,"
            + " IF(id = 1, NULL, DATE'2024-01-01') AS d FROM range(0, 2, 1, 1)";
    assertThat(sql(query).schema().fields()).allMatch(StructField::nullable);

    Dataset<Row> read = writeAndRead("nullable.npy", query);

    StructField[] fields = read.schema().fields();
    assertThat(fields[0].nullable()).as("k").isFalse();
    assertThat(fields[1].nullable()).as("v").isFalse();
    assertThat(fields[2].nullable()).as("d (NaT is null)").isTrue();
    assertThat(read.collectAsList().get(1).isNullAt(2)).isTrue();
  }

  @Test
  void binaryAndStringEndingInNulLoseItWithOneWarningPerTaskAndColumn() {
    Path out = tmp.resolve("nul.npy");
    try (LogCapture log = LogCapture.of(StringNode.class)) {
      sql("SELECT * FROM VALUES (X'6100', 'a\\u0000'), (X'6200', 'b\\u0000'), (X'00', 'c') AS"
              + " t(bin, s)")
          .coalesce(1)
          .write()
          .format("npy")
          .save(out.toString());

      assertThat(log.warnings())
          .containsExactly(
              "Column 'bin' at row 0 of partition 0 ends in NUL bytes: numpy's |S dtype drops"
                  + " trailing NULs when it reads the value (so does the npy reader), so it reads"
                  + " back shorter. Encode such values (e.g. hex or base64) to keep them; this is"
                  + " said once per task and column",
              "Column 's' at row 0 of partition 0 ends in NUL characters: numpy's <U dtype drops"
                  + " trailing NULs when it reads the value (so does the npy reader), so it reads"
                  + " back shorter. Encode such values (e.g. hex or base64) to keep them; this is"
                  + " said once per task and column");
    }
    assertThat(Numpy.run("print(np.load(sys.argv[1]).tolist())", out.toString()).trim())
        .isEqualTo("[(b'a', 'a'), (b'b', 'b'), (b'', 'c')]");
    List<Row> back = spark().read().format("npy").load(out.toString()).collectAsList();
    assertThat((byte[]) back.get(0).get(0)).containsExactly('a');
    assertThat(back.get(0).getString(1)).isEqualTo("a");
    assertThat((byte[]) back.get(2).get(0)).isEmpty();
  }
}
