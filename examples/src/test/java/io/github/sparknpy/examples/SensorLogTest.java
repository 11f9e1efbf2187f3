package io.github.sparknpy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.Npy;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensorLogTest extends ExamplesTestBase {
  @TempDir Path dir;

  @Test
  void killedLoggerIsRecoveredResumedAndReadBySpark() throws Exception {
    Report report = new Report();
    SensorLog.Result r = SensorLog.run(spark(), dir, 40_000, report.out);

    // The crash left a real incomplete file: header at 0 rows, rows after it.
    assertThat(r.bytesAtCrash()).isGreaterThanOrEqualTo(40_000);
    assertThat(r.headerRowsAtCrash()).isZero();
    assertThat(r.recovery().rowsBefore()).isZero();
    long dataOffset = Npy.readHeader(r.log()).dataOffset();
    assertThat(r.recovery().rowsAfter())
        .isEqualTo((r.bytesAtCrash() - dataOffset) / SensorLog.SAMPLE.itemSize())
        .isPositive();
    assertThat(r.rows()).isEqualTo(r.recovery().rowsAfter() + r.resumedRows());
    assertThat(Npy.needsRecovery(r.log())).isFalse();
    assertThat(report.text())
        .contains("was killed (kill -9)")
        .contains("needsRecovery=true")
        .contains("Before recovery Spark reads 0 rows")
        .contains("Npy.recover: rows 0 -> ")
        .contains(
            "Spark schema: struct<time:timestamp,sensor:smallint,temperature:float,humidity:float>");

    // numpy: every row is exactly sample i (nothing torn, lost in the middle or duplicated), and
    // Spark's per-sensor aggregate is numpy's.
    String perSensor =
        Numpy.run(
            """
            a = np.load(sys.argv[1], mmap_mode="r")
            assert a.shape == (int(sys.argv[2]),), a.shape
            i = np.arange(a.shape[0])
            sensor, tick = i % 4, i // 4
            start = np.datetime64("2026-11-25T00:00:00", "ms")
            assert (a["time"] == start + (tick * 1000).astype("m8[ms]")).all()
            assert (a["sensor"] == sensor).all()
            assert (a["temperature"] == (18.0 + 1.5 * sensor + (tick % 240) * 0.0625).astype(np.float32)).all()
            assert (a["humidity"] == (55.0 - (i % 40) * 0.25).astype(np.float32)).all()
            for s in range(4):
                rows = a[a["sensor"] == s]
                print(s, len(rows), "%.3f" % rows["temperature"].astype(np.float64).mean(), rows["humidity"].max())
            """,
            r.log(), r.rows());
    List<String> spark =
        r.perSensor().stream()
            .map(
                (Row row) ->
                    row.getShort(0)
                        + " "
                        + row.getLong(1)
                        + " "
                        + String.format(java.util.Locale.ROOT, "%.3f", row.getDouble(4))
                        + " "
                        + row.getFloat(5))
            .collect(Collectors.toList());
    assertThat(spark).containsExactlyElementsOf(perSensor.lines().collect(Collectors.toList()));
  }
}
