package io.github.sparknpy.spark.write;

import static io.github.sparknpy.spark.write.NpyWriterRoundTripTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.spark.config.NpyOptionException;
import java.nio.file.Path;
import org.apache.spark.sql.AnalysisException;
import org.junit.jupiter.api.Test;

/** bucketBy and CLUSTERED BY … INTO n BUCKETS get their own message, and create no table. */
class BucketByTest extends WriterTestBase {
  private static final String MESSAGE_END =
      ": npy files cannot be bucketed. A .npy file (or a merge=false directory of parts) holds"
          + " rows in write order, with no bucket files for Spark to join or aggregate without a"
          + " shuffle. Remove bucketBy / CLUSTERED BY … INTO n BUCKETS, or write the table with a"
          + " format that buckets (e.g. parquet)";

  private static void assertBucketingRefused(Throwable e, String transform) {
    assertThat(rootCause(e))
        .isInstanceOf(NpyOptionException.class)
        .hasMessage("Cannot write npy output bucketed by " + transform + MESSAGE_END);
  }

  @Test
  void saveAsTableWithBucketByFailsSayingNpyCannotBeBucketed() {
    Path out = tmp.resolve("b.npy");
    String table = "bucketed_" + System.nanoTime();
    assertThatThrownBy(
            () ->
                sql("SELECT id, id * 2 AS v FROM range(8)")
                    .write()
                    .format("npy")
                    .bucketBy(4, "id")
                    .option("path", out.toString())
                    .saveAsTable(table))
        .satisfies(e -> assertBucketingRefused(e, "bucket(4, id)"));
    assertThat(spark().catalog().tableExists(table)).isFalse();
    assertThat(out).doesNotExist();
    // a managed table (no path) and sortBy too
    assertThatThrownBy(
            () ->
                sql("SELECT id, id * 2 AS v FROM range(8)")
                    .write()
                    .format("npy")
                    .bucketBy(2, "v")
                    .sortBy("id")
                    .saveAsTable(table))
        .satisfies(e -> assertThat(rootCause(e)).hasMessageContaining(MESSAGE_END));
    assertThat(spark().catalog().tableExists(table)).isFalse();
  }

  @Test
  void createTableClusteredByIntoBucketsFailsTheSameWay() {
    String table = "clustered_" + System.nanoTime();
    assertThatThrownBy(
            () ->
                sql(
                    "CREATE TABLE %s (id BIGINT, v DOUBLE) USING npy CLUSTERED BY (id) INTO 4"
                        + " BUCKETS LOCATION '%s'",
                    table, tmp.resolve("c.npy").toUri()))
        .satisfies(e -> assertBucketingRefused(e, "bucket(4, id)"));
    assertThat(spark().catalog().tableExists(table)).isFalse();
  }

  /** Spark refuses bucketBy with save() itself, before the source is asked (Parquet alike). */
  @Test
  void saveWithBucketByIsRefusedBySparkBeforeTheSource() {
    assertThatThrownBy(
            () ->
                sql("SELECT id FROM range(3)")
                    .write()
                    .format("npy")
                    .bucketBy(4, "id")
                    .save(tmp.resolve("s.npy").toString()))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("'save' does not support bucketBy");
    assertThat(tmp.resolve("s.npy")).doesNotExist();
  }

  /**
   * {@code clusterBy} (Spark 4's {@code DataFrameWriter}, called by reflection: the suite also
   * compiles against Spark 3.5, which lacks it) reaches npy's save as Spark's {@code
   * __clustering_columns} option and is refused by name.
   */
  @Test
  void saveWithClusterByIsRefusedByName() throws Exception {
    var w = sql("SELECT id FROM range(3)").write().format("npy");
    java.lang.reflect.Method clusterBy;
    try {
      clusterBy = w.getClass().getMethod("clusterBy", String.class, String[].class);
    } catch (NoSuchMethodException e) {
      assertThat(spark().version()).startsWith("3.");
      return;
    }
    Object clustered = clusterBy.invoke(w, "id", new String[0]);
    Path out = tmp.resolve("c.npy");
    assertThatThrownBy(
            () -> ((org.apache.spark.sql.DataFrameWriter<?>) clustered).save(out.toString()))
        .isInstanceOf(NpyOptionException.class)
        .hasMessageContaining("Cannot write npy output clustered by")
        .hasMessageContaining("id")
        .hasMessageContaining("Remove clusterBy");
    assertThat(out).doesNotExist();
  }
}
