package io.github.sparknpy.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** {@code partitionBy} output read back from its root: the partition columns come back. */
class PartitionedRoundTripTest extends SparkTestBase {

  @Test
  void partitionedOutputReadsBackWithItsPartitionColumnsAndPrunes() {
    Path out = tmp.resolve("by-day");
    Dataset<Row> written =
        sql(
            "SELECT id, id / 2 AS v, CAST(id %% 3 AS INT) AS k, IF(id %% 2 = 0, 'a', 'b/c') AS s"
                + " FROM range(0, 60, 1, 4)");

    written.write().format("npy").partitionBy("k", "s").save(out.toString());
    Dataset<Row> read = spark().read().format("npy").load(out.toString());

    assertThat(read.schema().simpleString()).isEqualTo("struct<id:bigint,v:double,k:int,s:string>");
    List<Row> back = read.orderBy("id").collectAsList();
    List<Row> expected = written.orderBy("id").collectAsList();
    assertThat(back).hasSize(60);
    assertThat(back.toString()).isEqualTo(expected.toString());
    assertThat(read.where("k = 1 AND s = 'b/c'").selectExpr("sum(id)").first().getLong(0))
        .isEqualTo(written.where("k = 1 AND s = 'b/c'").selectExpr("sum(id)").first().getLong(0));
    assertThat(read.where("k = 2").select("_file").distinct().count()).isEqualTo(2);
  }
}
