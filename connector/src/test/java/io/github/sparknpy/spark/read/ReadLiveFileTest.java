package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.NpyAppendArray;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;

/**
 * A file appended to (with header rewrites) between the listing and the header read: the header
 * counts rows the listed length does not cover yet, and the probe takes the length again instead of
 * calling the file truncated.
 */
class ReadLiveFileTest extends NpyReadTestBase {

  private static void appendRows(Path file, int from, int to) throws Exception {
    try (NpyAppendArray out = NpyAppendArray.open(file)) {
      for (int i = from; i < to; i++) {
        out.appendRow(new double[] {i, -i});
      }
    }
  }

  @Test
  void rowsAppendedAfterTheListingAreCountedNotCalledTruncated() throws Exception {
    Path file = newDir("live").resolve("log.npy");
    appendRows(file, 0, 10);
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());
    FileStatus listed = path.getFileSystem(conf).getFileStatus(path);
    appendRows(file, 10, 15);

    NpyFileSpec spec =
        NpyFileProbe.probe(
            listed, conf, NpyReadOptions.parse(spark(), new CaseInsensitiveStringMap(Map.of())));
    assertThat(spec.rowCount()).isEqualTo(15);
    assertThat(spec.length()).isEqualTo(java.nio.file.Files.size(file));
  }

  @Test
  void aQueryPlannedBeforeAnAppendReadsTheRowsItsHeaderCounts() throws Exception {
    Path file = newDir("live-query").resolve("log.npy");
    appendRows(file, 0, 10);
    var df = spark().read().format("npy").load(file.toString()).selectExpr("value[0] AS x");
    assertThat(df.count()).isEqualTo(10);
    appendRows(file, 10, 15);
    // The same DataFrame, run again after the append: every row is whole and in order.
    var xs = df.as(Encoders.DOUBLE()).collectAsList();
    assertThat(xs).hasSizeBetween(10, 15);
    for (int i = 0; i < xs.size(); i++) {
      assertThat(xs.get(i)).isEqualTo((double) i);
    }
  }
}
