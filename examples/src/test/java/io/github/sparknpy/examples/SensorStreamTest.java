package io.github.sparknpy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.testing.Numpy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensorStreamTest extends ExamplesTestBase {
  @TempDir Path dir;

  @Test
  void theStreamGrowsOneNumpyReadyFileAndGoesOnAfterARestart() throws Exception {
    Report report = new Report();
    SensorStream.Result r = SensorStream.run(spark(), dir, 3, report.out);

    assertThat(r.rows()).isPositive();
    assertThat(r.batches()).isGreaterThanOrEqualTo(2);
    assertThat(report.text())
        .contains("Restarted from the checkpoint")
        .contains("readings.npy now: ")
        .contains("holds " + r.rows() + " readings");
    // every reading once, in order, across micro-batches and the restart
    String check =
        Numpy.run(
            """
            a = np.load(sys.argv[1], mmap_mode="r")
            n = int(sys.argv[2])
            assert a.shape == (n,), a.shape
            assert a.dtype.names == ("seq", "time", "sensor", "temperature"), a.dtype
            assert (a["seq"] == np.arange(n)).all(), "a reading lost or repeated"
            assert (a["sensor"] == np.arange(n) % 4).all()
            assert (np.diff(a["time"].astype("i8")) >= 0).all()
            print("ok")
            """,
            r.readings(), r.rows());
    assertThat(check.trim()).isEqualTo("ok");
  }
}
