package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * {@code spark.read.schema(…).format("npy")}: Spark refuses a user-specified schema for every
 * source that names a catalog ({@code SupportsCatalogOptions}, which npy needs for the
 * ErrorIfExists and Ignore save modes) in {@code DataSourceV2Utils.loadV2Source}, before it asks
 * the source anything (Spark 3.5.8, 4.0.4, 4.2.0). This test pins Spark's message, which the README
 * quotes, and the way around it that the README gives.
 */
class UserSpecifiedSchemaTest extends NpyReadTestBase {

  @Test
  void sparkRefusesAUserSchemaBeforeNpyIsAskedAndASelectAfterLoadDoesTheJob() throws Exception {
    Path p = tmp.resolve("t.npy");
    numpy("np.save(sys.argv[1], np.array([0, 1_700_000_000_000_000], dtype='<M8[us]'))", p);
    assertThatThrownBy(
            () -> spark().read().schema("value TIMESTAMP").format("npy").load(p.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("npy does not support user specified schema. Please don't specify the schema.");
    // even the schema the headers give (TIMESTAMP by default) is refused: Spark compares nothing
    assertThatThrownBy(
            () -> spark().read().schema("value TIMESTAMP").format("npy").load(p.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("npy does not support user specified schema");

    // what the README says to do instead: load, then cast (TIMESTAMP -> TIMESTAMP_NTZ gives the
    // wall clock in the session time zone, UTC here)
    Dataset<Row> df =
        spark()
            .read()
            .format("npy")
            .load(p.toString())
            .selectExpr("CAST(value AS TIMESTAMP_NTZ) AS t");
    assertThat(df.schema().simpleString()).isEqualTo("struct<t:timestamp_ntz>");
    assertThat(df.orderBy("t").first().get(0).toString()).isEqualTo("1970-01-01T00:00");
  }
}
